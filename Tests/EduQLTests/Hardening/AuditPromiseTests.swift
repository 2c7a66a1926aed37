@testable import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// The audit promise under hostile bytes and a refusing store: no event fails another's batch,
/// and no state change commits without its event.
@Suite("Audit promise")
struct AuditPromiseTests {
    let logger = Logger(label: "eduql-tests")

    @Test("U+0000 and other hostile bytes in every recorded field are stored, and fail no other request of the batch")
    func hostileBytes() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("parent")
            let hostile = ["\u{0}", "a\u{0}b", "\\u0000", "\u{1}\u{1F}", "\u{FFFF}", "\u{10FFFF}", "\"\\", "\u{202E}"]
            // Every field the event records from the request: operation name, variables (values and keys), login,
            // user agent, the document itself. Sent at once over connections of their own, so that their events
            // meet in the audit sink's batches.
            let port = api.port
            try await withThrowingTaskGroup(of: (Bool, RawExchange).self) { group in
                for bytes in hostile {
                    group.addTask {
                        (false, try await RawHTTP.post(port: port, path: "/graphql", json: [
                            "query": "query Q { me { name } }", "variables": ["v\(bytes)": bytes], "operationName": "Q\(bytes)"], token: token))
                    }
                    group.addTask { (false, try await RawHTTP.post(port: port, path: "/graphql", json: ["query": "{ me { name } } # \(bytes)"], token: token)) }
                    group.addTask { (false, try await RawHTTP.post(port: port, path: "/auth/login", json: ["login": "x\(bytes)", "password": "password"], token: nil)) }
                    group.addTask {
                        (false, try await RawHTTP.post(port: port, path: "/graphql", json: ["query": "{ me { name } }"], token: token,
                                                       headers: ["User-Agent": "agent-\(bytes.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F })"]))
                    }
                    // Innocent requests in the same batches.
                    for _ in 0..<3 { group.addTask { (true, try await RawHTTP.post(port: port, path: "/graphql", json: ["query": "{ me { name } }"], token: token)) } }
                }
                for try await (innocent, reply) in group {
                    #expect(reply.status != 503, "\(reply.body)")
                    if innocent { #expect(reply.status == 200) }
                }
            }
            let (named, logins) = try await database.owner.withConnection(logger: self.logger) { connection in
                (try await connection.scalar("SELECT count(*)::int FROM eduql.audit_events WHERE operation_name LIKE 'Q%'", as: Int.self),
                 try await connection.scalar("SELECT count(*)::int FROM eduql.audit_events WHERE login LIKE 'x%'", as: Int.self))
            }
            #expect(named == hostile.count, "one event per operation name, whatever its bytes")
            // A login holding U+0000 is refused before it is read (400); the others are recorded as sent.
            #expect(logins == hostile.count - 2)
            let nul = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar("SELECT count(*)::int FROM eduql.audit_events WHERE operation_name = 'Q\u{FFFD}'", as: Int.self)
            }
            #expect(nul == 1, "U+0000 is recorded as U+FFFD")
            #expect(try await database.auditChainIntact())
        }
    }

    @Test("with the audit store refusing, no state change commits: sign-in, sign-out, password change, administration")
    func changesNeedTheirEvent() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let admin = try await api.demoToken("school.admin")
            let teacherToken = try await api.demoToken("teacher")
            let state = { @Sendable () async throws -> String in
                try await database.owner.withConnection(logger: self.logger) { connection in
                    try await connection.scalar("""
                        SELECT concat_ws(':', (SELECT count(*) FROM eduql.sessions), (SELECT count(*) FROM eduql.sessions WHERE revoked_at IS NOT NULL),
                                         (SELECT string_agg(concat_ws('/', disabled_at, password_hash, failed_attempts, must_change_password), ',' ORDER BY id)
                                          FROM eduql.users),
                                         (SELECT count(*) FROM eduql.role_assignments WHERE revoked_at IS NULL))
                        """, as: String.self)
                }
            }
            let teacherID = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT id::int FROM eduql.users WHERE login = 'teacher'", as: Int.self)
            }
            let before = try await state()
            let events = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT count(*)::int FROM eduql.audit_events", as: Int.self)
            }
            // Both ways into the audit store refused: the chain's append and a change's staging.
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute("REVOKE EXECUTE ON FUNCTION eduql.append_audit(jsonb), eduql.stage_audit(jsonb) FROM eduql_app")
            }
            let teacherPassword = try await TestCluster.shared.password(of: "teacher")
            let attempts: [(String, TestAPI.Reply)] = [
                ("disableUser", try await api.graphql("mutation { disableUser(userId: \(teacherID)) { id } }", token: admin)),
                ("resetPassword", try await api.graphql("mutation { resetPassword(userId: \(teacherID)) { temporaryPassword } }", token: admin)),
                ("password", try await api.request(.post, "/auth/password", json: ["oldPassword": teacherPassword, "newPassword": "Совсем новый пароль 77"],
                                                   token: teacherToken)),
                ("logout", try await api.request(.post, "/auth/logout", token: teacherToken)),
                ("login", try await api.login("teacher", teacherPassword)),
                ("failed login", try await api.login("teacher", "wrong password")),
            ]
            for (name, reply) in attempts {
                #expect(reply.status == .serviceUnavailable, "\(name): \(reply.status) \(reply.text)")
            }
            // Readiness tells the truth: requests cannot be served now.
            let notReady = try await api.request(.get, "/readyz")
            #expect(notReady.status == .serviceUnavailable, "\(notReady.text)")
            #expect(try await state() == before, "a change committed without its event")
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute("GRANT EXECUTE ON FUNCTION eduql.append_audit(jsonb), eduql.stage_audit(jsonb) TO eduql_app")
            }
            #expect(try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT count(*)::int + (SELECT count(*)::int FROM eduql.audit_staged) FROM eduql.audit_events", as: Int.self)
            } == events)
            // With the store back, the same change commits together with its one event, and the
            // server is ready again.
            let disabled = try await api.graphql("mutation { disableUser(userId: \(teacherID)) { id } }", token: admin)
            #expect(disabled.status == .ok && disabled.errorCodes.isEmpty, "\(disabled.text)")
            var ready = false
            for _ in 0..<40 where !ready {
                ready = try await api.request(.get, "/readyz").status == .ok
                if !ready { try await Task.sleep(for: .milliseconds(250)) }
            }
            #expect(ready, "ready again once no write has failed for a few seconds")
            let recorded = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar("""
                    SELECT count(*)::int FROM eduql.audit_events WHERE action = 'disable_user' AND request_id = \(disabled.headers[.requestID] ?? "")
                    """, as: Int.self)
            }
            #expect(recorded == 1)
        }
    }
    @Test("a change whose event is staged but cannot be chained yet is answered, and its event joins the chain at the next batch")
    func stagedEventsJoinTheChain() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let admin = try await api.demoToken("school.admin")
            let parent = try await api.demoToken("parent")
            let teacherID = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT id::int FROM eduql.users WHERE login = 'teacher'", as: Int.self)
            }
            // The chain refuses appends; staging (inside the change's transaction) still works.
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute("REVOKE EXECUTE ON FUNCTION eduql.append_audit(jsonb) FROM eduql_app")
            }
            let disabled = try await api.graphql("mutation { disableUser(userId: \(teacherID)) { id } }", token: admin)
            #expect(disabled.status == .ok && disabled.errorCodes.isEmpty, "\(disabled.text)")
            let requestID = disabled.headers[.requestID] ?? ""
            let where_ = { @Sendable () async throws -> (chained: Int, staged: Int, disabled: Bool) in
                try await database.owner.withConnection(logger: self.logger) { connection in
                    (try await connection.scalar("SELECT count(*)::int FROM eduql.audit_events WHERE request_id = \(requestID)", as: Int.self),
                     try await connection.scalar("SELECT count(*)::int FROM eduql.audit_staged WHERE event->>'request_id' = \(requestID)", as: Int.self),
                     try await connection.scalar("SELECT disabled_at IS NOT NULL FROM eduql.users WHERE id = \(teacherID)", as: Bool.self))
                }
            }
            let before = try await where_()
            #expect(before.disabled, "the change committed")
            #expect(before.staged == 1 && before.chained == 0, "its event is staged with it, not yet chained: \(before)")
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute("GRANT EXECUTE ON FUNCTION eduql.append_audit(jsonb) TO eduql_app")
            }
            // Any next batch takes it in: a read's.
            #expect(try await api.graphql("{ me { name } }", token: parent).status == .ok)
            let after = try await where_()
            #expect(after.staged == 0 && after.chained == 1, "the staged event joined the chain: \(after)")
            #expect(try await database.auditChainIntact())
        }
    }
}
