import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction on a pooled connection (see
    /// ``PostgresNIO/PostgresConnection/transaction(logger:isolation:_:)``); the connection is
    /// closed if the transaction outlives ``PostgresNIO/PostgresConnection/watchdogLimit``.
    public func transaction<Result>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await self.withMeteredConnection(isolation: isolation) { connection in
            try await connection.watched(isolation: isolation) {
                try await connection.transaction(logger: logger, isolation: isolation, body)
            }
        }
    }
}

extension PostgresConnection {
    /// Runs `body` between `BEGIN` and `COMMIT` (`ROLLBACK` when it throws), rethrowing the
    /// body's own error as it was thrown. Unlike postgres-nio's `withTransaction`, every
    /// statement's result is read to the end: an error of `BEGIN` left unread (a server shutting
    /// down) otherwise surfaces at the next statement, which then never completes.
    public func transaction<Result>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await self.execute("BEGIN", logger: logger)
        let value: Result
        do {
            value = try await body(self)
        } catch {
            try? await self.execute("ROLLBACK", logger: logger)
            throw error
        }
        try await self.execute("COMMIT", logger: logger)
        return value
    }
}
