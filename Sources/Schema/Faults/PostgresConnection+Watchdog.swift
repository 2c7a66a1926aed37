import Logging
import PostgresNIO
import Synchronization

extension PostgresConnection {
    /// How long work on one pooled connection may take before the connection is closed: a
    /// query whose answer never comes (a connection the server dropped without the client
    /// noticing) then fails, and its lease goes back to the pool, instead of holding the lease
    /// — and, sixteen such later, the whole pool — forever.
    public static let watchdogLimit: Duration = .seconds(20)

    /// Runs `body`, closing this connection if it has not finished within `limit`.
    public func watched<Result>(
        within limit: Duration = PostgresConnection.watchdogLimit,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> sending Result
    ) async throws -> sending Result {
        let watchdog = Task { [self] in
            try await Task.sleep(for: limit)
            self.logger.warning("closing a database connection whose work did not finish in time", metadata: ["limit": "\(limit)"])
            try? await self.close()
        }
        defer { watchdog.cancel() }
        return try await body()
    }
}

extension PostgresConnection {
    /// Sends `query`, failing at once if the connection closes before the server answers.
    ///
    /// postgres-nio writes a query to its channel without a promise: on a channel that has just
    /// closed (the server restarted while the connection sat in the pool) the write fails
    /// silently and the query never completes, holding its caller and its pool lease forever.
    /// Racing the channel's close frees both; the stranded write is left behind.
    public func guardedQuery(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        try await self.guarded { try await self.query(query, logger: logger, file: file, line: line) }
    }
}

/// Tells the tasks waiting on one connection that it closed: one callback on the channel's
/// close per connection, however many queries wait on it; waiters that stop waiting leave.
final class ConnectionClosure: Sendable {
    private struct State {
        var closed = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var next: UInt64 = 0
    }

    private let state = Mutex(State())
    private static let open = Mutex<[ObjectIdentifier: ConnectionClosure]>([:])

    /// The closure of `connection`, made (and its close watched) on first use.
    static func of(_ connection: PostgresConnection) -> ConnectionClosure {
        let key = ObjectIdentifier(connection)
        let (closure, isNew) = Self.open.withLock { open -> (ConnectionClosure, Bool) in
            if let closure = open[key] { return (closure, false) }
            let closure = ConnectionClosure()
            open[key] = closure
            return (closure, true)
        }
        if isNew {
            connection.closeFuture.whenComplete { _ in
                Self.open.withLock { $0[key] = nil }
                closure.fire()
            }
        }
        return closure
    }

    private func fire() {
        let waiters = self.state.withLock { state in
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the connection closed, or once the waiting task is cancelled.
    func wait() async {
        let id = self.state.withLock { state in
            state.next += 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = self.state.withLock { state in
                    if state.closed || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
