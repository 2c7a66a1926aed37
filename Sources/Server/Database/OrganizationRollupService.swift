import EduQLSchema
import Logging
import PostgresNIO
import ServiceLifecycle

/// Folds the organizations whose class-level rollups changed into the organization rollups
/// (`eduql.refresh_coarse_rollups`, migration 0042). Dashboards read those rollups exactly
/// whether or not this has run — a stale organization is summed from its classes — so the
/// interval only bounds how many organizations a dashboard sums that way.
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

    /// Recomputes the stale organizations; returns how many it recomputed (0 while another
    /// server's refresh holds the lock).
    @discardableResult
    func refresh() async throws -> Int {
        // Bounded as a request's waits are: a lost database costs this loop a round, not a parked lease.
        let logger = self.logger
        return try await self.database.withConnection(lease: .seconds(2), total: .seconds(10)) { connection in
            let rows = try await connection.query("SELECT eduql.refresh_coarse_rollups()", logger: logger)
            return try await rows.collect().first?.decode(Int.self) ?? 0
        }
    }
}
