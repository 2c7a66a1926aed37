import EduQLSchema
import Logging
import PostgresNIO
import ServiceLifecycle

/// Folds the journal's pending rollup rows into the stored class-level rollups
/// (`eduql.fold_pending_rollups`, migration 0043), then the organizations whose class-level
/// rollups changed into the organization rollups (`eduql.refresh_coarse_rollups`, migration
/// 0042). Dashboards read every rollup exactly whether or not this has run — pending rows are
/// added to stored ones, a stale organization is summed from its classes — so the interval only
/// bounds how much a dashboard sums that way.
struct OrganizationRollupService: Service {
    let database: PostgresClient
    let logger: Logger
    /// How often to refresh. Default 500 ms.
    var interval: Duration = .milliseconds(500)

    /// Loops until graceful shutdown, which cancels the sleep between refreshes.
    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                do {
                    try await self.refresh()
                } catch is CancellationError {
                    return
                } catch {
                    // A lost database only delays the next refresh; the views stay exact meanwhile.
                    self.logger.warning("cannot refresh the organization rollups", metadata: ["error": "\(LoggableError(error))"])
                }
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// Folds the pending rows, then recomputes the stale organizations; returns how many
    /// organizations it recomputed (0 while another server's refresh holds the lock).
    @discardableResult
    func refresh() async throws -> Int {
        // Bounded as a request's waits are: a lost database costs this loop a round, not a parked lease.
        let logger = self.logger
        return try await self.database.withConnection(lease: .seconds(2), total: .seconds(10)) { connection in
            // One round trip: the refresh sums what the fold just stored.
            let rows = try await connection.query("SELECT eduql.fold_pending_rollups(), eduql.refresh_coarse_rollups()", logger: logger)
            guard let row = try await rows.collect().first else { return 0 }
            let (_, organizations) = try row.decode((Int, Int).self)
            return organizations
        }
    }
}
