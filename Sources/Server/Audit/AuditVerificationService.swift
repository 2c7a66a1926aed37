import EduQLAudit
import EduQLSchema
import Logging
import PostgresNIO
import ServiceLifecycle

/// Walks the audit events appended since the last walk of the chain every `interval` (the
/// first time one interval after start-up, so a restart adds no work) and records the outcome
/// (`eduql.audit_check`): administrators read it as `auditChain`, and a break is logged as an
/// error for the operator at every walk until a whole walk finds the chain intact again.
struct AuditVerificationService: Service {
    let database: PostgresClient
    let logger: Logger
    /// How often to walk. Default 10 minutes.
    var interval: Duration = .seconds(600)

    /// Loops until graceful shutdown, which cancels the sleep between walks.
    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: self.interval)
                do {
                    let result = try await self.database.withMeteredConnection { connection in
                        try await AuditChain(logger: self.logger).check(on: connection, full: false)
                    }
                    if let broken = result.brokenSequence {
                        self.logger.error("the audit chain is broken", metadata: ["seq": "\(broken)", "reason": "\(result.reason ?? "")"])
                    }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.warning("cannot walk the audit chain", metadata: ["error": "\(LoggableError(error))"])
                }
            }
        }
    }
}
