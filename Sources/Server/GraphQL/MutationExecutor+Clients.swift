import EduQLAccessControl
import EduQLAudit
import EduQLResolvers
import EduQLSchema
import Foundation
import GraphQL
import Hummingbird
import Logging
import PostgresNIO

/// Integration clients that write: each mutation is made on behalf of the person it names — a
/// lesson's teacher, a queue application's applicant — and checked twice: the database
/// (`eduql.act_for`) confirms the grant names the mutation and the person is inside its reach,
/// and sets that person's tenancy; the write then runs under the person's own write rules,
/// narrowed by the grant (``Policy/acting(for:of:)``). The client reads back what it wrote under
/// its own read policy. The audit event names the client and every person it acted for.
extension MutationExecutor {
    /// One client mutation's read-back statement and what it wrote.
    struct ClientWrite {
        var root: OperationPlan.Root
        var learnerIDs: [Int]
        var rows: Int
    }

    /// The answer refusing an operation before anything is written, or nil: a client's mutation
    /// over the rate its grant sets for it (429 with `Retry-After`), or arguments naming a person
    /// on whose behalf to write — an integration's alone — in a person's own request.
    func refuseBeforeWriting(_ plan: OperationPlan, principal: Principal, media: GraphQLMediaType) -> Response? {
        for mutation in plan.mutations {
            switch principal {
            case .client(let client):
                guard let limit = client.writes.first(where: { $0.mutation == mutation.name })?.limit,
                      let wait = self.buckets.take("client-write:\(client.grantID):\(mutation.name)", limit) else { continue }
                AuditRecord.current?.update(decides: true) { event in
                    event.outcome = .denied
                    event.errorCodes = ["RATE_LIMITED"]
                    event.detail["rateLimit"] = "\(mutation.name) \(limit)"
                }
                var response = GraphQLController.respond(.tooManyRequests, media, [GraphQLErrorBody(
                    code: "RATE_LIMITED", message: "too many \(mutation.name) from this client (at most \(limit) per second/burst); retry after \(wait) s")])
                response.headers[.retryAfter] = String(wait)
                return response
            case .user:
                // (`teacherId` of other mutations, such as `substituteTeacher`, is their own argument.)
                var given: [String] = []
                if GrantedWrite.delegable[mutation.name] == .teacher, mutation.arguments["teacherId"].map({ $0 != .null }) == true {
                    given.append("teacherId")
                }
                if mutation.name == "fileQueueApplication", let input = mutation.arguments.object("input") {
                    for name in ["applicant", "portalNumber"] where input[name].map({ $0 != .null }) == true { given.append("input.\(name)") }
                }
                guard let name = given.first else { continue }
                AuditRecord.current?.update(decides: true) { event in
                    event.outcome = .invalid
                    event.errorCodes = ["BAD_USER_INPUT"]
                }
                return GraphQLController.respond(.ok, media, [GraphQLErrorBody(
                    code: "BAD_USER_INPUT", message: "\(name) is given only by an integration client, for the person it acts for", path: [mutation.key])],
                    data: "null")
            }
        }
        return nil
    }

    /// Writes one mutation field of `client` on behalf of the person it names.
    func write(_ mutation: MutationField, for client: ClientPrincipal, actingAs: ActingAs, on connection: PostgresConnection,
               logger: Logger) async throws -> ClientWrite {
        guard case .client(let token, _) = actingAs, let person = GrantedWrite.delegable[mutation.name],
              client.writes.contains(where: { $0.mutation == mutation.name }) else {
            throw Refused(key: mutation.key, code: "FORBIDDEN", message: "the grant does not name \(mutation.name)")
        }
        let policy = Policy.acting(for: person, of: client)
        let readBack = Policy.of(client)
        return try await self.refusing(mutation) {
            switch person {
            case .teacher:
                guard let staff = try mutation.arguments.id("teacherId") else {
                    throw Refused(key: mutation.key, code: "BAD_USER_INPUT", message: "teacherId is required: the staff id of the lesson's teacher the client writes for")
                }
                try await self.act(mutation, token: token, staff: staff, on: connection, logger: logger)
                let (root, outcome) = try await self.writeJournal(mutation, policy: policy, readPolicy: readBack, actingAs: actingAs,
                                                                  on: connection, logger: logger)
                return ClientWrite(root: root, learnerIDs: outcome.learnerIDs, rows: outcome.rows)
            case .applicant:
                let writer = RuleWriter(policy: policy, connection: connection, logger: logger)
                var guardian: Int?
                var application: Int?
                if mutation.name == "fileQueueApplication" {
                    let input = try Self.input(mutation.arguments)
                    let number = try RuleWriter.portalNumber(input)
                    try await self.act(mutation, token: token, on: connection, logger: logger)
                    if let filed = try await writer.portalApplication(number: number) {
                        // The portal's retry: the application it filed under this number, once, for its applicant.
                        try await self.act(mutation, token: token, application: filed, on: connection, logger: logger)
                        AuditRecord.current?.update { $0.detail["portalRetry"] = number }
                        let written = Written(type: "QueueApplication", table: .queueApplications, ids: [filed], many: false, learnerIDs: [], rows: 0)
                        return ClientWrite(root: try self.engine.result(of: mutation, written: written, policy: readBack, actingAs: actingAs),
                                           learnerIDs: [], rows: 0)
                    }
                    guardian = try await writer.portalApplicant(input)
                } else {
                    guard let id = try mutation.arguments.id("applicationId") else {
                        throw Refused(key: mutation.key, code: "BAD_USER_INPUT", message: "applicationId is required")
                    }
                    application = id
                }
                try await self.act(mutation, token: token, guardian: guardian, application: application, on: connection, logger: logger)
                let written = try await writer.perform(mutation)
                return ClientWrite(root: try self.engine.result(of: mutation, written: written, policy: readBack, actingAs: actingAs),
                                   learnerIDs: written.learnerIDs, rows: written.rows)
            }
        }
    }

    /// Asks the database to let the client act for a person (`eduql.act_for`), which sets that
    /// person's tenancy for the rest of the transaction; refuses the field when it will not.
    func act(_ mutation: MutationField, token: Data, staff: Int? = nil, guardian: Int? = nil, application: Int? = nil,
             on connection: PostgresConnection, logger: Logger) async throws {
        let row = try await connection.guardedQuery("""
            SELECT x.refusal, eduql.current_id('staff_id'), eduql.current_id('guardian_id')
            FROM (SELECT eduql.act_for(\(token), \(mutation.name), \(staff), \(guardian), \(application)) AS refusal OFFSET 0) AS x
            """, logger: logger).collect().first
        guard let (refusal, staffID, guardianID) = try row?.decode((String?, Int?, Int?).self) else { throw QueryError.unauthenticated }
        let target = staff != nil ? "teacher \(staff!)" : application.map { "application \($0)" } ?? "applicant"
        switch refusal {
        case nil:
            let person = staffID.map { "staff:\($0)" } ?? guardianID.map { "guardian:\($0)" }
            if let person {
                AuditRecord.current?.update { event in
                    let before = event.detail["onBehalfOf"].map { $0 + "," } ?? ""
                    if !before.contains(person) { event.detail["onBehalfOf"] = before + person }
                }
            }
        case "unauthenticated"?: throw QueryError.unauthenticated
        case "not_granted"?: throw Refused(key: mutation.key, code: "FORBIDDEN", message: "the grant does not name \(mutation.name)")
        case "outside_grant"?:
            throw Refused(key: mutation.key, code: "FORBIDDEN", message: "\(mutation.name): the \(target) is outside the grant's reach")
        default:
            throw Refused(key: mutation.key, code: "BAD_USER_INPUT", message: "\(mutation.name): no such \(target) in the region")
        }
    }
}
