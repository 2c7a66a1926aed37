import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction`, rethrowing the body's own error as it was thrown (postgres-nio wraps
    /// it in `PostgresTransactionError`), so callers can match their error types.
    public func transaction<Result>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        do {
            return try await self.withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError where error.closureError != nil && error.rollbackError == nil {
            throw error.closureError!
        }
    }
}
