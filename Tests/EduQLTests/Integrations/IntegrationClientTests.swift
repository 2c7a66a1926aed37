import EduQLAccessControl
import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// The life of an integration client: a region admin creates it (its secret shown once),
/// grants it a scope, documents and fields, rotates its secret and revokes it; the client signs
/// in, syncs deltas by its trusted documents, and can run nothing its grant does not name.
@Suite("Integration clients", .timeLimit(.minutes(3)))
struct IntegrationClientTests {
    let logger = Logger(label: "eduql-tests")

    static let create = """
        mutation($input: CreateIntegrationClientInput!) { createIntegrationClient(input: $input) { clientSecret client { id clientId name revokedAt } } }
        """
    static let grant = """
        mutation($input: GrantAccessInput!) {
          grantAccess(input: $input) { id organizationIds documentIds fields ratePerSecond burst expiresAt }
        }
        """

    /// `POST /auth/token` with client credentials.
    func token(_ api: TestAPI, _ clientID: String, _ secret: String) async throws -> TestAPI.Reply {
        try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials", headers: [
            .authorization: "Basic " + Data("\(clientID):\(secret)".utf8).base64EncodedString(),
            .contentType: "application/x-www-form-urlencoded",
        ])
    }

    @Test("created and granted by a region admin, a client syncs deltas by its trusted documents within its grant, and nothing else")
    func lifecycle() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let school = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("""
                SELECT ra.organization_id::int FROM eduql.role_assignments ra JOIN eduql.users u ON u.id = ra.user_id
                WHERE u.login = 'school.admin' AND ra.role = 'school_admin'
                """, as: Int.self)
        }
        let sync = try ConsumerDocuments.id("integration/changes-sync.graphql")
        let roster = try ConsumerDocuments.id("integration/roster-export.graphql")
        try await TestAPI.run(database) { api in
            let admin = try await api.demoToken("region.admin")
            let created = try await api.graphql(Self.create, variables: ["input": ["clientId": "analytics-vendor", "name": "ООО «Аналитика»"]], token: admin)
            let credentials = try #require(created.data?["createIntegrationClient"] as? [String: Any], "\(created.text)")
            let secret = try #require(credentials["clientSecret"] as? String)
            let clientID = try #require(credentials.at("client.id") as? String)
            #expect(secret.count >= 32)
            #expect(credentials.at("client.clientId") as? String == "analytics-vendor")
            // Kept only as an Argon2id hash; a second client with the same id is refused.
            let stored = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT secret_hash FROM eduql.integration_clients WHERE client_id = 'analytics-vendor'", as: String.self)
            }
            #expect(stored.hasPrefix("$argon2id$") && !stored.contains(secret))
            #expect(try PasswordHasher().verify(secret, against: stored))
            let again = try await api.graphql(Self.create, variables: ["input": ["clientId": "analytics-vendor", "name": "x"]], token: admin)
            #expect(again.errorCodes == ["BAD_USER_INPUT"])
            // No grant yet: no token.
            #expect(try await self.token(api, "analytics-vendor", secret).status == .unauthorized)

            let fields = ["Learner.id", "Learner.lastName", "Learner.firstName", "Learner.middleName", "Learner.organization", "Learner.class",
                          "Organization.id", "Organization.shortName", "Class.id", "Class.name",
                          "Mark.id", "Mark.value", "Mark.kind", "Mark.givenOn"]
            let granted = try await api.graphql(Self.grant, variables: ["input": [
                "clientId": clientID, "organizationIds": [String(school)], "documentIds": [sync, roster], "fields": fields,
                "ratePerSecond": 20, "burst": 40, "expiresAt": "2028-06-01T00:00:00Z",
            ]], token: admin)
            let grant = try #require(granted.data?["grantAccess"] as? [String: Any], "\(granted.text)")
            #expect(grant["documentIds"] as? [String] == [sync, roster])
            #expect(grant["organizationIds"] as? [String] == [String(school)])
            #expect(grant["burst"] as? Int == 40)

            // The client signs in and syncs: a full export from the horizon read first, then deltas.
            let issued = try await self.token(api, "analytics-vendor", secret)
            let token = try #require(issued["access_token"] as? String, "\(issued.text)")
            let first = try await api.graphql(documentID: sync, variables: ["first": 0], token: token)
            let horizon = try #require(first.data?.at("changes.horizon") as? String, "\(first.text)")
            let (mark, learner) = try await database.owner.withConnection(logger: self.logger) { connection in
                let mark = try await ChangeFeedTests.insertMark(school, value: 5, on: connection)
                _ = try await ChangeFeedTests.insertMark(school == 1 ? 2 : 1, value: 5, on: connection)
                let learner = try await connection.scalar("""
                    UPDATE eduql.learners SET last_name = last_name WHERE id = (SELECT min(id) FROM eduql.learners WHERE organization_id = \(school))
                    RETURNING id::int
                    """, as: Int.self)
                return (mark, learner)
            }
            let delta = try await api.graphql(documentID: sync, variables: ["after": horizon], token: token)
            let changes = try #require(delta.data?.at("changes.changes") as? [[String: Any]], "\(delta.text)")
            #expect(changes.map { "\($0["type"] as? String ?? "") \($0["id"] as? String ?? "")" } == ["MARK \(mark)", "LEARNER \(learner)"])
            #expect(changes.first?.at("mark.value") as? Int == 5)
            // The roster of its one school, by id; any text, or another trusted document, is refused.
            let rows = try await api.graphql(documentID: roster, variables: ["first": 100], token: token)
            let count = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT count(*)::int FROM eduql.learners WHERE organization_id = \(school)", as: Int.self)
            }
            #expect(rows.data?.at("learners.totalCount") as? Int == count, "\(rows.text)")
            #expect(try await api.graphql("{ me { name } }", token: token).errorCodes == ["PERSISTED_QUERY_REQUIRED"])
            #expect(try await api.graphql(documentID: try ConsumerDocuments.id("parent/diary-week.graphql"), token: token).errorCodes == ["FORBIDDEN"])

            // The region admin lists its clients and their grants; no secret is readable.
            let listed = try await api.graphql("{ integrationClients { clientId grants { id documentIds } } }", token: admin)
            let clients = try #require(listed.data?["integrationClients"] as? [[String: Any]], "\(listed.text)")
            #expect(clients.contains { $0["clientId"] as? String == "analytics-vendor" && ($0["grants"] as? [Any])?.count == 1 })
            #expect(try await api.graphql("{ integrationClients { secret } }", token: admin).errorCodes == ["GRAPHQL_VALIDATION_FAILED"])

            // Rotation: a new secret, shown once; the old secret and the old token stop working.
            let rotated = try await api.graphql("mutation($id: ID!) { rotateClientSecret(clientId: $id) { clientSecret } }",
                                                variables: ["id": clientID], token: admin)
            let fresh = try #require(rotated.data?.at("rotateClientSecret.clientSecret") as? String, "\(rotated.text)")
            #expect(fresh != secret)
            #expect(try await self.token(api, "analytics-vendor", secret).status == .unauthorized)
            #expect(try await api.graphql(documentID: sync, token: token).status == .unauthorized)
            let renewed = try #require(try await self.token(api, "analytics-vendor", fresh)["access_token"] as? String)
            #expect(try await api.graphql(documentID: sync, token: renewed).status == .ok)

            // Revocation ends it at once.
            let revoked = try await api.graphql("mutation($id: ID!) { revokeClient(clientId: $id) { revokedAt } }", variables: ["id": clientID], token: admin)
            #expect(revoked.data?.at("revokeClient.revokedAt") is String, "\(revoked.text)")
            #expect(try await api.graphql(documentID: sync, token: renewed).status == .unauthorized)
            #expect(try await self.token(api, "analytics-vendor", fresh).status == .unauthorized)
        }
    }

    @Test("only a region admin administers clients, and a grant names only what exists and may be given")
    func refusals() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            for login in ["mouo.admin", "school.admin", "teacher", "parent"] {
                let reply = try await api.graphql(Self.create, variables: ["input": ["clientId": "sneaky", "name": "x"]],
                                                  token: try await api.demoToken(login))
                #expect(reply.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(login): \(reply.text)")
            }
            let admin = try await api.demoToken("region.admin")
            #expect(try await api.graphql(Self.create, variables: ["input": ["clientId": "X", "name": "x"]], token: admin).errorCodes == ["BAD_USER_INPUT"])
            let client = try await api.graphql(Self.create, variables: ["input": ["clientId": "portal.mo", "name": "Портал"]], token: admin)
            let id = try #require(client.data?.at("createIntegrationClient.client.id") as? String, "\(client.text)")
            let otherRegion = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT min(id)::int FROM eduql.organizations WHERE region_id <> 1", as: Int?.self)
            }
            var bad: [[String: Any]] = [
                ["documentIds": ["sha256:" + String(repeating: "0", count: 64)]],
                ["documentIds": ["integration/roster-export.graphql"]],
                ["fields": ["Learner.snils"]],
                ["fields": ["Learner.nothing"]],
                ["fields": ["Query.learners"]],
                ["fields": ["Learner.id"], "expiresAt": "2020-01-01T00:00:00Z"],
                ["fields": ["Learner.id"], "ratePerSecond": 5],
                ["fields": []],
            ]
            if let otherRegion { bad.append(["fields": ["Learner.id"], "organizationIds": [String(otherRegion)]]) }
            for input in bad {
                var full: [String: Any] = ["clientId": id, "expiresAt": "2028-06-01T00:00:00Z"]
                full.merge(input) { _, new in new }
                let reply = try await api.graphql(Self.grant, variables: ["input": full], token: admin)
                #expect(reply.errorCodes == ["BAD_USER_INPUT"], "\(input): \(reply.text)")
            }
            // Every shape of DateTime the schema takes is an expiry: a fraction, an offset, lower case.
            for expiry in ["2028-06-01T00:00:00.250Z", "2028-06-01T03:00:00+03:00", "2028-06-01t00:00:00z", "2028-06-01T00:00:00.5-01:30"] {
                let reply = try await api.graphql(Self.grant, variables: ["input": ["clientId": id, "fields": ["Learner.id"], "expiresAt": expiry]],
                                                  token: admin)
                #expect(reply.errorCodes.isEmpty, "\(expiry): \(reply.text)")
            }
            let grants = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT count(*)::int FROM eduql.integration_grants g JOIN eduql.integration_clients c ON c.id = g.client_id WHERE c.client_id = 'portal.mo'", as: Int.self)
            }
            #expect(grants == 4, "only the four valid grants")
        }
    }
}
