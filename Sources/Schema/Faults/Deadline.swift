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
        let task = Task { try await work() }
        // The timer stops as soon as the work is done: no sleeping task outlives a request.
        let timer = Task {
            if let early {
                try? await Task.sleep(for: early.limit)
                guard !Task.isCancelled else { return }
                if await early.giveUp(), outcome.settle(.failure(Exceeded(after: early.limit))) {
                    task.cancel()
                    return
                }
            }
            try? await Task.sleep(for: limit - (early?.limit ?? .zero))
            guard !Task.isCancelled else { return }
            if outcome.settle(.failure(Exceeded(after: limit))) { task.cancel() }
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                outcome.wait(continuation)
                Task {
                    let result = await task.result
                    timer.cancel()
                    outcome.settle(result)
                }
            }
        } onCancel: {
            task.cancel()
            timer.cancel()
            outcome.settle(.failure(CancellationError()))
        }
    }

    /// Runs `work`, giving up with the error `failure` returns if that returns first. Work that
    /// loses is cancelled and left to finish in the background.
    public static func race<T: Sendable>(
        _ work: @escaping @Sendable () async throws -> T,
        against failure: @escaping @Sendable () async -> any Error
    ) async throws -> T {
        let outcome = Outcome<T>()
        let task = Task { try await work() }
        let watcher = Task {
            let error = await failure()
            if outcome.settle(.failure(error)) { task.cancel() }
        }
        defer { watcher.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                outcome.wait(continuation)
                Task { outcome.settle(await task.result) }
            }
        } onCancel: {
            task.cancel()
            outcome.settle(.failure(CancellationError()))
        }
    }

    /// The first result to arrive, handed to the one waiter.
    private final class Outcome<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var result: Result<T, any Error>?
        }

        private let state = Mutex(State())

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
