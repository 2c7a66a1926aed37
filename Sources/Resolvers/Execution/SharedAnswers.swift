import Synchronization

/// Dashboard answers shared for a short time among callers who would get the same answer: the
/// same statement, the same values, and a principal of the same role, scope and person links
/// (so the database's tenancy settings are the same). When a region's dashboards open at once,
/// one statement runs and the others wait for its answer (single flight) instead of each
/// running its own; an answer is at most ``Configuration/lifetime`` old, so a write shows in
/// `stats` within that time. Only statements marked shareable (`stats`, which carries no
/// personal data) are cached.
public final class SharedAnswers: Sendable {
    public struct Configuration: Sendable {
        /// How long an answer is shared after it was computed. Default 500 ms; zero turns sharing off.
        public var lifetime: Duration = .milliseconds(500)
        /// At most this many answers are kept; older ones are dropped first. Default 1,000.
        public var capacity: Int = 1_000

        public init() {}
    }

    private struct Entry {
        var answer: String
        var computedAt: ContinuousClock.Instant
    }

    private struct State {
        var answers: [String: Entry] = [:]
        var running: [String: Task<String, any Error>] = [:]
    }

    public let configuration: Configuration
    private let state = Mutex(State())
    /// What time it is (a test's own clock, or the continuous clock).
    private let now: @Sendable () -> ContinuousClock.Instant

    public init(configuration: Configuration = .init(), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.configuration = configuration
        self.now = now
    }

    /// Whether answers are shared at all.
    public var enabled: Bool { self.configuration.lifetime > .zero }

    /// The answer for `key`: a shared one young enough, the one another caller is computing, or
    /// `compute`'s. An answer past three quarters of its lifetime is still served while one caller computes
    /// its successor, so a steady stream of dashboards never waits for the statement; none is
    /// served past its lifetime. Should another caller's computation fail (its own token no
    /// longer holds, its statement timed out), this caller computes its own.
    func answer(for key: String, compute: @escaping @Sendable () async throws -> String) async throws -> String {
        let now = self.now()
        let lifetime = self.configuration.lifetime
        let lookup = self.state.withLock { state -> (answer: String?, task: Task<String, any Error>?, own: Bool) in
            let entry = state.answers[key].flatMap { now - $0.computedAt < lifetime ? $0 : nil }
            if let entry, now - entry.computedAt < lifetime * 3 / 4 { return (entry.answer, nil, false) }
            if let running = state.running[key] { return (entry?.answer, running, false) }
            // Computed outside any one request: a caller that goes away does not fail the others.
            let task = Task { [weak self] in
                defer { self?.finish(key) }
                let answer = try await compute()
                self?.store(key, Entry(answer: answer, computedAt: now))
                return answer
            }
            state.running[key] = task
            return (entry?.answer, task, true)
        }
        // Young enough, its successor under way: served as it is.
        if let answer = lookup.answer { return answer }
        guard let task = lookup.task else { return try await compute() }
        do {
            return try await task.value
        } catch where !lookup.own {
            return try await compute()
        }
    }

    private func store(_ key: String, _ entry: Entry) {
        self.state.withLock { state in
            if state.answers.count >= self.configuration.capacity {
                let now = self.now()
                state.answers = state.answers.filter { now - $0.value.computedAt < self.configuration.lifetime }
                if state.answers.count >= self.configuration.capacity { state.answers.removeAll() }
            }
            state.answers[key] = entry
        }
    }

    private func finish(_ key: String) {
        _ = self.state.withLock { $0.running.removeValue(forKey: key) }
    }
}
