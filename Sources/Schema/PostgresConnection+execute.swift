import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs a statement and reads its result to the end. postgres-nio reports an error raised
    /// while a statement runs only when its rows are read, so a statement whose result is
    /// ignored must still be drained, or its failure surfaces at the next statement.
    public func execute(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.guardedQuery(query, logger: logger) {}
    }
}
