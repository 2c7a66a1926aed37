import EduQLFederation
@testable import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// Sign-in through ЕСИА's profile, against an ЕСИА-shaped provider on loopback
/// (Tests/Fixtures/esia_provider.py: the v2 authorization and v3 token endpoints, which check the
/// signed `client_secret`, `timestamp`, UUID `state` and `client_certificate_hash`; ID tokens without
/// `kid` and with a numeric `sub`; `/rs/prns/{oid}`; the logout with `redirect_url`). The GOST
/// signer is faked by Tests/Fixtures/esia_signer.py behind the same command interface a region's
/// CryptoPro sits behind.
@Suite("ЕСИА sign-in", .serialized, .timeLimit(.minutes(5)))
struct ESIASignInTests {
    let logger = Logger(label: "eduql-tests")
    static let clientID = "EDUQL"
    static let certificateHash = String(repeating: "ab12", count: 16)

    /// An ЕСИА fake with its own signer key, and its current certificate.
    struct ESIA {
        let server: FixtureServer
        let signerKey: String

        init() throws {
            self.signerKey = "signer-\(UUID().uuidString)"
            self.server = try FixtureServer(script: "esia_provider.py", arguments: [ESIASignInTests.clientID, self.signerKey, ESIASignInTests.certificateHash])
        }

        func certificate() async throws -> String { try await self.server.state()["certificate"] as? String ?? "" }
    }

    /// The register's parent (guardian) the tests sign in as, as ЕСИА would hold them.
    struct Parent {
        var snils: String
        var lastName: String
        var child: Int
        /// The person at ЕСИА, confirmed, with the register's SNILS, name and birth date.
        var person: [String: Any] { ["firstName": "Анна", "lastName": self.lastName.uppercased(), "birthDate": "14.03.1985", "trusted": true, "snils": self.snils] }
    }

    func configure(_ esia: ESIA, certificates: [String], signer: ESIAProfile.Signer? = nil, timeout: Duration = .seconds(5)) -> (inout ServerConfiguration) -> Void {
        let profile = ESIAProfile(base: esia.server.base, certificates: certificates, clientCertificateHash: Self.certificateHash,
                                  signer: signer ?? .command(["/usr/bin/env", "python3", FixtureServer.fixture("esia_signer.py"), esia.signerKey]))
        return { server in
            server.federation.providers = [.esia(id: "esia", region: "35", clientID: Self.clientID, profile: profile)]
            server.federation.client.timeout = timeout
        }
    }

    /// A demo database whose parent has a birth date in the register; and a teacher whose staff record has SNILS, name and birth date.
    func setUp() async throws -> (ClusterConnections, Parent) {
        let database = try await TestCluster.shared.database(.demo)
        let parent = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.execute("""
                UPDATE eduql.guardians SET birth_date = DATE '1985-03-14' WHERE id = (SELECT guardian_id FROM eduql.users WHERE login = 'parent')
                """)
            try await connection.execute("""
                UPDATE eduql.staff SET snils = '800-000-001 73', birth_date = DATE '1979-06-01'
                WHERE id = (SELECT staff_id FROM eduql.users WHERE login = 'teacher')
                """)
            let (snils, lastName) = try await connection.query("""
                SELECT g.snils, g.last_name FROM eduql.users u JOIN eduql.guardians g ON g.id = u.guardian_id WHERE u.login = 'parent'
                """, logger: self.logger).collect().first!.decode((String, String).self)
            let child = try await connection.scalar("""
                SELECT gl.learner_id FROM eduql.users u JOIN eduql.guardian_learners gl ON gl.guardian_id = u.guardian_id
                WHERE u.login = 'parent' ORDER BY gl.learner_id LIMIT 1
                """, as: Int.self)
            return Parent(snils: snils, lastName: lastName, child: child)
        }
        return (database, parent)
    }

    /// One sign-in as `oid`, the browser's way: start, ЕСИА's authorization, callback.
    func signIn(_ api: TestAPI, _ esia: ESIA, oid: Int, forge: String? = nil, token: String? = nil) async throws -> TestAPI.Reply {
        try await esia.server.control(forge.map { ["next": oid, "forge": $0] } ?? ["next": oid])
        let start = try await api.request(.get, "/auth/federated/esia/start?returnTo=%2Fdiary", token: token)
        guard start.status == .found, let location = start.headers[.location] else { return start }
        let cookie = start.headers[values: .setCookie].first { $0.hasPrefix("eduql_federated_state=") }?.split(separator: ";").first.map(String.init)
        guard let back = try await esia.server.authorize(location) else {
            Issue.record("ЕСИА refused the authorization request: \(try await esia.server.state()["last_rejection"] ?? "")")
            return start
        }
        return try await api.request(.get, back.path + "?" + (back.percentEncodedQuery ?? ""), headers: cookie.map { [.cookie: $0] } ?? [:])
    }

    func sessions(_ database: ClusterConnections, of login: String) async throws -> Int {
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("SELECT count(*)::int FROM eduql.sessions s JOIN eduql.users u ON u.id = s.user_id WHERE u.login = \(login)", as: Int.self)
        }
    }

    func events(_ database: ClusterConnections) async throws -> [String] {
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("""
                SELECT outcome || ':' || coalesce(error_codes[1], '-') || ':' || coalesce(login, '-') || ':' || coalesce(detail->>'linked', '-')
                FROM eduql.audit_events WHERE action IN ('federated_login', 'federated_link') ORDER BY seq
                """, as: String.self)
        }
    }

    @Test("a parent signs in through ЕСИА — signed client_secret, numeric sub, no kid — matched by confirmed SNILS, last name and birth date, and reads the diary")
    func parent() async throws {
        let (database, parent) = try await self.setUp()
        let esia = try ESIA()
        defer { esia.server.stop() }
        try await esia.server.control(["people": ["1000404446": parent.person]])
        let certificate = try await esia.certificate()
        try await TestAPI.run(database, configure: self.configure(esia, certificates: [certificate])) { api in
            let reply = try await self.signIn(api, esia, oid: 1_000_404_446)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply["role"] as? String == "parent")
            #expect(reply["returnTo"] as? String == "/diary")
            let token = try #require(reply["token"] as? String)
            // ЕСИА's fake accepted the token request only with the signature of its parameters and code.
            let seen = try #require(try await esia.server.state()["last_token_request"] as? [String: Any])
            #expect(seen["client_certificate_hash"] as? String == Self.certificateHash)
            #expect(seen["grant_type"] as? String == "authorization_code" && seen["token_type"] as? String == "Bearer")
            #expect((seen["scope"] as? String)?.split(separator: " ").contains("snils") == true)
            let week = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar("""
                    SELECT to_char(min(l.held_on), 'YYYY-MM-DD') FROM eduql.lessons l JOIN eduql.enrollments e ON e.class_id = l.class_id
                    WHERE e.learner_id = \(parent.child) AND e.status = 'active'
                    """, as: String.self)
            }
            let diary = try await api.graphql(try ConsumerDocuments.text("parent/diary-week.graphql"),
                                              variables: ["learnerId": String(parent.child), "from": week, "to": week], token: token)
            #expect(diary.data?.at("diary.learner.id") as? String == String(parent.child), "\(diary.text)")
            // The next sign-in finds the link by (issuer, oid); a token with a kid or without a nonce is ЕСИА's too.
            for forge in ["with_kid", "no_nonce"] {
                #expect(try await self.signIn(api, esia, oid: 1_000_404_446, forge: forge).status == .ok, "\(forge)")
            }
        }
        let links = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("SELECT issuer || ' ' || subject || ' ' || linked_how FROM eduql.federated_identities", as: String.self)
        }
        #expect(links == ["http://esia.gosuslugi.ru/ 1000404446 verified_attribute"])
        #expect(try await self.events(database) == ["ok:-:parent:verified_attribute", "ok:-:parent:-", "ok:-:parent:-"])
    }

    @Test("forged ЕСИА tokens, an unconfirmed account and a person whose name or birth date differ get no session, each with its audit event")
    func refusals() async throws {
        let (database, parent) = try await self.setUp()
        let esia = try ESIA()
        defer { esia.server.stop() }
        var unconfirmed = parent.person
        unconfirmed["trusted"] = false
        var otherName = parent.person
        otherName["lastName"] = "Другова"
        var otherBirth = parent.person
        otherBirth["birthDate"] = "15.03.1985"
        var noBirth = parent.person
        noBirth["birthDate"] = nil
        try await esia.server.control(["people": ["1": parent.person, "2": unconfirmed, "3": otherName, "4": otherBirth, "5": noBirth]])
        let forgeries = ["none", "hmac", "bad_signature", "other_key", "wrong_iss", "wrong_aud", "expired", "wrong_nonce", "organization"]
        try await TestAPI.run(database, configure: self.configure(esia, certificates: [try await esia.certificate()])) { api in
            for forgery in forgeries {
                let reply = try await self.signIn(api, esia, oid: 1, forge: forgery)
                #expect(reply.status == .unauthorized && reply.code == "INVALID_ID_TOKEN", "\(forgery): \(reply.text)")
            }
            for oid in 2...5 {
                let reply = try await self.signIn(api, esia, oid: oid)
                #expect(reply.status == .forbidden && reply.code == "NOT_IN_REGISTER", "\(oid): \(reply.text)")
            }
            #expect(try await self.sessions(database, of: "parent") == 0)
            // The untouched token of the same person signs in: the refusals above were the defects'.
            #expect(try await self.signIn(api, esia, oid: 1).status == .ok)
        }
        let events = try await self.events(database)
        #expect(events.filter { $0.hasPrefix("denied:INVALID_ID_TOKEN") }.count == forgeries.count, "\(events)")
        #expect(events.filter { $0.hasPrefix("denied:NOT_IN_REGISTER") }.count == 4, "\(events)")
        let identities = try await database.owner.withConnection(logger: self.logger) { try await $0.scalar("SELECT count(*)::int FROM eduql.federated_identities", as: Int.self) }
        #expect(identities == 1)
    }

    @Test("ЕСИА's yearly certificate rotation is configuration: a token under the new key is refused until its certificate is configured beside the old one")
    func certificateRotation() async throws {
        let (database, parent) = try await self.setUp()
        let esia = try ESIA()
        defer { esia.server.stop() }
        try await esia.server.control(["people": ["7": parent.person]])
        let old = try await esia.certificate()
        try await esia.server.control(["rotate": true])
        let new = try await esia.certificate()
        #expect(old != new)
        try await TestAPI.run(database, configure: self.configure(esia, certificates: [old])) { api in
            let reply = try await self.signIn(api, esia, oid: 7)
            #expect(reply.status == .unauthorized && reply.code == "INVALID_ID_TOKEN", "\(reply.text)")
        }
        try await TestAPI.run(database, configure: self.configure(esia, certificates: [old, new])) { api in
            let reply = try await self.signIn(api, esia, oid: 7)
            #expect(reply.status == .ok, "\(reply.text)")
        }
    }

    @Test("the signer as a local HTTP service signs too; a signer that fails or hangs stops the sign-in at once, audited")
    func signers() async throws {
        let (database, parent) = try await self.setUp()
        let esia = try ESIA()
        defer { esia.server.stop() }
        try await esia.server.control(["people": ["8": parent.person]])
        let certificate = try await esia.certificate()
        try await TestAPI.run(database, configure: self.configure(esia, certificates: [certificate], signer: .url(esia.server.base + "/sign"))) { api in
            let reply = try await self.signIn(api, esia, oid: 8)
            #expect(reply.status == .ok, "\(reply.text)")
        }
        let failing: [ESIAProfile.Signer] = [.command(["/usr/bin/env", "python3", FixtureServer.fixture("esia_signer.py"), "--fail"]),
                                             .command(["/usr/bin/env", "python3", FixtureServer.fixture("esia_signer.py"), "--hang"]),
                                             .command(["/nonexistent/signer"]), .url("http://127.0.0.1:9/sign")]
        for signer in failing {
            try await TestAPI.run(database, configure: self.configure(esia, certificates: [certificate], signer: signer, timeout: .seconds(1))) { api in
                let start = try await api.request(.get, "/auth/federated/esia/start?returnTo=%2F")
                #expect(start.status == .badGateway && start.code == "SIGNER_FAILED", "\(signer): \(start.text)")
                #expect(start.headers[.location] == nil && start.headers[.setCookie] == nil)
            }
        }
        let refused = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("SELECT count(*)::int FROM eduql.audit_events WHERE action = 'federated_login' AND error_codes[1] = 'SIGNER_FAILED'", as: Int.self)
        }
        #expect(refused == failing.count)
    }

    @Test("signing out ends the EduQL session and sends the browser to ЕСИА's logout with redirect_url")
    func logout() async throws {
        let (database, parent) = try await self.setUp()
        let esia = try ESIA()
        defer { esia.server.stop() }
        try await esia.server.control(["people": ["9": parent.person]])
        try await TestAPI.run(database, configure: self.configure(esia, certificates: [try await esia.certificate()])) { api in
            let token = try #require(try await self.signIn(api, esia, oid: 9)["token"] as? String)
            #expect(try await api.request(.post, "/auth/federated/esia/logout?returnTo=%2F%2Fevil.example", token: token).code == "BAD_RETURN")
            #expect(try await api.request(.post, "/auth/federated/esia/logout?returnTo=%2Fbye").status == .unauthorized)
            let out = try await api.request(.post, "/auth/federated/esia/logout?returnTo=%2Fbye", token: token)
            #expect(out.status == .ok, "\(out.text)")
            #expect(try await api.request(.get, "/auth/session", token: token).status == .unauthorized)
            let url = try #require(out["providerLogoutUrl"] as? String)
            let items = URLComponents(string: url)?.queryItems ?? []
            #expect(url.hasPrefix(esia.server.base + "/idp/ext/Logout?"))
            #expect(items.first { $0.name == "client_id" }?.value == Self.clientID)
            let back = try #require(items.first { $0.name == "redirect_url" }?.value)
            #expect(back.hasSuffix("/bye") && back.hasPrefix("http://127.0.0.1:"))
            // ЕСИА ends its own session and sends the browser back there.
            #expect(try await esia.server.authorize(url)?.string == back)
        }
    }

    @Test("a teacher's ЕСИА identity links only with an administrator's approval (or a password session), once; a parent cannot approve")
    func administratorApproval() async throws {
        let (database, _) = try await self.setUp()
        let esia = try ESIA()
        defer { esia.server.stop() }
        let (teacherID, lastName) = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                SELECT u.id, s.last_name FROM eduql.users u JOIN eduql.staff s ON s.id = u.staff_id WHERE u.login = 'teacher'
                """, logger: self.logger).collect().first!.decode((Int, String).self)
        }
        let teacher: [String: Any] = ["lastName": lastName, "birthDate": "01.06.1979", "trusted": true, "snils": "800-000-001 73"]
        try await esia.server.control(["people": ["20": teacher, "21": teacher]])
        let approve = "mutation { approveFederatedLink(userId: \"\(teacherID)\", provider: \"esia\") { id login } }"
        try await TestAPI.run(database, configure: self.configure(esia, certificates: [try await esia.certificate()])) { api in
            let alone = try await self.signIn(api, esia, oid: 20)
            #expect(alone.status == .forbidden && alone.code == "LINK_NEEDS_PASSWORD_SESSION", "\(alone.text)")
            let byParent = try await api.graphql(approve, token: try await api.demoToken("parent"))
            #expect(byParent.data?.at("approveFederatedLink") == nil, "\(byParent.text)")
            #expect(try await self.signIn(api, esia, oid: 20).code == "LINK_NEEDS_PASSWORD_SESSION")
            let approved = try await api.graphql(approve, token: try await api.demoToken("school.admin"))
            #expect(approved.data?.at("approveFederatedLink.login") as? String == "teacher", "\(approved.text)")
            let linked = try await self.signIn(api, esia, oid: 20)
            #expect(linked.status == .ok && linked["role"] as? String == "teacher", "\(linked.text)")
            // Once: the approval is used, and the account has its ЕСИА link.
            #expect(try await self.signIn(api, esia, oid: 21).code == "LINK_NEEDS_PASSWORD_SESSION")
            #expect(try await self.signIn(api, esia, oid: 20).status == .ok)
            let again = try await api.graphql(approve, token: try await api.demoToken("school.admin"))
            #expect(again.data?.at("approveFederatedLink") == nil, "the account is linked already: \(again.text)")
        }
        let (how, by) = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                SELECT f.linked_how, b.login FROM eduql.federated_identities f JOIN eduql.users b ON b.id = f.linked_by WHERE f.user_id = \(teacherID)
                """, logger: self.logger).collect().first!.decode((String, String).self)
        }
        #expect(how == "administrator" && by == "school.admin")
        let approvals = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("SELECT outcome || ':' || coalesce(login, '-') FROM eduql.audit_events WHERE action = 'approve_federated_link' ORDER BY seq", as: String.self)
        }
        #expect(approvals.first == "ok:school.admin" && approvals.count == 2, "the approval, and the refused second one: \(approvals)")
    }

    @Test("client_secret is the signer's signature of client_id + scope + timestamp + state + redirect_uri, base64url (a fake signer in the process)")
    func clientSecretMessage() async throws {
        struct Recorder: ClientSecretSigner {
            let seen: LockedBox
            func sign(_ message: Data) async throws -> Data {
                self.seen.set(String(decoding: message, as: UTF8.self))
                return Data([0xFB, 0xFF, 0x00, 0x01])
            }
        }
        let seen = LockedBox()
        let profile = ESIAProfile(base: "https://esia-portal1.test.gosuslugi.ru", certificates: [], clientCertificateHash: Self.certificateHash,
                                  signer: .url("http://127.0.0.1:1/unused"))
        let client = ProviderClient(provider: .esia(id: "esia", region: "35", clientID: Self.clientID, profile: profile), signer: Recorder(seen: seen))
        let state = client.newState()
        #expect(UUID(uuidString: state) != nil)
        let url = try await client.authorizationURL(redirectURI: "https://eduql.example/auth/federated/esia/callback", state: state, nonce: "n-1",
                                                    pkce: .generate())
        let items = Dictionary(uniqueKeysWithValues: (URLComponents(string: url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(url.hasPrefix("https://esia-portal1.test.gosuslugi.ru/aas/oauth2/v2/ac?"))
        #expect(items["client_secret"] == "-_8AAQ")
        let timestamp = try #require(items["timestamp"])
        #expect(timestamp.range(of: #"^\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2} \+0000$"#, options: .regularExpression) != nil)
        #expect(seen.value == Self.clientID + "openid fullname birthdate snils" + timestamp + state + "https://eduql.example/auth/federated/esia/callback")
        #expect(items["client_certificate_hash"] == Self.certificateHash && items["access_type"] == "online" && items["code_challenge"] == nil)
    }
}

/// A value one task sets and another reads.
final class LockedBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    var value: String? { self.lock.withLock { self.stored } }
    func set(_ value: String) { self.lock.withLock { self.stored = value } }
}
