@testable import EduQLAccessControl
import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

@Suite("Several roles and integration clients", .timeLimit(.minutes(3)))
struct RolesAndClientsTests {
    let logger = Logger(label: "eduql-tests")

    /// Makes the demo teacher also a parent of a child in another school.
    func teacherWhoIsAParent() async throws -> ClusterConnections {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.execute("""
                UPDATE eduql.users SET guardian_id = (
                    SELECT g.guardian_id FROM eduql.guardian_learners g JOIN eduql.learners l ON l.id = g.learner_id
                    WHERE l.organization_id = 2 ORDER BY g.guardian_id LIMIT 1)
                WHERE login = 'teacher'
                """)
            try await connection.execute("""
                INSERT INTO eduql.role_assignments (region_id, user_id, role) SELECT region_id, id, 'parent' FROM eduql.users WHERE login = 'teacher'
                """)
        }
        return database
    }

    @Test("a person with two roles names one at sign-in; without a name there is no default")
    func chooseAtSignIn() async throws {
        let database = try await self.teacherWhoIsAParent()
        let password = try await TestCluster.shared.password(of: "teacher")
        try await TestAPI.run(database) { api in
            let unnamed = try await api.login("teacher", password)
            #expect(unnamed.status == .badRequest)
            #expect(unnamed.code == "ROLE_REQUIRED")
            #expect((unnamed["roles"] as? [[String: Any]])?.compactMap { $0["role"] as? String }.sorted() == ["parent", "teacher"])

            let asParent = try await api.login("teacher", password, role: "parent")
            #expect(asParent["role"] as? String == "parent")
            #expect((asParent["scope"] as? [String: Any])?["kind"] as? String == "region")
            let notHeld = try await api.login("teacher", password, role: "region_admin")
            #expect(notHeld.status == .forbidden)
            #expect(notHeld.code == "ROLE_NOT_HELD")
        }
    }

    @Test("X-EduQL-Role switches between the person's roles, never merging their scopes or person links")
    func switchByHeader() async throws {
        let database = try await self.teacherWhoIsAParent()
        let password = try await TestCluster.shared.password(of: "teacher")
        try await TestAPI.run(database) { api in
            let token = try await api.token("teacher", password, role: "teacher")
            let teacher = try await api.session(token)
            #expect(teacher["role"] as? String == "teacher")
            #expect((teacher["scope"] as? [String: Any])?["kind"] as? String == "organization")
            #expect(teacher["staffId"] is Int)
            #expect(teacher["guardianId"] == nil, "acting as teacher lends nothing of the parent")

            let parent = try await api.session(token, role: "parent")
            #expect(parent["role"] as? String == "parent")
            #expect((parent["scope"] as? [String: Any])?["kind"] as? String == "region")
            #expect(parent["guardianId"] is Int)
            #expect(parent["staffId"] == nil, "acting as parent lends nothing of the teacher")

            let foreign = try await api.session(token, role: "school_admin")
            #expect(foreign.status == .forbidden)
            #expect(foreign.code == "ROLE_NOT_HELD")
            let otherPersonsAssignment = try await api.session(token, role: "1")
            #expect(otherPersonsAssignment.status == .forbidden)
        }
    }

    @Test("the session's tenancy settings are those of the role acted in, never a union")
    func tenancyFollowsTheRole() async throws {
        let database = try await self.teacherWhoIsAParent()
        let password = try await TestCluster.shared.password(of: "teacher")
        let token = try await TestAPI.run(database) { api in try await api.token("teacher", password, role: "teacher") }
        let hash = try #require(BearerToken(presented: token)).sha256
        try await database.server.withConnection(logger: self.logger) { connection in
            for (role, organization, visibleOrganizations) in [("teacher", "1", 1), ("parent", "", 9)] {
                try await connection.execute("BEGIN")
                let status = try await connection.scalar("SELECT status FROM eduql.session_principal(\(hash), \(role), interval '30 minutes')", as: String.self)
                #expect(status == "ok")
                let setting = try await connection.scalar("SELECT current_setting('eduql.organization_id')", as: String.self)
                #expect(setting == organization, "\(role)")
                let count = try await connection.scalar("SELECT count(*) FROM eduql.organizations", as: Int.self)
                #expect(count == visibleOrganizations, "\(role) sees \(count) organizations")
                try await connection.execute("COMMIT")
            }
        }
    }

    @Test("client credentials give a bearer token under the grant; bad secrets, grant types and revoked clients do not")
    func clientCredentials() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let secret = try await TestCluster.shared.password(of: "diary-vendor")
        @Sendable func basic(_ id: String, _ secret: String) -> HTTPFields {
            [.authorization: "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString(), .contentType: "application/x-www-form-urlencoded"]
        }
        try await TestAPI.run(database) { api in
            let issued = try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials", headers: basic("diary-vendor", secret))
            #expect(issued.status == .ok)
            #expect(issued["token_type"] as? String == "Bearer")
            #expect((issued["expires_in"] as? Int).map { (1...3600).contains($0) } == true)
            let token = try #require(issued["access_token"] as? String)
            #expect(token.hasPrefix("eduql_c_"))
            let principal = try await api.session(token)
            #expect(principal["kind"] as? String == "client")
            #expect(principal["role"] as? String == "integration")

            let wrong = try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials", headers: basic("diary-vendor", secret + "x"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong["error"] as? String == "invalid_client")
            #expect(wrong.headers[.wwwAuthenticate] != nil)
            let unknown = try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials", headers: basic("nobody", secret))
            #expect(unknown.text == wrong.text)
            let password = try await api.request(.post, "/auth/token", raw: "grant_type=password", headers: basic("diary-vendor", secret))
            #expect(password["error"] as? String == "unsupported_grant_type")
            let anonymous = try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials")
            #expect(anonymous.status == .unauthorized)

            // A user's session token is not a client token, and the other way round.
            #expect(try await api.request(.post, "/auth/logout", token: token).status == .unauthorized)

            let second = try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials", headers: basic("diary-vendor", secret))
            let expiring = try #require(second["access_token"] as? String)
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute("UPDATE eduql.integration_tokens SET expires_at = now() - interval '1 second' WHERE token_sha256 = \(BearerToken(presented: expiring)!.sha256)")
            }
            #expect(try await api.session(expiring).status == .unauthorized, "an expired client token")
            #expect(try await api.session(token).status == .ok, "the other token lives on")

            try await database.owner.withConnection(logger: self.logger) { try await $0.execute("UPDATE eduql.integration_grants SET expires_at = now() - interval '1 second'") }
            #expect(try await api.session(token).status == .unauthorized, "an expired grant ends its tokens")
            let noGrant = try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials", headers: basic("diary-vendor", secret))
            #expect(noGrant.status == .unauthorized)

            try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.execute("UPDATE eduql.integration_grants SET expires_at = now() + interval '1 day'")
                try await connection.execute("UPDATE eduql.integration_clients SET revoked_at = now()")
            }
            let revoked = try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials", headers: basic("diary-vendor", secret))
            #expect(revoked.status == .unauthorized)
        }
        let events = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("SELECT outcome || ':' || coalesce(error_codes[1], '') FROM eduql.audit_events WHERE action = 'client_token' ORDER BY seq", as: String.self)
        }
        #expect(events.first == "ok:")
        #expect(events.contains("denied:WRONG_SECRET") && events.contains("denied:UNKNOWN_CLIENT") && events.contains("denied:CLIENT_REVOKED"))
        #expect(events.contains("denied:NO_LIVE_GRANT"))
    }
}
