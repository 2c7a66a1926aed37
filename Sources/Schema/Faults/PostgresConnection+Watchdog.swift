import NIOCore
import PostgresNIO

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
        // A scheduled task on the connection's own event loop, not a sleeping task per lease.
        let watchdog = self.eventLoop.scheduleTask(in: TimeAmount(limit)) { [self] in
            self.logger.warning("closing a database connection whose work did not finish in time", metadata: ["limit": "\(limit)"])
            self.close().whenComplete { _ in }
        }
        defer { watchdog.cancel() }
        return try await body()
    }
}
