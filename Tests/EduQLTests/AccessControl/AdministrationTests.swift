@testable import EduQLAccessControl
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// Delegated administration: each admin acts only inside its scope and grants only below its
/// level; every act, done or refused, is audited.
@Suite("Delegated administration", .timeLimit(.minutes(3)))
struct AdministrationTests {
    let logger = Logger(label: "eduql-tests")
    let request = RequestInfo(requestID: "test", clientIP: "127.0.0.1", userAgent: "tests")

    /// Runs `body` with the administration service over the server role's pool.
    func withAdministration<T: Sendable>(_ database: ClusterConnections, _ body: @Sendable (AccountAdministration) async throws -> T) async throws -> T {
        let pool = PostgresClient(configuration: database.server.clientConfiguration, backgroundLogger: self.logger)
        let hashing = HashingPool(hasher: PasswordHasher(configuration: .init(parameters: .init(memoryKiB: 1024, iterations: 1, parallelism: 1))))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await pool.run(); return nil }
            defer { group.cancelAll() }
            return try await body(AccountAdministration(database: pool, hashing: hashing, logger: self.logger))
        }
    }

    /// The principal of a demo login acting in its first role.
    func principal(_ login: String, _ database: ClusterConnections) async throws -> UserPrincipal {
        try await database.owner.withConnection(logger: self.logger) { connection in
            let row = try await connection.query("""
                SELECT u.id, a.id, a.role, a.region_id, a.municipality_id, a.organization_id, a.class_id, u.staff_id, u.guardian_id, u.learner_id
                FROM eduql.users u JOIN eduql.role_assignments a ON a.user_id = u.id AND a.revoked_at IS NULL
                WHERE u.login = \(login) ORDER BY a.id LIMIT 1
                """, logger: self.logger).collect().first!
            let (user, assignment, role, region, municipality, organization, classID, staff, guardian, learner) =
                try row.decode((Int, Int, String, Int, Int?, Int?, Int?, Int?, Int?, Int?).self)
            return UserPrincipal(sessionID: 0, userID: user, login: login, assignmentID: assignment, role: Role(rawValue: role)!,
                                 scope: Scope(regionID: region, municipalityID: municipality, organizationID: organization, classID: classID),
                                 staffID: staff, guardianID: guardian, learnerID: learner, mustChangePassword: false)
        }
    }

    func scalar<T: PostgresDecodable & Sendable>(_ database: ClusterConnections, _ sql: PostgresQuery, as type: T.Type) async throws -> T {
        try await database.owner.withConnection(logger: self.logger) { try await $0.scalar(sql, as: T.self) }
    }

    func expectRefused(_ body: () async throws -> Void, _ comment: Comment) async {
        let error = await #expect(throws: AccountAdministration.Failure.self, comment) { try await body() }
        #expect(error != nil)
    }

    @Test("a region admin creates municipal admins of its region only, never another region admin")
    func regionAdmin() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let admin = try await self.principal("region.admin", database)
        try await self.withAdministration(database) { administration in
            let created = try await administration.createUser(by: admin, login: "Cherepovets.Admin", displayName: "МОУО Череповца", person: nil,
                                                              role: .mouoAdmin, scope: Scope(regionID: 1, municipalityID: 2), request: self.request)
            #expect(created.temporaryPassword.count == 16)
            await self.expectRefused({
                _ = try await administration.createUser(by: admin, login: "tver.admin", displayName: "x", person: nil, role: .mouoAdmin,
                                                        scope: Scope(regionID: 2, municipalityID: 4), request: self.request)
            }, "another region")
            await self.expectRefused({
                _ = try await administration.createUser(by: admin, login: "second.region.admin", displayName: "x", person: nil, role: .regionAdmin,
                                                        scope: Scope(regionID: 1), request: self.request)
            }, "not below its own level")
        }
        let stored = try await self.scalar(database, "SELECT password_hash FROM eduql.users WHERE login = 'cherepovets.admin' AND must_change_password", as: String.self)
        #expect(stored.hasPrefix("$argon2id$"))
        #expect(try await self.scalar(database, "SELECT count(*) FROM eduql.users WHERE login IN ('tver.admin', 'second.region.admin')", as: Int.self) == 0)
    }

    @Test("a municipal admin creates school admins of its municipality only")
    func municipalAdmin() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let admin = try await self.principal("mouo.admin", database)
        try await self.withAdministration(database) { administration in
            _ = try await administration.createUser(by: admin, login: "school2.admin", displayName: "x", person: nil, role: .schoolAdmin,
                                                    scope: Scope(regionID: 1, organizationID: 2), request: self.request)
            await self.expectRefused({
                _ = try await administration.createUser(by: admin, login: "school4.admin", displayName: "x", person: nil, role: .schoolAdmin,
                                                        scope: Scope(regionID: 1, organizationID: 4), request: self.request)
            }, "an organization of another municipality")
            await self.expectRefused({
                _ = try await administration.createUser(by: admin, login: "a.teacher", displayName: "x", person: .staff(112), role: .teacher,
                                                        scope: Scope(regionID: 1, organizationID: 1), request: self.request)
            }, "teachers are the school's to create")
            await self.expectRefused({
                _ = try await administration.createUser(by: admin, login: "another.mouo", displayName: "x", person: nil, role: .mouoAdmin,
                                                        scope: Scope(regionID: 1, municipalityID: 1), request: self.request)
            }, "not its own level")
        }
    }

    @Test("a school admin creates teachers, students and parents of its own school only")
    func schoolAdmin() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let admin = try await self.principal("school.admin", database)
        let ownLearner = try await self.scalar(database, "SELECT min(id) FROM eduql.learners WHERE organization_id = 1 AND id NOT IN (SELECT learner_id FROM eduql.users WHERE learner_id IS NOT NULL)", as: Int.self)
        let otherLearner = try await self.scalar(database, "SELECT min(id) FROM eduql.learners WHERE organization_id = 2", as: Int.self)
        let ownGuardian = try await self.scalar(database, "SELECT min(g.guardian_id) FROM eduql.guardian_learners g JOIN eduql.learners l ON l.id = g.learner_id WHERE l.organization_id = 1", as: Int.self)
        let otherGuardian = try await self.scalar(database, """
            SELECT min(g.guardian_id) FROM eduql.guardian_learners g JOIN eduql.learners l ON l.id = g.learner_id WHERE l.organization_id = 2
            AND NOT EXISTS (SELECT 1 FROM eduql.guardian_learners o JOIN eduql.learners ol ON ol.id = o.learner_id WHERE o.guardian_id = g.guardian_id AND ol.organization_id = 1)
            """, as: Int.self)
        try await self.withAdministration(database) { administration in
            _ = try await administration.createUser(by: admin, login: "physics.teacher", displayName: "x", person: .staff(112), role: .teacher,
                                                    scope: Scope(regionID: 1, organizationID: 1), request: self.request)
            _ = try await administration.createUser(by: admin, login: "new.student", displayName: "x", person: .learner(ownLearner), role: .student,
                                                    scope: Scope(regionID: 1, organizationID: 1), request: self.request)
            _ = try await administration.createUser(by: admin, login: "new.parent", displayName: "x", person: .guardian(ownGuardian), role: .parent,
                                                    scope: Scope(regionID: 1), request: self.request)
            _ = try await administration.createUser(by: admin, login: "homeroom.5a", displayName: "x", person: .staff(108), role: .homeroomTeacher,
                                                    scope: Scope(regionID: 1, classID: 21), request: self.request)
            await self.expectRefused({
                _ = try await administration.createUser(by: admin, login: "foreign.teacher", displayName: "x", person: .staff(212), role: .teacher,
                                                        scope: Scope(regionID: 1, organizationID: 1), request: self.request)
            }, "an employee of another school")
            await self.expectRefused({
                _ = try await administration.createUser(by: admin, login: "foreign.teacher2", displayName: "x", person: .staff(212), role: .teacher,
                                                        scope: Scope(regionID: 1, organizationID: 2), request: self.request)
            }, "a teacher at another school")
            await self.expectRefused({
                _ = try await administration.createUser(by: admin, login: "foreign.student", displayName: "x", person: .learner(otherLearner), role: .student,
                                                        scope: Scope(regionID: 1, organizationID: 1), request: self.request)
            }, "a learner of another school")
            await self.expectRefused({
                _ = try await administration.createUser(by: admin, login: "foreign.parent", displayName: "x", person: .guardian(otherGuardian), role: .parent,
                                                        scope: Scope(regionID: 1), request: self.request)
            }, "a parent only of children in another school")
            await self.expectRefused({
                _ = try await administration.createUser(by: admin, login: "second.school.admin", displayName: "x", person: nil, role: .schoolAdmin,
                                                        scope: Scope(regionID: 1, organizationID: 1), request: self.request)
            }, "not its own level")
        }
        let created = try await self.scalar(database, "SELECT count(*) FROM eduql.users WHERE login LIKE 'foreign.%' OR login = 'second.school.admin'", as: Int.self)
        #expect(created == 0)
        let refused = try await self.scalar(database, "SELECT count(*) FROM eduql.audit_events WHERE kind = 'admin' AND outcome = 'denied'", as: Int.self)
        #expect(refused == 5)
        let done = try await self.scalar(database, "SELECT count(*) FROM eduql.audit_events WHERE kind = 'admin' AND outcome = 'ok' AND action = 'create_user'", as: Int.self)
        #expect(done == 4)
    }

    @Test("teachers, parents and students administer nothing")
    func nonAdmins() async throws {
        let database = try await TestCluster.shared.database(.demo)
        for login in ["teacher", "homeroom", "parent", "student"] {
            let actor = try await self.principal(login, database)
            try await self.withAdministration(database) { administration in
                await self.expectRefused({
                    _ = try await administration.createUser(by: actor, login: "made.by.\(login)", displayName: "x", person: .staff(112), role: .teacher,
                                                            scope: Scope(regionID: 1, organizationID: 1), request: self.request)
                }, "\(login)")
                await self.expectRefused({
                    _ = try await administration.resetPassword(by: actor, userID: actor.userID, request: self.request)
                }, "\(login) resets")
            }
        }
    }

    @Test("resetting, disabling and revoking reach only accounts whose every role the admin could grant")
    func administerAccounts() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let admin = try await self.principal("school.admin", database)
        let teacher = try await self.principal("teacher", database)
        let homeroom = try await self.principal("homeroom", database)
        let regionAdmin = try await self.principal("region.admin", database)
        let mouo = try await self.principal("mouo.admin", database)
        try await self.withAdministration(database) { administration in
            let reset = try await administration.resetPassword(by: admin, userID: teacher.userID, request: self.request)
            #expect(reset.userID == teacher.userID)
            try await administration.setDisabled(true, by: admin, userID: teacher.userID, request: self.request)
            try await administration.setDisabled(false, by: admin, userID: teacher.userID, request: self.request)
            try await administration.revokeRole(by: admin, assignmentID: homeroom.assignmentID, request: self.request)
            await self.expectRefused({ _ = try await administration.resetPassword(by: admin, userID: regionAdmin.userID, request: self.request) }, "region admin")
            await self.expectRefused({ try await administration.setDisabled(true, by: admin, userID: mouo.userID, request: self.request) }, "MOUO admin")
            await self.expectRefused({ try await administration.revokeRole(by: admin, assignmentID: regionAdmin.assignmentID, request: self.request) }, "region role")
        }
        let state = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("SELECT must_change_password, disabled_at IS NULL FROM eduql.users WHERE login = 'teacher'", logger: self.logger)
                .collect().first!.decode((Bool, Bool).self)
        }
        #expect(state == (true, true))
        let revoked = try await self.scalar(database, "SELECT revoked_at IS NOT NULL FROM eduql.role_assignments WHERE id = \(homeroom.assignmentID)", as: Bool.self)
        #expect(revoked)
    }

    @Test("an account with a role outside the admin's reach cannot be reset by it")
    func partialReachIsNoReach() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let admin = try await self.principal("school.admin", database)
        let regionAdmin = try await self.principal("region.admin", database)
        let teacher = try await self.principal("teacher", database)
        try await database.owner.withConnection(logger: self.logger) { connection in
            // The same account also administers school 2.
            try await connection.execute("INSERT INTO eduql.role_assignments (region_id, municipality_id, organization_id, user_id, role) VALUES (1, 1, 2, \(teacher.userID), 'school_admin')")
        }
        try await self.withAdministration(database) { administration in
            await self.expectRefused({ _ = try await administration.resetPassword(by: admin, userID: teacher.userID, request: self.request) },
                                     "the account is also school 2's admin")
            _ = try await administration.resetPassword(by: regionAdmin, userID: teacher.userID, request: self.request)
        }
    }

    @Test("only a region admin rotates or revokes an integration client's secret; the old secret stops working")
    func clientSecrets() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let regionAdmin = try await self.principal("region.admin", database)
        let schoolAdmin = try await self.principal("school.admin", database)
        let old = try await TestCluster.shared.password(of: "diary-vendor")
        let clientID = try await self.scalar(database, "SELECT id FROM eduql.integration_clients WHERE client_id = 'diary-vendor'", as: Int.self)
        let secret = try await self.withAdministration(database) { administration in
            await self.expectRefused({ _ = try await administration.rotateClientSecret(by: schoolAdmin, clientID: clientID, request: self.request) }, "school admin")
            return try await administration.rotateClientSecret(by: regionAdmin, clientID: clientID, request: self.request)
        }
        let stored = try await self.scalar(database, "SELECT secret_hash FROM eduql.integration_clients WHERE id = \(clientID)", as: String.self)
        #expect(try PasswordHasher().verify(secret, against: stored))
        #expect(try !PasswordHasher().verify(old, against: stored))
    }

    @Test("eduql admin bootstrap creates a region's first admin with a temporary password")
    func bootstrap() async throws {
        let database = try await TestCluster.shared.database(.demo)
        func url(_ settings: ConnectionSettings) -> String {
            "postgres://\(settings.username):\(settings.password ?? "")@\(settings.host):\(settings.port)/\(settings.database)"
        }
        let output = try Subprocess.run("/usr/bin/env", ["DATABASE_URL=\(url(database.server))", "EDUQL_OWNER_DATABASE_URL=\(url(database.owner))",
                                                         "LOG_LEVEL=error", ServeProcessTests.executable, "admin", "bootstrap", "--region", "2", "--login", "tver.admin"]).output
        let password = try #require(output.split(separator: "\n").first { $0.hasPrefix("temporary password: ") }?.dropFirst(20))
        let (hash, mustChange, role) = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                SELECT u.password_hash, u.must_change_password, a.role FROM eduql.users u JOIN eduql.role_assignments a ON a.user_id = u.id
                WHERE u.login = 'tver.admin' AND u.region_id = 2
                """, logger: self.logger).collect().first!.decode((String, Bool, String).self)
        }
        #expect(try PasswordHasher().verify(String(password), against: hash))
        #expect(mustChange)
        #expect(role == "region_admin")
        let again = try Subprocess.run("/usr/bin/env", ["DATABASE_URL=\(url(database.server))", "EDUQL_OWNER_DATABASE_URL=\(url(database.owner))",
                                                        ServeProcessTests.executable, "admin", "bootstrap", "--region", "2", "--login", "tver.admin"],
                                       allowedStatuses: [0, 1])
        #expect(again.status != 0, "a taken login is refused")
    }
}
