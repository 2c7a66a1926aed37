import EduQLAccessControl
import EduQLAudit
import EduQLResolvers
import GraphQL
import Hummingbird
import Logging

/// Runs the administration mutations through ``AccountAdministration`` (which checks the
/// grant rules and audits), then reads each result back under the caller's policy.
struct MutationExecutor {
    let administration: AccountAdministration
    let engine: GraphQLEngine
    let runner: QueryRunner

    func run(_ plan: OperationPlan, principal: Principal, actingAs: ActingAs, media: GraphQLMediaType, request: RequestInfo,
             logger: Logger) async throws -> Response {
        guard case .user(let actor) = principal else { throw QueryError.forbidden("Integration clients may not change accounts.") }
        var roots: [OperationPlan.Root] = []
        for mutation in plan.mutations {
            do {
                let (id, password) = try await self.perform(mutation, by: actor, request: request)
                roots.append(try self.engine.result(of: mutation, id: id, temporaryPassword: password, policy: principal.policy, actingAs: actingAs))
            } catch let failure as AccountAdministration.Failure {
                let (code, message): (String, String) =
                    switch failure {
                    case .forbidden(let text): ("FORBIDDEN", text)
                    case .notFound(let text): ("BAD_USER_INPUT", "not found: \(text)")
                    case .invalid(let text): ("BAD_USER_INPUT", text)
                    }
                // Fields before this one took effect; its result (non-null) makes `data` null.
                AuditRecord.current?.update(decides: true) { event in
                    event.outcome = roots.isEmpty ? (code == "FORBIDDEN" ? .denied : .invalid) : .partial
                    event.errorCodes = [code]
                }
                return GraphQLController.respond(.ok, media, [GraphQLErrorBody(code: code, message: message, path: [mutation.key])], data: "null")
            }
        }
        var done = plan
        done.roots = roots
        let result = try await self.runner.run(done, logger: logger)
        AuditRecord.current?.update(decides: true) { event in
            event.outcome = .ok
            event.learnerIDs = result.learnerIDs
            event.rowCount = result.rows
        }
        return GraphQLController.respond(.ok, media, data: result.data)
    }

    func perform(_ mutation: MutationField, by actor: UserPrincipal, request: RequestInfo) async throws -> (Int, String?) {
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
                role: try Self.role(input), scope: try Self.scope(input, region: actor.scope.regionID), request: request)
            return (credentials.userID, credentials.temporaryPassword)
        case "assignRole":
            let input = try Self.input(arguments)
            let id = try await self.administration.assignRole(by: actor, userID: try input.id("userId") ?? 0, role: try Self.role(input),
                                                              scope: try Self.scope(input, region: actor.scope.regionID), request: request)
            return (id, nil)
        case "revokeRole":
            let id = try arguments.id("assignmentId") ?? 0
            try await self.administration.revokeRole(by: actor, assignmentID: id, request: request)
            return (id, nil)
        case "resetPassword":
            let credentials = try await self.administration.resetPassword(by: actor, userID: try arguments.id("userId") ?? 0, request: request)
            return (credentials.userID, credentials.temporaryPassword)
        case "disableUser", "enableUser":
            let id = try arguments.id("userId") ?? 0
            try await self.administration.setDisabled(mutation.name == "disableUser", by: actor, userID: id, request: request)
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
