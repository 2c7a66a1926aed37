import EduQLAccessControl
import EduQLAudit
import EduQLResolvers
import EduQLSchema
import GraphQL
import Hummingbird
import Logging
import PostgresNIO

/// Runs the mutation fields of one operation in one transaction on one connection, in order —
/// account administration through ``AccountAdministration`` (which checks the grant rules),
/// journal writes through the policy's write rules (``JournalWrite``) — then reads each
/// result back on that connection under the caller's read policy, and stages the request's
/// audit event (what was written: learners, rows) in the same transaction: every field takes
/// effect with its audit record, or nothing does.
struct MutationExecutor {
    let database: PostgresClient
    let administration: AccountAdministration
    let engine: GraphQLEngine
    /// Statements prepared per connection (the readers' too): journal writes and read-backs.
    let statements: PreparedStatements
    /// The buckets of the grants' per-mutation rates.
    let buckets: TokenBuckets
    /// Replicas whose reads for this principal must first replay what it wrote.
    var replicas: ReplicaSet? = nil

    /// A field refused, with its response key, error code and message.
    struct Refused: Error {
        var key: String
        var code: String
        var message: String
    }

    /// Database errors that mean the input broke a constraint.
    static let inputStates: [PostgresError.Code] = [.checkViolation, .foreignKeyViolation, .uniqueViolation, .notNullViolation]

    /// Mutation fields whose answer carries a password or secret shown once: never kept for a
    /// retry with the same Idempotency-Key (a retry is refused by the login or client id taken).
    static let oneTimeSecrets: Set<String> = ["createUser", "resetPassword", "createIntegrationClient", "rotateClientSecret"]

    /// Mutation fields that write the journal.
    static let journalFields: Set<String> = ["recordMarks", "recordAttendance", "setLessonTopic", "setHomework"]

    func run(_ plan: OperationPlan, principal: Principal, actingAs: ActingAs, media: GraphQLMediaType, request: RequestInfo,
             retry: IdempotentRetry? = nil, console: (secure: Bool, used: Bool) = (false, false), logger: Logger) async throws -> Response {
        let policy = principal.policy
        if let refused = self.refuseBeforeWriting(plan, principal: principal, media: media) { return refused }
        let retry = plan.mutations.contains { Self.oneTimeSecrets.contains($0.name) } ? nil : retry
        let data: String
        let replayed: Bool
        do {
            (data, replayed) = try await self.database.auditedTransaction(logger: logger) { connection in
                // The principal may come from a cache: the database checks the session again (and
                // sets the tenancy row-level security checks writes against), so a revoked role or
                // session changes nothing from its next request on.
                let holds = try await connection.guardedQuery(actingAs.check, logger: logger).collect().first?.decode(Bool.self)
                guard holds == true else { throw QueryError.unauthenticated }
                if let retry, let answer = try await retry.claim(on: connection, logger: logger) {
                    AuditRecord.current?.update { $0.rowCount = 0 }
                    return (answer, true)
                }
                var roots: [OperationPlan.Root] = []
                var learners: Set<Int> = []
                var count = 0
                for mutation in plan.mutations {
                    if case .client(let client) = principal {
                        // An integration writes only on behalf of the person its mutation names.
                        let written = try await self.write(mutation, for: client, actingAs: actingAs, on: connection, logger: logger)
                        roots.append(written.root)
                        learners.formUnion(written.learnerIDs)
                        count += written.rows
                    } else if RuleWriter.fields.contains(mutation.name) {
                        let written = try await self.refusing(mutation) {
                            try await RuleWriter(policy: policy, connection: connection, logger: logger).perform(mutation)
                        }
                        roots.append(try self.engine.result(of: mutation, written: written, policy: policy, actingAs: actingAs))
                        learners.formUnion(written.learnerIDs)
                        count += written.rows
                    } else if Self.journalFields.contains(mutation.name) {
                        let (root, outcome) = try await self.writeJournal(mutation, policy: policy, actingAs: actingAs, on: connection, logger: logger)
                        roots.append(root)
                        learners.formUnion(outcome.learnerIDs)
                        count += outcome.rows
                    } else if case .user(let actor) = principal {
                        do {
                            let result = try await self.perform(mutation, by: actor, request: request, on: connection)
                            roots.append(try self.engine.result(of: mutation, id: result.id, temporaryPassword: result.password, policy: policy,
                                                                actingAs: actingAs))
                        } catch let failure as AccountAdministration.Failure {
                            throw Refused(key: mutation.key, failure: failure)
                        }
                    }
                }
                // Read back on this connection, inside the transaction: what the caller may read of what it wrote.
                var done = plan
                done.roots = roots
                let result = try await QueryRunner.run(done, on: connection, statements: self.statements, logger: logger)
                learners.formUnion(result.learnerIDs)
                AuditRecord.current?.update { event in
                    event.learnerIDs = learners.sorted()
                    event.rowCount = count
                }
                try await retry?.keep(result.data, on: connection, logger: logger)
                return (result.data, false)
            }
        } catch IdempotentRetry.Refusal.reused {
            AuditRecord.current?.update(decides: true) { event in
                event.outcome = .invalid
                event.errorCodes = ["BAD_REQUEST"]
            }
            return GraphQLController.respond(.unprocessableContent, media, [GraphQLErrorBody(
                code: "BAD_REQUEST", message: "This Idempotency-Key was used for another request in the last 24 hours.")])
        } catch let refused as Refused {
            // Nothing took effect: the operation's transaction rolled back.
            AuditRecord.current?.update(decides: true) { event in
                event.outcome = refused.code == "FORBIDDEN" ? .denied : .invalid
                event.errorCodes = [refused.code]
            }
            return GraphQLController.respond(.ok, media, [GraphQLErrorBody(code: refused.code, message: refused.message, path: [refused.key])],
                                             data: "null")
        }
        // Its reads go to a replica only once that replica has replayed this write (when the
        // position cannot be read, to the primary for the window); the answer names the
        // position for reads through other processes (``ReadAfterWrite``).
        var response = GraphQLController.respond(.ok, media, data: data)
        if let replicas = self.replicas, !replayed {
            let position = (try? await ReplicaSet.position(of: self.database, logger: logger)) ?? .max
            replicas.wrote(principal.readerKey, lsn: position)
            if position != .max {
                ReadAfterWrite.name(position, in: &response, console: console.used, secure: console.secure,
                                    lasting: Int(replicas.configuration.readYourWrites.components.seconds))
            }
        }
        if replayed { response.headers[IdempotentRetry.replayedHeader] = "true" }
        return response
    }

    /// Writes one journal mutation on the operation's connection; its read-back statement and
    /// what it wrote.
    func writeJournal(_ mutation: MutationField, policy: Policy, readPolicy: Policy? = nil, actingAs: ActingAs, on connection: PostgresConnection,
                      logger: Logger) async throws -> (OperationPlan.Root, JournalWrite.Outcome) {
        try await self.refusing(mutation) {
            let write = try self.engine.journalWrite(mutation, policy: policy)
            let row = try await self.statements.rows(of: write.statement, on: connection, logger: logger).first
            guard let row else { throw QueryError.unauthenticated }
            let outcome = try write.outcome(of: row)
            return (try self.engine.result(of: mutation, wrote: outcome, by: write, policy: readPolicy ?? policy, actingAs: actingAs), outcome)
        }
    }

    /// Runs the writes of one field, turning a write rule's refusal, a broken constraint and a
    /// row outside the tenancy into the field's error.
    func refusing<T>(_ mutation: MutationField, _ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch let refusal as WriteRefusal {
            throw Refused(key: mutation.key, code: refusal.code, message: refusal.message)
        } catch let error where sqlState(of: error) == .organizationClosed {
            throw Refused(key: mutation.key, code: "BAD_USER_INPUT", message: "\(mutation.name): the organization is closed; its records are read-only")
        } catch let error where Self.inputStates.contains(sqlState(of: error) ?? .successfulCompletion) {
            // A row the database's own constraints refuse, whatever the rule let through.
            throw Refused(key: mutation.key, code: "BAD_USER_INPUT", message: "\(mutation.name): the input breaks a rule of the records (\(Self.constraint(of: error)))")
        } catch let error where sqlState(of: error) == .insufficientPrivilege {
            // Row-level security refused a row outside the caller's tenancy.
            throw Refused(key: mutation.key, code: "FORBIDDEN", message: "\(mutation.name): a row is outside your tenancy")
        }
    }

    /// The name of the constraint a database error broke, as PostgreSQL reports it.
    static func constraint(of error: any Error) -> String {
        let error = (error as? PostgresTransactionError)?.closureError ?? error
        if case .server(let message) = error as? PostgresError {
            // A prepared statement's failure (PostgresNIO's older interface).
            return message.fields[.constraintName] ?? message.fields[.message] ?? "a constraint"
        }
        let info = (error as? PSQLError)?.serverInfo
        return info?[.constraintName] ?? info?[.message] ?? "a constraint"
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
        case "createIntegrationClient":
            let input = try Self.input(arguments)
            let created = try await self.administration.createClient(by: actor, clientID: input["clientId"]?.text ?? "",
                                                                     name: input["name"]?.text ?? "", request: request, on: connection)
            return (created.id, created.secret)
        case "grantAccess":
            let input = try Self.input(arguments)
            let grant = try self.grant(input, key: mutation.key)
            let id = try await self.administration.grantAccess(by: actor, clientID: try input.id("clientId") ?? 0, grant, request: request,
                                                               on: connection)
            return (id, nil)
        case "rotateClientSecret":
            let id = try arguments.id("clientId") ?? 0
            return (id, try await self.administration.rotateClientSecret(by: actor, clientID: id, request: request, on: connection))
        case "revokeClient":
            let id = try arguments.id("clientId") ?? 0
            try await self.administration.revokeClient(by: actor, clientID: id, request: request, on: connection)
            return (id, nil)
        case "unlinkFederatedIdentity":
            let id = try arguments.id("userId") ?? 0
            try await self.administration.unlinkFederatedIdentity(by: actor, userID: id, provider: arguments["provider"]?.text ?? "",
                                                                  request: request, on: connection)
            return (id, nil)
        case "approveFederatedLink":
            let id = try arguments.id("userId") ?? 0
            try await self.administration.approveFederatedLink(by: actor, userID: id, provider: arguments["provider"]?.text ?? "",
                                                               request: request, on: connection)
            return (id, nil)
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

extension MutationExecutor.Refused {
    /// An administration refusal, as the error the caller gets.
    init(key: String, failure: AccountAdministration.Failure) {
        self.key = key
        switch failure {
        case .forbidden(let text): (self.code, self.message) = ("FORBIDDEN", text)
        case .notFound(let text): (self.code, self.message) = ("BAD_USER_INPUT", "not found: \(text)")
        case .invalid(let text): (self.code, self.message) = ("BAD_USER_INPUT", text)
        }
    }
}
