import EduQLSchema
import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps the audit log's monthly partitions ahead of time: this month's and the next are
/// ensured at start-up and every six hours, so an insert never finds its month missing. The
/// same round drops the idempotent answers past their 24 hours.
struct AuditPartitionService: Service {
    let database: PostgresClient
    let logger: Logger
    /// How often to check. Default six hours.
    var interval: Duration = .seconds(6 * 3600)

    /// Loops until graceful shutdown, which cancels the sleep between checks.
    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                do {
                    try await self.ensurePartitions()
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("cannot ensure the audit partitions", metadata: ["error": "\(String(reflecting: error))"])
                }
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// Creates this month's and next month's partitions where missing.
    func ensurePartitions() async throws {
        try await self.database.withConnection { connection in
            try await connection.execute("""
                SELECT eduql.ensure_audit_partition(current_date), eduql.ensure_audit_partition((current_date + interval '1 month')::date)
                """, logger: self.logger)
            try await connection.execute("SELECT eduql.prune_idempotent_answers()", logger: self.logger)
        }
    }
}
