import EduQLSchema
import Hummingbird
import Logging
import PostgresNIO

/// `GET /healthz`: the process is up. `GET /readyz`: the database answers and its migrations
/// are exactly this build's.
struct HealthController: Sendable {
    struct Status: ResponseEncodable {
        var status: String
        var reason: String?
    }

    let database: PostgresClient
    let migrator: Migrator
    /// How long the database may take to answer before the server counts as not ready.
    var timeout: Duration = .seconds(2)

    struct TimedOut: Error {}

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("healthz") { _, _ in Status(status: "ok") }
        router.get("readyz") { _, context in try await self.readiness(logger: context.logger) }
    }

    func readiness(logger: Logger) async throws -> EditedResponse<Status> {
        do {
            let applied = try await withThrowingTaskGroup(of: [Migrator.AppliedMigration]?.self) { group in
                group.addTask {
                    try await self.database.withConnection { connection in try await Migrator.applied(connection, logger: logger) }
                }
                group.addTask {
                    try await Task.sleep(for: self.timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let applied = first else { throw TimedOut() }
                return applied
            }
            let pending = try self.migrator.pending(applied: applied)
            guard pending.isEmpty else {
                return EditedResponse(status: .serviceUnavailable, response: Status(status: "unavailable", reason: "\(pending.count) migration(s) pending"))
            }
            return EditedResponse(status: .ok, response: Status(status: "ready"))
        } catch let error as MigrationError {
            return EditedResponse(status: .serviceUnavailable, response: Status(status: "unavailable", reason: error.description))
        } catch {
            logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: error))"])
            return EditedResponse(status: .serviceUnavailable, response: Status(status: "unavailable", reason: "database unreachable"))
        }
    }
}
