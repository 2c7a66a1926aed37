@testable import EduQLResolvers
import Synchronization
import Testing

/// The sharing rules of ``SharedAnswers`` on their own: one computation for callers asking at
/// once, an answer past three quarters of its lifetime served while its successor is computed, none past
/// its lifetime.
@Suite("Shared answers, the rules")
struct SharedAnswersUnitTests {
    /// Counts computations and numbers their answers.
    final class Source: Sendable {
        let count = Mutex(0)
        func next() async throws -> String {
            try await Task.sleep(for: .milliseconds(50))
            return String(self.count.withLock { $0 += 1; return $0 })
        }
    }

    @Test("callers asking at once share one computation")
    func oneFlight() async throws {
        var configuration = SharedAnswers.Configuration()
        configuration.lifetime = .seconds(10)
        let answers = SharedAnswers(configuration: configuration)
        let source = Source()
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await answers.answer(for: "k") { try await source.next() } } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: "1", count: 8))
        #expect(source.count.withLock { $0 } == 1)
        #expect(try await answers.answer(for: "other") { try await source.next() } == "2", "another key computes its own")
    }

    /// A clock the test moves by hand.
    final class ManualClock: Sendable {
        let instant = Mutex(ContinuousClock.now)
        func advance(by duration: Duration) { self.instant.withLock { $0 += duration } }
        var now: ContinuousClock.Instant { self.instant.withLock { $0 } }
    }

    @Test("past three quarters of its lifetime an answer is served while its successor is computed; past its lifetime, never")
    func staleWhileRefreshing() async throws {
        var configuration = SharedAnswers.Configuration()
        configuration.lifetime = .seconds(1)
        let clock = ManualClock()
        let answers = SharedAnswers(configuration: configuration, now: { clock.now })
        let source = Source()
        #expect(try await answers.answer(for: "k") { try await source.next() } == "1")
        clock.advance(by: .milliseconds(700))
        #expect(try await answers.answer(for: "k") { try await source.next() } == "1", "young: served, nothing computed")
        #expect(source.count.withLock { $0 } == 1)
        clock.advance(by: .milliseconds(100))
        // Aging: the old answer at once, and its successor computed meanwhile.
        #expect(try await answers.answer(for: "k") { try await source.next() } == "1")
        var latest = "1"
        for _ in 0..<1_000 where latest == "1" {
            try await Task.sleep(for: .milliseconds(10))
            latest = try await answers.answer(for: "k") { try await source.next() }
        }
        #expect(latest == "2")
        #expect(source.count.withLock { $0 } == 2, "one refresh")
        // Past its lifetime: the caller waits for a fresh one.
        clock.advance(by: .seconds(2))
        #expect(try await answers.answer(for: "k") { try await source.next() } == "3")
    }
}
