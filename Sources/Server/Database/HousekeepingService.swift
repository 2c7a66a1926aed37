import EduQLSchema
import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps the monthly partitions of the audit log and of the change feed ahead of time: this
/// month's and the next are ensured at start-up and every six hours, so an insert never finds
/// its month missing. The same round drops the idempotent answers past their 24 hours, the
/// changes past their retention, and federated sign-ins that expired before they came back.
struct HousekeepingService: Service {
    let database: PostgresClient
    let logger: Logger
    /// How often to check. Default six hours.
    var interval: Duration = .seconds(6 * 3600)
    /// How many months the change feed keeps (at least 3). Default 3.
    var changeRetentionMonths = 3

    /// Loops until graceful shutdown, which cancels the sleep between checks.
    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                do {
                    try await self.ensurePartitions()
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("cannot ensure the partitions", metadata: ["error": "\(LoggableError(error))"])
                }
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// Creates this month's and next month's partitions where missing; prunes what expired.
    func ensurePartitions() async throws {
        try await self.database.withMeteredConnection { connection in
            try await connection.execute("""
                SELECT eduql.ensure_audit_partition(current_date), eduql.ensure_audit_partition((current_date + interval '1 month')::date),
                       eduql.ensure_change_partition(current_date), eduql.ensure_change_partition((current_date + interval '1 month')::date)
                """, logger: self.logger)
            try await connection.execute("SELECT eduql.prune_idempotent_answers(), eduql.forget_expired_sign_ins(), eduql.forget_shared_state()",
                                         logger: self.logger)
            try await connection.execute("SELECT count(*) FROM eduql.prune_changes(\(self.changeRetentionMonths)::integer)", logger: self.logger)
        }
    }
}
