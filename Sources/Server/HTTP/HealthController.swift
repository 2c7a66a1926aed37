import EduQLAudit
import EduQLSchema
import Hummingbird
import Logging
import PostgresNIO

/// `GET /healthz`: the process is up. `GET /readyz`: requests can be served — both database
/// pools answer within the timeout, the migrations are exactly this build's, and the audit
/// sink is committing events.
struct HealthController: Sendable {
    struct Status: ResponseEncodable {
        var status: String
        var reason: String?
    }

    let database: PostgresClient
    let readers: PostgresClient
    let audit: AuditSink?
    let migrator: Migrator
    /// How long the database may take to answer before the server counts as not ready.
    var timeout: Duration = .seconds(2)

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("healthz") { _, _ in Status(status: "ok") }
        router.get("readyz") { _, context in try await self.readiness(logger: context.logger) }
    }

    func readiness(logger: Logger) async throws -> EditedResponse<Status> {
        if let trouble = self.audit?.trouble() {
            return Self.unavailable(trouble)
        }
        do {
            let applied = try await self.database.withConnection(lease: self.timeout, total: self.timeout) { connection in
                try await Migrator.applied(connection, logger: logger)
            }
            try await self.readers.withConnection(lease: self.timeout, total: self.timeout) { connection in
                try await connection.execute("SELECT 1", logger: logger)
            }
            let pending = try self.migrator.pending(applied: applied)
            guard pending.isEmpty else { return Self.unavailable("\(pending.count) migration(s) pending") }
            return EditedResponse(status: .ok, response: Status(status: "ready"))
        } catch let error as MigrationError {
            return Self.unavailable(error.description)
        } catch {
            logger.warning("readiness check failed", metadata: ["error": "\(LoggableError(error))"])
            return Self.unavailable("database unreachable")
        }
    }

    static func unavailable(_ reason: String) -> EditedResponse<Status> {
        EditedResponse(status: .serviceUnavailable, headers: [.retryAfter: "2"], response: Status(status: "unavailable", reason: reason))
    }
}
