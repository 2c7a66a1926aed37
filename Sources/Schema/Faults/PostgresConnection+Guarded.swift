import Logging
import PostgresNIO

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

    /// Runs `work` on this connection, failing at once if the connection closes before it
    /// completes (see ``guardedQuery(_:logger:file:line:)``).
    public func guarded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        guard !self.isClosed else { throw DatabaseUnavailable(reason: "the database connection is closed", connectionLost: true) }
        let closure = ConnectionClosure.of(self)
        return try await Deadline.race(work, against: {
            await closure.wait()
            return DatabaseUnavailable(reason: "the database connection closed before it answered", connectionLost: true)
        })
    }
}
