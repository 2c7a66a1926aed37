import Logging
import PostgresNIO

/// The dashboards' rollups (migration 0012): their names, a rebuild from the raw tables, and a
/// check that they hold what a rebuild would write. The triggers keep them current; these are
/// for operators (`eduql rollups rebuild|check`) and tests.
public struct Rollups: Sendable {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Every rollup, by table name.
    public func names(on connection: PostgresConnection) async throws -> [String] {
        try await connection.guardedQuery("SELECT DISTINCT rollup FROM eduql.rollup_sources ORDER BY rollup", logger: self.logger)
            .collect().map { try $0.decode(String.self) }
    }

    /// Recomputes every rollup from the raw tables in one transaction (waiting at most 30 s for
    /// writers to the source tables); the rows of each.
    public func rebuild(on connection: PostgresConnection) async throws -> [(name: String, rows: Int)] {
        let names = try await self.names(on: connection)
        return try await connection.transaction(logger: self.logger) { connection in
            // The rebuild holds writes to the source tables off; it waits a bounded time for them.
            try await connection.execute("SET LOCAL lock_timeout = '30s'", logger: self.logger)
            var written: [(name: String, rows: Int)] = []
            for name in names {
                let rows = try await connection.guardedQuery("SELECT eduql.rebuild_rollup(\(name))::int", logger: self.logger)
                    .collect().first?.decode(Int.self) ?? 0
                written.append((name, rows))
            }
            // Whatever the rebuild corrected, the organization rollups sum it again.
            try await connection.execute("INSERT INTO eduql.coarse_stale (region_id, organization_id) SELECT region_id, id FROM eduql.organizations",
                                         logger: self.logger)
            return written
        }
    }

    /// For each rollup, the rows in which it differs from what a rebuild would write.
    public func differences(on connection: PostgresConnection) async throws -> [(name: String, rows: Int)] {
        var differences: [(name: String, rows: Int)] = []
        for name in try await self.names(on: connection) {
            let rows = try await connection.guardedQuery("SELECT eduql.rollup_differences(\(name))::int", logger: self.logger)
                .collect().first?.decode(Int.self) ?? 0
            differences.append((name, rows))
        }
        return differences
    }

    /// Rows in which the suppression blocks (migration 0014) differ from what a refresh computes
    /// from the data now; the refresh is undone.
    public func suppressionDifferences(on connection: PostgresConnection) async throws -> Int {
        try await connection.guardedQuery("SELECT eduql.suppression_differences()::int", logger: self.logger)
            .collect().first?.decode(Int.self) ?? 0
    }

    /// Stored rows of the organization rollups (migration 0042) that differ from what their
    /// classes sum, for organizations not marked stale.
    public func organizationDifferences(on connection: PostgresConnection) async throws -> Int {
        try await connection.guardedQuery("SELECT eduql.coarse_differences()::int", logger: self.logger)
            .collect().first?.decode(Int.self) ?? 0
    }

    /// Folds the journal's pending rows into the stored class-level rollups (migration 0043),
    /// waiting for a fold in progress; how many pending rows it folded.
    @discardableResult
    public func foldPending(on connection: PostgresConnection) async throws -> Int {
        try await connection.guardedQuery("SELECT eduql.fold_pending_rollups(true)", logger: self.logger)
            .collect().first?.decode(Int.self) ?? 0
    }

    /// Folds the stale organizations into the organization rollups; how many it recomputed.
    @discardableResult
    public func refreshOrganizations(on connection: PostgresConnection) async throws -> Int {
        try await connection.guardedQuery("SELECT eduql.refresh_coarse_rollups()", logger: self.logger)
            .collect().first?.decode(Int.self) ?? 0
    }
}
