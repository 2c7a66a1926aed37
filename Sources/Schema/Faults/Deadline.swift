import NIOCore
import NIOPosix
import Synchronization

/// Bounds a wait: the caller resumes when the work finishes or its time is up, whichever
/// comes first. Work that overruns is cancelled and left to finish in the background, so a
/// task that ignores cancellation (a lease from a pool that cannot connect, a socket that
/// never answers) still cannot hold the caller.
public enum Deadline {
    /// The time given to the work ran out.
    public struct Exceeded: Error, Sendable {
        public let after: Duration
    }

    /// Runs `work`, giving up after `limit`; and after `early` when `giveUp()` then says so
    /// (for a first phase, such as waiting for a connection, that has a shorter limit).
    public static func run<T: Sendable>(
        within limit: Duration,
        or early: (limit: Duration, giveUp: @Sendable () async -> Bool)? = nil,
        _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let outcome = Outcome<T>()
        let task = Task { await outcome.settle(with: work) }
        // The timers are an event loop's scheduled tasks, not sleeping tasks: one is a heap
        // entry, cancelled as soon as the work is done.
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let timeUp = loop.scheduleTask(in: TimeAmount(limit)) {
            if outcome.settle(.failure(Exceeded(after: limit))) { task.cancel() }
        }
        let firstPhaseUp = early.map { early in
            loop.scheduleTask(in: TimeAmount(early.limit)) {
                Task {
                    if await early.giveUp(), outcome.settle(.failure(Exceeded(after: early.limit))) { task.cancel() }
                }
            }
        }
        defer {
            timeUp.cancel()
            firstPhaseUp?.cancel()
        }
        return try await outcome.value { task.cancel() }
    }

    /// Runs `work`, giving up with the error `failure` returns if that returns first. Work that
    /// loses is cancelled and left to finish in the background.
    public static func race<T: Sendable>(
        _ work: @escaping @Sendable () async throws -> T,
        against failure: @escaping @Sendable () async -> any Error
    ) async throws -> T {
        let outcome = Outcome<T>()
        let task = Task { await outcome.settle(with: work) }
        let watcher = Task {
            let error = await failure()
            if outcome.settle(.failure(error)) { task.cancel() }
        }
        defer { watcher.cancel() }
        return try await outcome.value { task.cancel() }
    }

    /// The first result to arrive, handed to the one waiter.
    private final class Outcome<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var result: Result<T, any Error>?
        }

        private let state = Mutex(State())

        /// The first result, waited for; a cancelled caller stops waiting at once and `cancel`s the work.
        func value(cancel: @escaping @Sendable () -> Void) async throws -> T {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { self.wait($0) }
            } onCancel: {
                cancel()
                self.settle(.failure(CancellationError()))
            }
        }

        /// Runs the work and settles the outcome with what it returns or throws.
        func settle(with work: @Sendable () async throws -> T) async {
            do {
                self.settle(.success(try await work()))
            } catch {
                self.settle(.failure(error))
            }
        }

        func wait(_ continuation: CheckedContinuation<T, any Error>) {
            let ready = self.state.withLock { state -> Result<T, any Error>? in
                if state.result == nil { state.continuation = continuation }
                return state.result
            }
            if let ready { continuation.resume(with: ready) }
        }

        /// Settles the outcome; false if it was already settled.
        @discardableResult
        func settle(_ result: Result<T, any Error>) -> Bool {
            let (settled, waiter) = self.state.withLock { state -> (Bool, CheckedContinuation<T, any Error>?) in
                guard state.result == nil else { return (false, nil) }
                state.result = result
                defer { state.continuation = nil }
                return (true, state.continuation)
            }
            waiter?.resume(with: result)
            return settled
        }
    }
}
