import PostgresNIO

extension PostgresConnection {
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
