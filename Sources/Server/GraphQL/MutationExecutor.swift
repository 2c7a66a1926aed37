import EduQLAccessControl
import EduQLAudit
import EduQLResolvers
import EduQLSchema
import GraphQL
import Hummingbird
import Logging
import PostgresNIO

/// Runs the administration mutations of one operation through ``AccountAdministration``
/// (which checks the grant rules) in one transaction with the request's audit event — every
/// field takes effect, or none does — then reads each result back under the caller's policy.
struct MutationExecutor {
    let database: PostgresClient
    let administration: AccountAdministration
    let engine: GraphQLEngine
    let runner: QueryRunner

    /// A field refused by administration, with its response key.
    struct Refused: Error {
        var key: String
        var failure: AccountAdministration.Failure
    }

    func run(_ plan: OperationPlan, principal: Principal, actingAs: ActingAs, media: GraphQLMediaType, request: RequestInfo,
             logger: Logger) async throws -> Response {
        guard case .user(let actor) = principal else { throw QueryError.forbidden("Integration clients may not change accounts.") }
        let performed: [(id: Int, password: String?)]
        do {
            performed = try await self.database.auditedTransaction(logger: logger) { connection in
                // The principal may come from a cache: the database checks the session again,
                // so a revoked role or session changes nothing from its next request on.
                let holds = try await connection.guardedQuery(actingAs.check, logger: logger).collect().first?.decode(Bool.self)
                guard holds == true else { throw QueryError.unauthenticated }
                var performed: [(id: Int, password: String?)] = []
                for mutation in plan.mutations {
                    do {
                        performed.append(try await self.perform(mutation, by: actor, request: request, on: connection))
                    } catch let failure as AccountAdministration.Failure {
                        throw Refused(key: mutation.key, failure: failure)
                    }
                }
                return performed
            }
        } catch let refused as Refused {
            let (code, message): (String, String) =
                switch refused.failure {
                case .forbidden(let text): ("FORBIDDEN", text)
                case .notFound(let text): ("BAD_USER_INPUT", "not found: \(text)")
                case .invalid(let text): ("BAD_USER_INPUT", text)
                }
            // Nothing took effect: the operation's transaction rolled back.
            AuditRecord.current?.update(decides: true) { event in
                event.outcome = code == "FORBIDDEN" ? .denied : .invalid
                event.errorCodes = [code]
            }
            return GraphQLController.respond(.ok, media, [GraphQLErrorBody(code: code, message: message, path: [refused.key])], data: "null")
        }
        var done = plan
        done.roots = try zip(plan.mutations, performed).map { mutation, result in
            try self.engine.result(of: mutation, id: result.id, temporaryPassword: result.password, policy: principal.policy, actingAs: actingAs)
        }
        let result = try await self.runner.run(done, logger: logger)
        return GraphQLController.respond(.ok, media, data: result.data)
    }

    func perform(_ mutation: MutationField, by actor: UserPrincipal, request: RequestInfo,
                 on connection: PostgresConnection) async throws -> (id: Int, password: String?) {
        let arguments = mutation.arguments
        switch mutation.name {
        case "createUser":
            let input = try Self.input(arguments)
            let person: AccountAdministration.Person? =
                if let staff = try input.id("staffId") { .staff(staff) }
                else if let guardian = try input.id("guardianId") { .guardian(guardian) }
                else if let learner = try input.id("learnerId") { .learner(learner) }
                else { nil }
            let credentials = try await self.administration.createUser(
                by: actor, login: input["login"]?.text ?? "", displayName: input["displayName"]?.text ?? "", person: person,
                role: try Self.role(input), scope: try Self.scope(input, region: actor.scope.regionID), request: request, on: connection)
            return (credentials.userID, credentials.temporaryPassword)
        case "assignRole":
            let input = try Self.input(arguments)
            let id = try await self.administration.assignRole(by: actor, userID: try input.id("userId") ?? 0, role: try Self.role(input),
                                                              scope: try Self.scope(input, region: actor.scope.regionID),
                                                              guardianID: try input.id("guardianId"), request: request, on: connection)
            return (id, nil)
        case "revokeRole":
            let id = try arguments.id("assignmentId") ?? 0
            try await self.administration.revokeRole(by: actor, assignmentID: id, request: request, on: connection)
            return (id, nil)
        case "resetPassword":
            let credentials = try await self.administration.resetPassword(by: actor, userID: try arguments.id("userId") ?? 0, request: request, on: connection)
            return (credentials.userID, credentials.temporaryPassword)
        case "disableUser", "enableUser":
            let id = try arguments.id("userId") ?? 0
            try await self.administration.setDisabled(mutation.name == "disableUser", by: actor, userID: id, request: request, on: connection)
            return (id, nil)
        default:
            throw QueryError.badInput("Unknown mutation \(mutation.name).")
        }
    }

    static func input(_ arguments: [String: Map]) throws -> [String: Map] {
        guard let input = arguments.object("input") else { throw QueryError.badInput("input is required.") }
        return input
    }

    static func role(_ input: [String: Map]) throws -> Role {
        guard let name = input["role"]?.text, let role = Role(rawValue: name.lowercased()) else {
            throw QueryError.badInput("role cannot be given by this mutation.")
        }
        return role
    }

    static func scope(_ input: [String: Map], region: Int) throws -> Scope {
        Scope(regionID: region, municipalityID: try input.id("municipalityId"), organizationID: try input.id("organizationId"),
              classID: try input.id("classId"))
    }
}
