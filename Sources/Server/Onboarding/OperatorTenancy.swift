import EduQLAudit
import EduQLSchema
import Logging
import PostgresNIO

/// The command line's tenancy: the operator acts for one whole region, set for the
/// transaction as the server's principals have theirs set by `eduql.act_as`.
enum OperatorTenancy {
    static func set(region: Int, on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.guardedQuery("""
            SELECT r.id FROM eduql.regions r, set_config('eduql.region_id', \(String(region)), true) s,
                   set_config('eduql.municipality_id', '', true) m, set_config('eduql.organization_id', '', true) o
            WHERE r.id = \(region)
            """, logger: logger)
        guard try await rows.collect().first != nil else { throw OperatorError(description: "no region \(region)") }
    }

    /// The audit event of an operator's act at the command line.
    static func event(_ action: String, region: Int) -> AuditEvent {
        var event = AuditEvent(kind: .admin, action: action, outcome: .ok, requestID: "cli-\(UInt64.random(in: 0...UInt64.max))")
        event.regionID = region
        event.login = "operator"
        event.role = "operator"
        event.userAgent = "eduql command line"
        return event
    }
}

/// A refusal at the command line, printed as it is.
struct OperatorError: Error, CustomStringConvertible {
    var description: String
}

extension OperatorError {
    /// Runs `work`, turning a database error into its server message (the operator's own database).
    static func explaining<T>(_ work: () async throws -> sending T) async throws -> sending T {
        do {
            return try await work()
        } catch let error as PSQLError {
            throw OperatorError(description: "the database refused: " + (error.serverInfo?[.message] ?? String(reflecting: error)))
        }
    }
}
