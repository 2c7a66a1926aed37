@testable import EduQLAccessControl
import EduQLServer
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@Suite("Sign-in and sessions", .timeLimit(.minutes(3)))
struct SignInTests {
    let logger = Logger(label: "eduql-tests")

    func owner(_ database: ClusterConnections, _ sql: PostgresQuery) async throws {
        try await database.owner.withConnection(logger: self.logger) { try await $0.execute(sql) }
    }

    func ownerScalar<T: PostgresDecodable & Sendable>(_ database: ClusterConnections, _ sql: PostgresQuery, as type: T.Type) async throws -> T {
        try await database.owner.withConnection(logger: self.logger) { try await $0.scalar(sql, as: T.self) }
    }

    @Test("a parent signs in and the token acts as that parent")
    func signIn() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let password = try await TestCluster.shared.password(of: "parent")
        try await TestAPI.run(database) { api in
            let reply = try await api.login("parent", password)
            #expect(reply.status == .ok)
            let token = try #require(reply["token"] as? String)
            #expect(token.hasPrefix("eduql_u_") && token.count == 51)
            #expect(reply["mustChangePassword"] as? Bool == false)
            #expect(reply["role"] as? String == "parent")
            #expect((reply["scope"] as? [String: Any])?["kind"] as? String == "region")
            #expect((reply["roles"] as? [[String: Any]])?.count == 1)
            #expect(reply["expiresAt"] is String)
            let session = try await api.session(token)
            #expect(session.status == .ok)
            #expect(session["role"] as? String == "parent")
            #expect(session["guardianId"] is Int)
            #expect(session["staffId"] == nil)
        }
        let stored = try await self.ownerScalar(database, "SELECT count(*) FROM eduql.sessions WHERE token_sha256 IS NOT NULL", as: Int.self)
        #expect(stored == 1)
        let plain = try await self.ownerScalar(database, "SELECT count(*) FROM eduql.sessions WHERE encode(token_sha256, 'escape') LIKE 'eduql_u_%'", as: Int.self)
        #expect(plain == 0, "only the token's hash is stored")
    }

    @Test("wrong password and unknown login get one generic 401, take comparable time, and are audited")
    func genericFailure() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            var known: [Duration] = [], unknown: [Duration] = []
            for attempt in 0..<4 {
                let clock = ContinuousClock()
                var wrong: TestAPI.Reply?
                known.append(try await clock.measure { wrong = try await api.login("teacher", "wrong-password-\(attempt)") })
                var missing: TestAPI.Reply?
                unknown.append(try await clock.measure { missing = try await api.login("nobody.here", "wrong-password-\(attempt)") })
                #expect(wrong?.status == .unauthorized && missing?.status == .unauthorized)
                #expect(wrong?.text == missing?.text, "one answer for both")
            }
            // Both verify an Argon2 hash: the unknown login is not answered early. The fastest of
            // each is compared: a loaded machine only ever adds time, and the hash sets the floor.
            #expect(unknown.min()! > known.min()! / 3, "\(unknown) against \(known)")
        }
        let events = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("SELECT error_codes[1] FROM eduql.audit_events WHERE kind = 'auth' AND action = 'login' AND outcome = 'denied' ORDER BY seq", as: String.self)
        }
        #expect(events.filter { $0 == "WRONG_PASSWORD" }.count == 4)
        #expect(events.filter { $0 == "UNKNOWN_LOGIN" }.count == 4)
    }

    @Test("five failures lock the account even for the right password; the next lock is twice as long")
    func lockout() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let password = try await TestCluster.shared.password(of: "student")
        try await TestAPI.run(database) { api in
            for _ in 0..<5 { #expect(try await api.login("student", "not-the-password").status == .unauthorized) }
            let locked = try await api.login("student", password)
            #expect(locked.status == .unauthorized)
            #expect(locked.code == "INVALID_CREDENTIALS")
        }
        let first = try await self.ownerScalar(database, "SELECT extract(epoch FROM locked_until - now())::integer FROM eduql.users WHERE login = 'student'", as: Int.self)
        #expect((800...900).contains(first))
        try await self.owner(database, "UPDATE eduql.users SET locked_until = now() - interval '1 second' WHERE login = 'student'")
        try await TestAPI.run(database) { api in
            for _ in 0..<5 { _ = try await api.login("student", "not-the-password") }
        }
        let second = try await self.ownerScalar(database, "SELECT extract(epoch FROM locked_until - now())::integer FROM eduql.users WHERE login = 'student'", as: Int.self)
        #expect((1_700...1_800).contains(second))
        let lockouts = try await self.ownerScalar(database, "SELECT count(*) FROM eduql.audit_events WHERE action = 'lockout'", as: Int.self)
        #expect(lockouts == 2)
        // Once the lock has passed, the right password works and clears the count.
        try await self.owner(database, "UPDATE eduql.users SET locked_until = now() - interval '1 second' WHERE login = 'student'")
        let afterLock = try await TestAPI.run(database) { api in try await api.login("student", password).status }
        #expect(afterLock == .ok)
    }

    @Test("too many attempts from one address get 429 with Retry-After")
    func addressThrottle() async throws {
        let database = try await TestCluster.shared.database(.demo)
        var configuration = AuthenticationConfiguration()
        configuration.attemptsPerAddressPerMinute = 3
        try await TestAPI.run(database, authentication: configuration) { api in
            for _ in 0..<3 { #expect(try await api.login("nobody", "whatever-1").status == .unauthorized) }
            let throttled = try await api.login("nobody", "whatever-1")
            #expect(throttled.status == .tooManyRequests)
            #expect(Int(throttled.headers[.retryAfter] ?? "") ?? 0 > 0)
        }
    }

    @Test("logout, absolute expiry, idle expiry, disabling and revoking end a session at its next request")
    func sessionEnds() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let password = try await TestCluster.shared.password(of: "teacher")
        try await TestAPI.run(database) { api in
            let logout = try await api.token("teacher", password)
            #expect(try await api.request(.post, "/auth/logout", token: logout).status == .noContent)
            #expect(try await api.session(logout).status == .unauthorized)

            let expired = try await api.token("teacher", password)
            try await self.owner(database, "UPDATE eduql.sessions SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL")
            #expect(try await api.session(expired).status == .unauthorized)

            let idle = try await api.token("teacher", password)
            #expect(try await api.session(idle).status == .ok)
            try await self.owner(database, "UPDATE eduql.sessions SET last_seen_at = now() - interval '31 minutes' WHERE revoked_at IS NULL AND expires_at > now()")
            #expect(try await api.session(idle).status == .unauthorized)

            let disabled = try await api.token("teacher", password)
            #expect(try await api.session(disabled).status == .ok)
            try await self.owner(database, "UPDATE eduql.users SET disabled_at = now() WHERE login = 'teacher'")
            #expect(try await api.session(disabled).status == .unauthorized)
            #expect(try await api.login("teacher", password).status == .unauthorized)
            try await self.owner(database, "UPDATE eduql.users SET disabled_at = NULL WHERE login = 'teacher'")

            let revoked = try await api.token("teacher", password)
            try await self.owner(database, "UPDATE eduql.role_assignments SET revoked_at = now() WHERE user_id = (SELECT id FROM eduql.users WHERE login = 'teacher')")
            #expect(try await api.session(revoked).status == .unauthorized)
            #expect(try await api.login("teacher", password).code == "NO_ROLE")
        }
    }

    @Test("no token, a garbage token or a token of the wrong kind is 401")
    func badTokens() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            #expect(try await api.session(nil).status == .unauthorized)
            #expect(try await api.session("garbage").status == .unauthorized)
            #expect(try await api.session("eduql_u_" + String(repeating: "A", count: 43)).status == .unauthorized)
            let bad = try await api.request(.post, "/auth/login", raw: "{not json")
            #expect(bad.status == .badRequest)
            #expect(bad.code == "BAD_REQUEST")
            let tooLong = try await api.login("parent", String(repeating: "x", count: 1_025))
            #expect(tooLong.status == .unauthorized)
        }
    }

    @Test("a temporary password allows nothing but changing it; the policy holds; the new one works")
    func temporaryPassword() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let password = try await TestCluster.shared.password(of: "student")
        try await self.owner(database, "UPDATE eduql.users SET must_change_password = true WHERE login = 'student'")
        try await TestAPI.run(database) { api in
            let login = try await api.login("student", password)
            #expect(login["mustChangePassword"] as? Bool == true)
            let token = try #require(login["token"] as? String)
            let blocked = try await api.session(token)
            #expect(blocked.status == .forbidden)
            #expect(blocked.code == "PASSWORD_CHANGE_REQUIRED")

            func change(_ old: String, _ new: String) async throws -> TestAPI.Reply {
                try await api.request(.post, "/auth/password", json: ["oldPassword": old, "newPassword": new], token: token)
            }
            #expect(try await change("wrong-old-password", "Зелёная-лампа-7").code == "WRONG_PASSWORD")
            #expect(try await change(password, "short").code == "PASSWORD_TOO_SHORT")
            #expect(try await change(password, "Student").code == "PASSWORD_TOO_SHORT")
            #expect(try await change(password, "qwerty123").code == "PASSWORD_TOO_COMMON")
            try await self.owner(database, "UPDATE eduql.users SET login = 'student.longname' WHERE login = 'student'")
            #expect(try await change(password, "Student.Longname").code == "PASSWORD_SAME_AS_LOGIN")
            #expect(try await change(password, "Зелёная-лампа-7").status == .noContent)
            #expect(try await api.session(token).status == .ok)
            #expect(try await api.login("student.longname", password).status == .unauthorized)
            #expect(try await api.login("student.longname", "Зелёная-лампа-7")["mustChangePassword"] as? Bool == false)
        }
        let events = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("SELECT outcome FROM eduql.audit_events WHERE action = 'password_change' ORDER BY seq", as: String.self)
        }
        #expect(events == ["denied", "denied", "denied", "denied", "denied", "ok"])
    }

    @Test("a region's password rotation makes an old password temporary; a region's minimum length applies")
    func rotationAndRegionalLength() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let password = try await TestCluster.shared.password(of: "parent")
        try await self.owner(database, "UPDATE eduql.regions SET password_max_age = interval '90 days', password_min_length = 14 WHERE id = 1")
        try await self.owner(database, "UPDATE eduql.users SET password_changed_at = now() - interval '91 days' WHERE login = 'parent'")
        try await TestAPI.run(database) { api in
            let login = try await api.login("parent", password)
            #expect(login["mustChangePassword"] as? Bool == true)
            let token = try #require(login["token"] as? String)
            #expect(try await api.session(token).code == "PASSWORD_CHANGE_REQUIRED")
            let short = try await api.request(.post, "/auth/password", json: ["oldPassword": password, "newPassword": "Лампа-зелёная"], token: token)
            #expect(short.code == "PASSWORD_TOO_SHORT")
            let good = try await api.request(.post, "/auth/password", json: ["oldPassword": password, "newPassword": "Лампа-зелёная-на-столе"], token: token)
            #expect(good.status == .noContent)
            #expect(try await api.session(token).status == .ok)
        }
    }

    @Test("a hash with weaker parameters is replaced at the next successful sign-in")
    func rehashOnSignIn() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let weak = try PasswordHasher(configuration: .init(parameters: Argon2Parameters(memoryKiB: 4096, iterations: 1, parallelism: 1))).hash("Старый-пароль-42")
        try await self.owner(database, "UPDATE eduql.users SET password_hash = \(weak) WHERE login = 'homeroom'")
        let status = try await TestAPI.run(database) { api in try await api.login("homeroom", "Старый-пароль-42").status }
        #expect(status == .ok)
        let stored = try await self.ownerScalar(database, "SELECT password_hash FROM eduql.users WHERE login = 'homeroom'", as: String.self)
        #expect(stored.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(try PasswordHasher().verify("Старый-пароль-42", against: stored))
    }

    @Test("the hashing pool's limit answers 503 with Retry-After, not an unbounded queue")
    func overloaded() async throws {
        let database = try await TestCluster.shared.database(.demo)
        var hashing = HashingPool.Configuration()
        hashing.threads = 1
        hashing.queueLimit = 0
        try await TestAPI.run(database, hashing: hashing) { api in
            // Separate connections, so the attempts really arrive together.
            let port = try #require(api.client.port)
            let replies = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/auth/login")!)
                        request.httpMethod = "POST"
                        request.httpBody = Data(#"{"login":"teacher","password":"wrong-password-x"}"#.utf8)
                        let (_, response) = try await URLSession(configuration: .ephemeral).data(for: request)
                        let http = response as! HTTPURLResponse
                        return (http.statusCode, http.value(forHTTPHeaderField: "Retry-After"))
                    }
                }
                return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
            }
            let refused = replies.filter { $0.0 == 503 }
            #expect(!refused.isEmpty)
            #expect(refused.allSatisfy { $0.1 == "1" })
            #expect(replies.allSatisfy { $0.0 == 503 || $0.0 == 401 })
        }
    }
}
