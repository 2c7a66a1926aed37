import EduQLAudit
import EduQLSchema
import Logging
import PostgresNIO

extension AccountAdministration {
    /// Runs an administrative act under the actor's tenancy and audits it: done (`ok`) inside
    /// the transaction, refused (`denied`/`invalid`) after its rollback. The act runs in the
    /// caller's transaction on `connection` when one is given (a mutation operation runs all its
    /// acts in one), else in a transaction of its own.
    func act<Result: Sendable>(
        _ actor: UserPrincipal, _ action: String, _ request: RequestInfo, detail: [String: String],
        on connection: PostgresConnection?,
        _ body: @escaping @Sendable (PostgresConnection, inout SecurityEvent) async throws -> Result
    ) async throws -> Result {
        var event = SecurityEvent(.admin, action, .ok, request: request).about(actor)
        event.detail = detail
        do {
            guard GrantRules.grantable[actor.role] != nil else { throw Failure.forbidden("\(actor.role.rawValue) administers no accounts") }
            guard !actor.mustChangePassword else { throw Failure.forbidden("change the temporary password first") }
            let started = event
            let run: @Sendable (PostgresConnection) async throws -> Result = { connection in
                try await connection.setTenancy(region: actor.scope.regionID, municipality: actor.scope.municipalityID,
                                                organization: actor.scope.organizationID, logger: self.logger)
                var event = started
                let result = try await body(connection, &event)
                try await event.record(on: connection, logger: self.logger)
                return result
            }
            if let connection { return try await run(connection) }
            return try await self.database.auditedTransaction(logger: self.logger) { try await run($0) }
        } catch let failure as Failure {
            event.outcome = if case .invalid = failure { .invalid } else { .denied }
            event.errorCodes = [failure.code]
            try await event.record(on: self.database, logger: self.logger)
            throw failure
        }
    }

    /// Completes `scope` from the data the actor can see (an organization's municipality, a
    /// class's organization), then checks the grant rules and the person's fit.
    func checkGrant(_ actor: UserPrincipal, _ role: Role, _ requested: Scope, person: Person?, on connection: PostgresConnection) async throws -> Scope {
        let scope = try await self.checkReach(actor, role, requested, person: person, on: connection)
        switch (role, person) {
        case (.student, .learner(let learner)):
            guard try await self.organization(of: "learners", learner, on: connection) == scope.organizationID else {
                throw Failure.forbidden("the learner is not of that organization")
            }
        case (.student, _):
            throw Failure.invalid("a student account needs a learner")
        case (.teacher, .staff(let staff)), (.homeroomTeacher, .staff(let staff)), (.schoolAdmin, .staff(let staff)):
            guard try await self.organization(of: "staff", staff, on: connection) == scope.organizationID else {
                throw Failure.forbidden("the employee is not of that organization")
            }
        case (.teacher, _), (.homeroomTeacher, _):
            throw Failure.invalid("a teacher account needs an employee")
        default:
            break
        }
        return scope
    }

    /// Whether `role` at `requested` lies within what the actor may grant: the level and scope
    /// rules, and for a parent, a child inside the actor's scope.
    func checkReach(_ actor: UserPrincipal, _ role: Role, _ requested: Scope, person: Person?, on connection: PostgresConnection) async throws -> Scope {
        let scope = try await self.complete(requested, actor: actor, on: connection)
        guard GrantRules.allows(actor, toGrant: role, at: scope) else {
            throw Failure.forbidden("\(actor.role.rawValue) may not grant \(role.rawValue) at \(scope.kind) \(scope.id)")
        }
        switch (role, person) {
        case (.parent, .guardian(let guardian)):
            // Row-level security shows only the learners inside the actor's scope.
            let children = try await connection.guardedQuery("""
                SELECT count(*) FROM eduql.guardian_learners g JOIN eduql.learners l ON l.id = g.learner_id WHERE g.guardian_id = \(guardian)
                """, logger: self.logger).collect().first!.decode(Int.self)
            guard children > 0 else { throw Failure.forbidden("the guardian has no child inside the actor's scope") }
        case (.parent, _):
            throw Failure.invalid("a parent account needs a guardian")
        default:
            break
        }
        return scope
    }

    /// Whether the actor may administer the account: it is in the actor's region, holds at
    /// least one role, and every role it holds is one the actor may grant there.
    func checkGoverns(_ actor: UserPrincipal, _ userID: Int, on connection: PostgresConnection) async throws {
        // All the account's roles count, also those outside the actor's narrower scope.
        try await connection.setTenancy(region: actor.scope.regionID, logger: self.logger)
        let rows = try await connection.guardedQuery("""
            SELECT role, region_id, municipality_id, organization_id, class_id FROM eduql.role_assignments
            WHERE user_id = \(userID) AND revoked_at IS NULL
            """, logger: self.logger).collect()
        try await connection.setTenancy(region: actor.scope.regionID, municipality: actor.scope.municipalityID,
                                        organization: actor.scope.organizationID, logger: self.logger)
        guard !rows.isEmpty else { throw Failure.forbidden("the account holds no role the actor administers") }
        for row in rows {
            let (role, region, municipality, organization, classID) = try row.decode((String, Int, Int?, Int?, Int?).self)
            guard let role = Role(rawValue: role) else { throw Failure.forbidden("unknown role") }
            let person = try await self.person(of: userID, for: role, on: connection)
            _ = try await self.checkReach(actor, role, Scope(regionID: region, municipalityID: municipality, organizationID: organization, classID: classID),
                                          person: person, on: connection)
        }
    }

    /// The person the account acts as in `role`: its guardian for a parent role, its learner
    /// for a student role, its employee for staff roles.
    func person(of userID: Int, for role: Role, on connection: PostgresConnection) async throws -> Person? {
        let rows = try await connection.guardedQuery("SELECT staff_id, guardian_id, learner_id FROM eduql.users WHERE id = \(userID)", logger: self.logger).collect()
        guard let (staff, guardian, learner) = try rows.first?.decode((Int?, Int?, Int?).self) else { throw Failure.notFound("user \(userID)") }
        switch role {
        case .parent: return guardian.map(Person.guardian)
        case .student: return learner.map(Person.learner)
        case .teacher, .homeroomTeacher, .schoolAdmin: return staff.map(Person.staff)
        case .regionAdmin, .mouoAdmin: return staff.map(Person.staff)
        }
    }

    @discardableResult
    func insertAssignment(userID: Int, role: Role, scope: Scope, by actor: UserPrincipal, on connection: PostgresConnection) async throws -> Int {
        do {
            return try await connection.guardedQuery("""
                INSERT INTO eduql.role_assignments (region_id, municipality_id, organization_id, class_id, user_id, role, granted_by)
                VALUES (\(scope.regionID), \(scope.municipalityID), \(scope.organizationID), \(scope.classID), \(userID), \(role.rawValue), \(actor.userID))
                RETURNING id
                """, logger: self.logger).collect().first!.decode(Int.self)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw Failure.invalid("the account already holds that role there")
        }
    }

    private func complete(_ requested: Scope, actor: UserPrincipal, on connection: PostgresConnection) async throws -> Scope {
        var scope = Scope(regionID: actor.scope.regionID)
        guard requested.regionID == actor.scope.regionID else { throw Failure.forbidden("another region") }
        if let classID = requested.classID {
            let rows = try await connection.guardedQuery("SELECT organization_id, municipality_id FROM eduql.classes WHERE id = \(classID)", logger: self.logger).collect()
            guard let (organization, municipality) = try rows.first?.decode((Int, Int).self) else { throw Failure.notFound("class \(classID)") }
            guard requested.organizationID == nil || requested.organizationID == organization else { throw Failure.invalid("the class is of another organization") }
            scope.classID = classID
            scope.organizationID = organization
            scope.municipalityID = municipality
        } else if let organizationID = requested.organizationID {
            let rows = try await connection.guardedQuery("SELECT municipality_id FROM eduql.organizations WHERE id = \(organizationID)", logger: self.logger).collect()
            guard let municipality = try rows.first?.decode(Int.self) else { throw Failure.notFound("organization \(organizationID)") }
            scope.organizationID = organizationID
            scope.municipalityID = municipality
        } else if let municipalityID = requested.municipalityID {
            let rows = try await connection.guardedQuery("SELECT id FROM eduql.municipalities WHERE id = \(municipalityID)", logger: self.logger).collect()
            guard !rows.isEmpty else { throw Failure.notFound("municipality \(municipalityID)") }
            scope.municipalityID = municipalityID
        }
        guard requested.municipalityID == nil || requested.municipalityID == scope.municipalityID else {
            throw Failure.invalid("the organization is of another municipality")
        }
        return scope
    }

    private func organization(of table: String, _ id: Int, on connection: PostgresConnection) async throws -> Int? {
        let rows = try await connection.guardedQuery(PostgresQuery(unsafeSQL: "SELECT organization_id FROM eduql.\(table) WHERE id = $1", binds: {
            var binds = PostgresBindings()
            binds.append(id)
            return binds
        }()), logger: self.logger).collect()
        return try rows.first?.decode(Int.self)
    }
}

extension AccountAdministration.Failure {
    /// The machine-readable code clients and the audit log see.
    public var code: String {
        switch self {
        case .forbidden: "FORBIDDEN"
        case .notFound: "NOT_FOUND"
        case .invalid: "BAD_USER_INPUT"
        }
    }
}
