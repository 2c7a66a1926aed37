import EduQLSchema
import Logging
import PostgresNIO

/// Counts sign-in attempts per client address in one-minute windows kept in the database
/// (`eduql.count_sign_in_attempt`), so that every process of a deployment counts the same
/// attempts: an address gets its limit once, not once per process behind the balancer.
public struct AddressThrottle: Sendable {
    let database: PostgresClient
    let limit: Int
    let logger: Logger

    public init(database: PostgresClient, attemptsPerMinute: Int, logger: Logger) {
        self.database = database
        self.limit = attemptsPerMinute
        self.logger = logger
    }

    /// Counts an attempt from `address`; returns the seconds to wait when over the limit. Waits
    /// at most 2 s for a connection and 5 s in all (a database that is away answers 503).
    public func admit(_ address: String?) async throws -> Int? {
        try await self.database.withConnection(lease: .seconds(2), total: .seconds(5)) { connection in
            try await connection.guardedQuery("SELECT eduql.count_sign_in_attempt(\(address ?? "unknown"), \(self.limit)::integer)",
                                              logger: self.logger).collect().first?.decode(Int?.self) ?? nil
        }
    }
}
