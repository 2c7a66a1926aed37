import EduQLFederation
@testable import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// Sign-in through a real OpenID provider on loopback (Tests/Fixtures/oidc_provider.py: PKCE
/// enforced, RS256 tokens from its JWKS): a parent whose SNILS is in the register signs in with
/// no password and reads the diary; staff link only from a password session; every forged token,
/// replayed code, wrong state, open redirect and stranger is refused with its audit event and no
/// session; the provider's back-channel logout ends the session.
@Suite("Federated sign-in", .serialized, .timeLimit(.minutes(5)))
struct FederatedSignInTests {
    let logger = Logger(label: "eduql-tests")

    /// A browser's way through one sign-in: the start, the provider, the callback.
    struct Attempt {
        var start: TestAPI.Reply
        var callback: String?
        var cookie: String?
        var reply: TestAPI.Reply?
    }

    func configure(_ provider: OIDCProvider) -> (inout ServerConfiguration) -> Void {
        { server in
            server.federation.providers = [IdentityProvider(id: "test", region: "35", issuer: provider.issuer, clientID: provider.clientID,
                                                            clientSecret: provider.clientSecret, snilsClaim: "snils")]
            server.federation.client.keyRefetchInterval = .milliseconds(500)
        }
    }

    /// Signs `subject` in at the provider, as a browser would, and brings its answer to EduQL's callback.
    func signIn(_ api: TestAPI, _ provider: OIDCProvider, _ subject: String, token: String? = nil, returnTo: String = "/diary") async throws -> Attempt {
        let query = "returnTo=\(returnTo.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&loginHint=\(subject)"
        let start = try await api.request(.get, "/auth/federated/test/start?\(query)", token: token)
        var attempt = Attempt(start: start)
        guard start.status == .found, let location = start.headers[.location] else { return attempt }
        attempt.cookie = start.headers[values: .setCookie].first { $0.hasPrefix("eduql_federated_state=") }
            .flatMap { $0.split(separator: ";").first.map(String.init) }
        let back = try #require(try await provider.authorize(location))
        attempt.callback = back.path + "?" + (back.percentEncodedQuery ?? "")
        attempt.reply = try await api.request(.get, attempt.callback!, headers: attempt.cookie.map { [.cookie: $0] } ?? [:])
        return attempt
    }

    /// The register's people the tests sign in as.
    struct People {
        var parent: String
        var child: Int
        var teacher: String
        var admin: String
    }

    /// A demo database, its people, and a provider on loopback that knows `users` (claims by subject).
    func setUp(_ users: (People) -> [String: [String: String]]) async throws -> (ClusterConnections, People, OIDCProvider) {
        let database = try await TestCluster.shared.database(.demo)
        let people = try await self.people(database)
        let provider = try OIDCProvider()
        try await provider.control(["users": users(people)])
        return (database, people, provider)
    }

    /// The demo parent's SNILS and child, and SNILS given to the demo teacher's and school
    /// admin's staff records.
    func people(_ database: ClusterConnections) async throws -> People {
        try await database.owner.withConnection(logger: self.logger) { connection in
            let parent = try await connection.scalar("""
                SELECT g.snils FROM eduql.users u JOIN eduql.guardians g ON g.id = u.guardian_id WHERE u.login = 'parent'
                """, as: String.self)
            let child = try await connection.scalar("""
                SELECT gl.learner_id FROM eduql.users u JOIN eduql.guardian_learners gl ON gl.guardian_id = u.guardian_id
                WHERE u.login = 'parent' ORDER BY gl.learner_id LIMIT 1
                """, as: Int.self)
            try await connection.execute("UPDATE eduql.staff SET snils = '800-000-001 73' WHERE id = (SELECT staff_id FROM eduql.users WHERE login = 'teacher')")
            // The demo's school admin is an account without a staff record: give it its school's first unlinked one.
            try await connection.execute("""
                UPDATE eduql.users u SET staff_id = (
                    SELECT s.id FROM eduql.staff s JOIN eduql.role_assignments r ON r.user_id = u.id AND r.role = 'school_admin'
                    WHERE s.organization_id = r.organization_id AND NOT EXISTS (SELECT 1 FROM eduql.users o WHERE o.staff_id = s.id)
                    ORDER BY s.id LIMIT 1)
                WHERE u.login = 'school.admin' AND u.staff_id IS NULL
                """)
            try await connection.execute("UPDATE eduql.staff SET snils = '900-000-002 83' WHERE id = (SELECT staff_id FROM eduql.users WHERE login = 'school.admin')")
            let linked = try await connection.scalar("""
                SELECT count(*)::int FROM eduql.users u JOIN eduql.staff s ON s.id = u.staff_id WHERE u.login IN ('teacher', 'school.admin') AND s.snils IS NOT NULL
                """, as: Int.self)
            #expect(linked == 2, "the demo teacher and school admin are staff")
            return People(parent: parent, child: child, teacher: "800-000-001 73", admin: "900-000-002 83")
        }
    }

    func sessions(_ database: ClusterConnections, of login: String) async throws -> Int {
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("SELECT count(*)::int FROM eduql.sessions s JOIN eduql.users u ON u.id = s.user_id WHERE u.login = \(login)", as: Int.self)
        }
    }

    /// The audit's federated sign-in events: outcome, first error code, login.
    func events(_ database: ClusterConnections) async throws -> [String] {
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("""
                SELECT outcome || ':' || coalesce(error_codes[1], '-') || ':' || coalesce(login, '-') || ':' || coalesce(detail->>'linked', '-')
                FROM eduql.audit_events WHERE action IN ('federated_login', 'federated_link') ORDER BY seq
                """, as: String.self)
        }
    }

    @Test("a parent whose SNILS is in the register signs in through the provider, with no password, and reads the child's diary")
    func parent() async throws {
        let (database, people, provider) = try await self.setUp { people in ["parent-1": ["snils": people.parent.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: " ", with: ""),
                                                            "email": "someone@example.ru"]] }
        defer { provider.stop() }
        let week = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("""
                SELECT to_char(min(l.held_on), 'YYYY-MM-DD') FROM eduql.lessons l JOIN eduql.enrollments e ON e.class_id = l.class_id
                WHERE e.learner_id = \(people.child) AND e.status = 'active'
                """, as: String.self)
        }
        try await TestAPI.run(database, configure: self.configure(provider)) { api in
            let listed = try await api.request(.get, "/auth/federated")
            #expect((listed["providers"] as? [[String: Any]])?.first?["id"] as? String == "test")
            let attempt = try await self.signIn(api, provider, "parent-1")
            #expect(attempt.start.status == .found)
            #expect(attempt.start.headers[.location]?.hasPrefix(provider.issuer + "/authorize?") == true)
            let cookie = try #require(attempt.start.headers[values: .setCookie].first)
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Max-Age=600"))
            let reply = try #require(attempt.reply)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply["role"] as? String == "parent")
            #expect(reply["returnTo"] as? String == "/diary")
            #expect(reply["mustChangePassword"] as? Bool == false)
            // The provider saw a PKCE verifier (it refuses a token request without the right one).
            let seen = try await provider.state()
            #expect(((seen["last_token_request"] as? [String: Any])?["code_verifier"] as? String)?.count ?? 0 >= 43)
            let token = try #require(reply["token"] as? String)
            let diary = try await api.graphql(try ConsumerDocuments.text("parent/diary-week.graphql"),
                                              variables: ["learnerId": String(people.child), "from": week, "to": week], token: token)
            #expect(diary.status == .ok)
            #expect(diary.data?.at("diary.learner.id") as? String == String(people.child), "\(diary.text)")
            // Signed in again: the link is found, not made again.
            let again = try await self.signIn(api, provider, "parent-1")
            #expect(again.reply?.status == .ok)
        }
        let events = try await self.events(database)
        #expect(events == ["ok:-:parent:verified_attribute", "ok:-:parent:-"], "\(events)")
        let links = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("""
                SELECT f.linked_how || ':' || u.login FROM eduql.federated_identities f JOIN eduql.users u ON u.id = f.user_id
                """, as: String.self)
        }
        #expect(links == ["verified_attribute:parent"])
    }

    @Test("forged, foreign, expired and unbound ID tokens are refused, each with its audit event and no session; a key rotation is followed")
    func forgedTokens() async throws {
        let (database, _, provider) = try await self.setUp { people in ["parent-1": ["snils": people.parent]] }
        defer { provider.stop() }
        let forgeries = ["none", "hmac", "bad_signature", "unknown_key", "wrong_iss", "wrong_aud", "expired", "future_iat", "wrong_nonce"]
        try await TestAPI.run(database, configure: self.configure(provider)) { api in
            // The same flow without a forgery signs in: the refusals below are the forgeries'.
            #expect(try await self.signIn(api, provider, "parent-1").reply?.status == .ok)
            let before = try await self.sessions(database, of: "parent")
            for forgery in forgeries {
                try await provider.control(["forge": forgery])
                let reply = try #require(try await self.signIn(api, provider, "parent-1").reply)
                #expect(reply.status == .unauthorized, "\(forgery): \(reply.status)")
                #expect(reply.code == "INVALID_ID_TOKEN", "\(forgery): \(reply.text)")
                #expect(reply["token"] == nil)
            }
            #expect(try await self.sessions(database, of: "parent") == before)
            // A new key at the provider: its JWKS is read again, once, and the sign-in holds.
            let fetched = try await provider.state()["jwks_fetches"] as? Int ?? 0
            try await Task.sleep(for: .milliseconds(600))
            try await provider.control(["rotate": true])
            #expect(try await self.signIn(api, provider, "parent-1").reply?.status == .ok)
            #expect(try await provider.state()["jwks_fetches"] as? Int == fetched + 1)
            // Tokens naming unknown keys, one after another: the JWKS is not fetched for each.
            try await provider.control(["forge": "unknown_key"])
            _ = try await self.signIn(api, provider, "parent-1")
            try await provider.control(["forge": "unknown_key"])
            _ = try await self.signIn(api, provider, "parent-1")
            #expect(try await provider.state()["jwks_fetches"] as? Int ?? 0 <= fetched + 2)
        }
        let refused = try await self.events(database).filter { $0.hasPrefix("denied:INVALID_ID_TOKEN") }
        #expect(refused.count == forgeries.count + 2)
    }

    @Test("a replayed code, a wrong or missing state, an open redirect and a person not in the register get no session")
    func refusals() async throws {
        let (database, _, provider) = try await self.setUp { people in ["parent-1": ["snils": people.parent], "stranger": ["snils": "950-000-003 23", "email_verified": "true"]] }
        defer { provider.stop() }
        let users = try await database.owner.withConnection(logger: self.logger) { try await $0.scalar("SELECT count(*)::int FROM eduql.users", as: Int.self) }
        try await TestAPI.run(database, configure: self.configure(provider)) { api in
            let first = try await self.signIn(api, provider, "parent-1")
            #expect(first.reply?.status == .ok)
            let sessions = try await self.sessions(database, of: "parent")
            // The same callback again: its state was used.
            let firstCallback = try #require(first.callback)
            let firstCookie = try #require(first.cookie)
            let replayed = try await api.request(.get, firstCallback, headers: [.cookie: firstCookie])
            #expect(replayed.status == .badRequest && replayed.code == "BAD_STATE", "\(replayed.text)")
            // A new sign-in's state with the old code: the provider refuses the code.
            let fresh = try await api.request(.get, "/auth/federated/test/start?returnTo=%2F&loginHint=parent-1")
            let freshLocation = try #require(fresh.headers[.location])
            let state = try #require(URLComponents(string: freshLocation)?.queryItems?.first { $0.name == "state" }?.value)
            let code = try #require(URLComponents(string: "http://x" + firstCallback)?.queryItems?.first { $0.name == "code" }?.value)
            let cookie = try #require(fresh.headers[values: .setCookie].first?.split(separator: ";").first.map(String.init))
            let oldCode = try await api.request(.get, "/auth/federated/test/callback?code=\(code)&state=\(state)", headers: [.cookie: cookie])
            #expect(oldCode.status == .unauthorized && oldCode.code == "CODE_REFUSED", "\(oldCode.text)")

            // The state of another browser, or none at all.
            let other = try await api.request(.get, "/auth/federated/test/start?returnTo=%2F&loginHint=parent-1")
            let otherLocation = try #require(other.headers[.location])
            let back = try #require(try await provider.authorize(otherLocation))
            let callback = back.path + "?" + (back.percentEncodedQuery ?? "")
            for headers: HTTPFields in [[.cookie: "eduql_federated_state=\(Base64URL.random(bytes: 32))"], [:]] {
                let reply = try await api.request(.get, callback, headers: headers)
                #expect(reply.status == .badRequest && reply.code == "BAD_STATE", "\(reply.text)")
            }
            #expect(try await self.sessions(database, of: "parent") == sessions)

            // Return addresses that leave the server.
            for target in ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil.example", "/ok\r\nSet-Cookie: x=1", ""] {
                let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let reply = try await api.request(.get, "/auth/federated/test/start?returnTo=\(encoded)&loginHint=parent-1")
                #expect(reply.status == .badRequest && reply.code == "BAD_RETURN", "\(target.debugDescription): \(reply.status)")
                #expect(reply.headers[.location] == nil && reply.headers[.setCookie] == nil)
            }

            // Someone the register does not hold: no account is made.
            let stranger = try #require(try await self.signIn(api, provider, "stranger").reply)
            #expect(stranger.status == .forbidden && stranger.code == "NOT_IN_REGISTER", "\(stranger.text)")
            #expect((stranger["message"] as? String)?.contains("contact your school") == true)
            // The provider refusing the person (unknown there): no session either.
            let unknown = try #require(try await self.signIn(api, provider, "nobody").reply)
            #expect(unknown.status == .unauthorized && unknown.code == "PROVIDER_ERROR", "\(unknown.text)")
        }
        let (after, identities) = try await database.owner.withConnection(logger: self.logger) { connection in
            (try await connection.scalar("SELECT count(*)::int FROM eduql.users", as: Int.self),
             try await connection.scalar("SELECT count(*)::int FROM eduql.federated_identities", as: Int.self))
        }
        #expect(after == users)
        #expect(identities == 1)
        let codes = try await self.events(database).map { $0.split(separator: ":")[1] }
        for expected in ["BAD_STATE", "CODE_REFUSED", "BAD_RETURN", "NOT_IN_REGISTER", "PROVIDER_ERROR"] {
            #expect(codes.contains(Substring(expected)), "an audit event for \(expected)")
        }
        #expect(codes.filter { $0 == "BAD_RETURN" }.count == 6)
        // Sign-ins that never came back are forgotten by the housekeeping once expired, not before.
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.execute("""
                INSERT INTO eduql.federated_logins (state_sha256, region_id, provider, nonce, code_verifier, return_to, expires_at)
                VALUES (sha256('old'::bytea), 1, 'test', 'n', repeat('v', 43), '/', now() - interval '1 second')
                """)
        }
        let (forgotten, underWay) = try await database.server.withConnection(logger: self.logger) { connection in
            (try await connection.scalar("SELECT eduql.forget_expired_sign_ins()::int", as: Int.self),
             try await database.owner.withConnection(logger: self.logger) { owner in
                 try await owner.scalar("SELECT count(*)::int FROM eduql.federated_logins WHERE expires_at > now()", as: Int.self)
             })
        }
        #expect(forgotten == 1)
        #expect(underWay >= 1, "the sign-ins still under way stay")
    }

    @Test("a teacher and a school admin are linked only from their own password session, then sign in through the provider")
    func staff() async throws {
        let (database, _, provider) = try await self.setUp { people in ["teacher-1": ["snils": people.teacher], "admin-1": ["snils": people.admin],
                                              "parent-1": ["snils": people.parent]] }
        defer { provider.stop() }
        try await TestAPI.run(database, configure: self.configure(provider)) { api in
            for (login, subject, role) in [("teacher", "teacher-1", "teacher"), ("school.admin", "admin-1", "school_admin")] {
                let before = try await self.sessions(database, of: login)
                let alone = try #require(try await self.signIn(api, provider, subject).reply)
                #expect(alone.status == .forbidden && alone.code == "LINK_NEEDS_PASSWORD_SESSION", "\(login): \(alone.text)")
                #expect(try await self.sessions(database, of: login) == before)
                let password = try await api.demoToken(login)
                let linked = try #require(try await self.signIn(api, provider, subject, token: password).reply)
                #expect(linked.status == .ok, "\(login): \(linked.text)")
                let later = try #require(try await self.signIn(api, provider, subject).reply)
                #expect(later.status == .ok && later["role"] as? String == role, "\(login): \(later.text)")
            }
            // Another account's password session cannot link someone else's identity.
            let parentToken = try await api.demoToken("parent")
            let foreign = try #require(try await self.signIn(api, provider, "teacher-1", token: parentToken).reply)
            #expect(foreign.status == .forbidden && foreign.code == "LINKED_TO_ANOTHER_ACCOUNT", "\(foreign.text)")
            // A federated session is no password session: it links nothing.
            let federated = try #require(try await self.signIn(api, provider, "parent-1").reply?["token"] as? String)
            let refused = try await self.signIn(api, provider, "parent-1", token: federated)
            #expect(refused.start.status == .forbidden && refused.start.code == "LINK_NEEDS_PASSWORD_SESSION", "\(refused.start.text)")
        }
        let events = try await self.events(database)
        #expect(events.contains("ok:-:teacher:password_session") && events.contains("ok:-:school.admin:password_session"), "\(events)")
        #expect(events.filter { $0.hasPrefix("denied:LINK_NEEDS_PASSWORD_SESSION") }.count == 3)
    }

    @Test("the provider's back-channel logout ends the session at once; a forged logout token ends nothing")
    func backchannelLogout() async throws {
        let (database, _, provider) = try await self.setUp { people in ["parent-1": ["snils": people.parent]] }
        defer { provider.stop() }
        try await TestAPI.run(database, configure: self.configure(provider)) { api in
            let token = try #require(try await self.signIn(api, provider, "parent-1").reply?["token"] as? String)
            #expect(try await api.request(.get, "/auth/session", token: token).status == .ok)
            let sid = try #require(try await provider.state()["last_sid"] as? String)
            let logout = try await provider.logoutToken(sid: sid)
            var parts = logout.split(separator: ".").map(String.init)
            parts[2] = String(parts[2].reversed())
            let forged = try await api.request(.post, "/auth/federated/test/backchannel-logout", raw: "logout_token=\(parts.joined(separator: "."))",
                                               headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(forged.status == .badRequest)
            // Not a form, or too large: refused, never a server error.
            for body in ["", "logout_token=", "logout_token=%ZZ", "junk", String(repeating: "a", count: 70_000)] {
                let reply = try await api.request(.post, "/auth/federated/test/backchannel-logout", raw: body,
                                                  headers: [.contentType: "application/x-www-form-urlencoded"])
                #expect(reply.status == .badRequest || reply.status == .contentTooLarge, "\(body.prefix(20)): \(reply.status)")
            }
            #expect(try await api.request(.get, "/auth/session", token: token).status == .ok)
            let ended = try await api.request(.post, "/auth/federated/test/backchannel-logout", raw: "logout_token=\(logout)",
                                              headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(ended.status == .ok, "\(ended.text)")
            #expect(try await api.request(.get, "/auth/session", token: token).status == .unauthorized)
        }
        let events = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("SELECT outcome || ':' || coalesce(detail->>'sessions', error_codes[1]) FROM eduql.audit_events WHERE action = 'federated_logout' ORDER BY seq", as: String.self)
        }
        // The forged token, the four malformed forms (the oversized body is refused before it is read), the logout.
        #expect(events == ["denied:INVALID_ID_TOKEN"] + Array(repeating: "denied:BAD_REQUEST", count: 4) + ["ok:1"], "\(events)")
    }

    @Test("an administrator sees an account's links and removes one: its sessions end at once; a teacher cannot")
    func unlink() async throws {
        let (database, _, provider) = try await self.setUp { people in ["parent-1": ["snils": people.parent]] }
        defer { provider.stop() }
        let parentID = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("SELECT id FROM eduql.users WHERE login = 'parent'", as: Int.self)
        }
        let mutation = """
            mutation { unlinkFederatedIdentity(userId: "\(parentID)", provider: "test") { id login federatedIdentities { provider subject linkedHow } } }
            """
        try await TestAPI.run(database, configure: self.configure(provider)) { api in
            let token = try #require(try await self.signIn(api, provider, "parent-1").reply?["token"] as? String)
            let password = try await api.demoToken("parent")
            #expect(try await api.request(.get, "/auth/session", token: token).status == .ok)
            // The admin's read-back of the account shows the link before it goes.
            let admin = try await api.demoToken("region.admin")
            let teacher = try await api.graphql(mutation, token: try await api.demoToken("teacher"))
            #expect(teacher.json["data"] as? [String: Any] == nil || teacher.data?.at("unlinkFederatedIdentity") == nil, "\(teacher.text)")
            #expect(try await api.request(.get, "/auth/session", token: token).status == .ok)
            let reply = try await api.graphql(mutation, token: admin)
            #expect(reply.data?.at("unlinkFederatedIdentity.login") as? String == "parent", "\(reply.text)")
            #expect((reply.data?.at("unlinkFederatedIdentity.federatedIdentities") as? [Any])?.isEmpty == true)
            // The federated session ended; the password session did not.
            #expect(try await api.request(.get, "/auth/session", token: token).status == .unauthorized)
            #expect(try await api.request(.get, "/auth/session", token: password).status == .ok)
            // Nothing left to remove.
            let again = try await api.graphql(mutation, token: admin)
            #expect(again.data?.at("unlinkFederatedIdentity") == nil, "\(again.text)")
        }
        let events = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("SELECT outcome || ':' || coalesce(login, '-') FROM eduql.audit_events WHERE action = 'unlink_federated_identity' ORDER BY seq", as: String.self)
        }
        #expect(events.first == "ok:region.admin", "\(events)")
    }
}
