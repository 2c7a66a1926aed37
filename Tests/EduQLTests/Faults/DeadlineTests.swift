@testable import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// `Deadline` and the connection watchdog: what bounds every request, lease and probe.
@Suite("Bounded waits", .timeLimit(.minutes(1)))
struct DeadlineTests {
    /// Work that never finishes and does not heed cancellation.
    static func forever(_ started: Flag = Flag()) async {
        started.set()
        await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
    }

    /// Waits until `condition` holds, for at most five seconds.
    static func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<5000 where !condition() {
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test("work that finishes in time gives its value or its error")
    func inTime() async throws {
        #expect(try await Deadline.run(within: .seconds(5)) { 42 } == 42)
        struct Failed: Error {}
        await #expect(throws: Failed.self) { try await Deadline.run(within: .seconds(5)) { () async throws -> Int in throw Failed() } }
        let raced = try await Deadline.race({ "work" }, against: {
            try? await Task.sleep(for: .seconds(30))
            return CancellationError()
        })
        #expect(raced == "work")
    }

    @Test("work that overruns, even ignoring cancellation, is given up on with the limit it overran")
    func overrun() async throws {
        let started = Flag()
        let cancelled = Flag()
        do {
            _ = try await Deadline.run(within: .milliseconds(200)) {
                await withTaskCancellationHandler {
                    await Self.forever(started)
                } onCancel: {
                    cancelled.set()
                }
            }
            Issue.record("the overrunning work was waited for")
        } catch let exceeded as Deadline.Exceeded {
            #expect(exceeded.after == .milliseconds(200))
        }
        #expect(started.isSet)
        // The caller is answered first; the work is cancelled right after, on the timer's thread.
        try await Self.eventually { cancelled.isSet }
        #expect(cancelled.isSet, "the overrunning work was not cancelled")
    }

    @Test("the first phase's shorter limit holds only when giveUp says so")
    func firstPhase() async throws {
        let asked = Flag()
        do {
            _ = try await Deadline.run(within: .seconds(30), or: (.milliseconds(100), { asked.set(); return true })) {
                await Self.forever()
            }
            Issue.record("the first phase's limit was not kept")
        } catch let exceeded as Deadline.Exceeded {
            #expect(exceeded.after == .milliseconds(100))
        }
        #expect(asked.isSet)
        // A first phase that does not give up leaves the work its whole time.
        let value = try await Deadline.run(within: .seconds(30), or: (.milliseconds(50), { false })) {
            try await Task.sleep(for: .milliseconds(300))
            return "done"
        }
        #expect(value == "done")
        do {
            _ = try await Deadline.run(within: .milliseconds(400), or: (.milliseconds(50), { false })) {
                await Self.forever()
            }
            Issue.record("the whole limit was not kept")
        } catch let exceeded as Deadline.Exceeded {
            #expect(exceeded.after == .milliseconds(400))
        }
    }

    @Test("a cancelled caller stops waiting at once, and its work is cancelled")
    func callerCancelled() async throws {
        let started = Flag()
        let cancelled = Flag()
        let caller = Task {
            try await Deadline.run(within: .seconds(30)) {
                await withTaskCancellationHandler {
                    await Self.forever(started)
                } onCancel: {
                    cancelled.set()
                }
            }
        }
        while !started.isSet { await Task.yield() }
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(cancelled.isSet)
    }

    @Test("a connection whose work overruns the watchdog is closed, and one that finishes is not")
    func watchdog() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        try await database.server.withConnection(logger: Logger(label: "eduql-tests")) { connection in
            let answer = try await connection.watched(within: .seconds(5)) {
                try await connection.query("SELECT 1", logger: Logger(label: "eduql-tests")).collect().count
            }
            #expect(answer == 1)
            try await Task.sleep(for: .milliseconds(300))
            #expect(!connection.isClosed)
            await #expect(throws: (any Error).self) {
                try await connection.watched(within: .milliseconds(200)) {
                    try await connection.query("SELECT pg_sleep(20)", logger: Logger(label: "eduql-tests")).collect()
                }
            }
            #expect(connection.isClosed)
        }
    }
}
