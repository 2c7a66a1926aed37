@testable import EduQLServer
import Foundation
import FoundationNetworking
import Logging
import PostgresNIO
import Synchronization
import Testing

/// Two `eduql serve` processes over one database, as behind a balancer: what one process
/// learns, the other acts on — a session opened on one works on the other, and a sign-out or a
/// disabled account is refused by both at once; sign-in attempts of an address are counted once
/// for both; an import started on one is answered and stopped through the other; and both
/// writing the audit log at once make one chain, with no gap or fork.
@Suite("Several processes on one database", .serialized, .timeLimit(.minutes(4)))
struct SeveralProcessesTests {
    let logger = Logger(label: "eduql-tests")

    /// One HTTP exchange with a process on loopback.
    static func send(_ port: Int, _ method: String, _ path: String, body: Data? = nil, token: String? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 30
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "content-type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    static func graphql(_ port: Int, _ query: String, token: String) async throws -> (Int, [String: Any]) {
        try await Self.send(port, "POST", "/graphql", body: Data(RawHTTP.graphql(query).utf8), token: token)
    }

    /// The request ids of the answers the load got.
    final class Answered: Sendable {
        let ids = Mutex<[String]>([])
    }

    @Test("sessions, sign-in counting, imports and the audit chain are one for two processes")
    func twoProcesses() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let accounts = try await TestCluster.shared.accounts()
        func password(_ login: String) throws -> String { try #require(accounts.first { $0.login == login }?.password) }
        let settings = database.server
        let url = "postgres://\(settings.username):\(settings.password ?? "")@\(settings.host):\(settings.port)/\(settings.database)"
        let limit = 20
        var ports: [Int] = [], pids: [pid_t] = []
        defer { for pid in pids { kill(pid, SIGKILL) } }
        for _ in 0..<2 {
            let port = try freePort()
            let pid = try spawn(ServeProcessTests.executable, ["serve"], environment: [
                "DATABASE_URL": url, "EDUQL_PORT": "\(port)", "LOG_LEVEL": "error", "EDUQL_LOGIN_ATTEMPTS_PER_MINUTE": "\(limit)",
            ])
            ports.append(port)
            pids.append(pid)
            try #require(await answers("http://127.0.0.1:\(port)/readyz"))
        }
        let (a, b) = (ports[0], ports[1])
        func signIn(_ port: Int, _ login: String) async throws -> String {
            let body = try JSONSerialization.data(withJSONObject: ["login": login, "password": try password(login)])
            let (status, reply) = try await Self.send(port, "POST", "/auth/login", body: body)
            return try #require(reply["token"] as? String, "sign-in of \(login) on \(port): \(status) \(reply)")
        }

        // A session opened on one process works on the other; signed out on one, refused by both.
        let teacher = try await signIn(a, "teacher")
        #expect(try await Self.graphql(b, "{ me { name } }", token: teacher).1.at("data.me.name") as? String == "teacher")
        #expect(try await Self.send(a, "POST", "/auth/logout", token: teacher).0 == 204)
        #expect(try await Self.graphql(b, "{ me { name } }", token: teacher).0 == 401)
        // An account disabled through one process is refused by the other at its next request.
        let again = try await signIn(b, "teacher")
        #expect(try await Self.graphql(b, "{ me { name } }", token: again).0 == 200)
        let admin = try await signIn(a, "school.admin")
        let teacherID = try await database.owner.withConnection(logger: self.logger) {
            try await $0.scalar("SELECT id::int FROM eduql.users WHERE login = 'teacher'", as: Int.self)
        }
        let disabled = try await Self.graphql(a, "mutation { disableUser(userId: \(teacherID)) { disabled } }", token: admin)
        #expect(disabled.1.at("data.disableUser.disabled") as? Bool == true, "\(disabled)")
        #expect(try await Self.graphql(b, "{ me { name } }", token: again).0 == 401)
        _ = try await Self.graphql(b, "mutation { enableUser(userId: \(teacherID)) { disabled } }", token: admin)

        // An import started on one process is answered, and stopped, through the other. Another
        // session holds the learners table, so the import is surely running when it is stopped.
        let own = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("""
                SELECT eduql.export_key('organization', r.organization_id) FROM eduql.role_assignments r JOIN eduql.users u ON u.id = r.user_id
                WHERE u.login = 'school.admin' AND r.role = 'school_admin'
                """, as: String.self)
        }
        let csv = "id;organization_id;last_name;first_name;gender;birth_date\n"
            + (1...3).map { "P-\($0);\(own);Двухпроцессный;Ученик;male;2017-04-0\($0)" }.joined(separator: "\n") + "\n"
        let imported = try await database.owner.withConnection(logger: self.logger) { lock -> (String?, String?, String?) in
            try await lock.query("BEGIN", logger: self.logger)
            try await lock.query("LOCK TABLE eduql.learners IN SHARE MODE", logger: self.logger)
            let (status, started) = try await Self.send(a, "POST", "/onboarding/imports?sheet=learners", body: Data(csv.utf8), token: admin)
            #expect(status == 202, "\(started)")
            let id = try #require(started["id"] as? String)
            let seen = try await Self.send(b, "GET", "/onboarding/imports/\(id)", token: admin).1["status"] as? String
            let asked = try await Self.send(b, "DELETE", "/onboarding/imports/\(id)", token: admin)
            #expect(asked.0 == 202, "\(asked)")
            // The process running it reads the request at its next heartbeat (every second).
            try await Task.sleep(for: .seconds(3))
            try await lock.query("ROLLBACK", logger: self.logger)
            var ended: String?
            for _ in 0..<200 where ended == nil || ended == "running" {
                try await Task.sleep(for: .milliseconds(50))
                ended = try await Self.send(b, "GET", "/onboarding/imports/\(id)", token: admin).1["status"] as? String
            }
            return (seen, asked.1["status"] as? String, ended)
        }
        #expect(imported.0 == "running" && imported.1 == "running" && imported.2 == "cancelled", "\(imported)")

        // Both processes writing the audit log at once: one chain, each answer with its event.
        let parent = try await signIn(b, "parent")
        let answered = Answered()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for round in 0..<15 {
                        let port = (worker + round) % 2 == 0 ? a : b
                        let reply = try await RawHTTP.post(port: port, body: RawHTTP.graphql("{ me { name } }"), token: parent)
                        if reply.status == 200, let id = reply.requestID { answered.ids.withLock { $0.append(id) } }
                    }
                }
            }
            try await group.waitForAll()
        }
        let ids = answered.ids.withLock { $0 }
        #expect(ids.count == 120)
        #expect(try await database.requestsWithoutEvent(ids).isEmpty)
        #expect(try await database.auditChainIntact())

        // Sign-in attempts of one address are counted once for both processes: the limit holds
        // for the sum, not for each. The address's window (a minute from its first attempt) is
        // let run out first when it has under 20 s left, so that one window counts them all.
        func window() async throws -> (attempts: Int, age: Double) {
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.query("""
                    SELECT coalesce(max(attempts), 0)::int, coalesce(max(extract(epoch FROM now() - window_start)), 0)::float8
                    FROM eduql.sign_in_attempts WHERE window_start > now() - interval '1 minute'
                    """, logger: self.logger).collect().first!.decode((Int, Double).self)
            }
        }
        var (counted, age) = try await window()
        if counted > 0 && age > 40 {
            try await Task.sleep(for: .seconds(61 - age))
            (counted, _) = try await window()
        }
        var accepted = counted
        var refusedAt: Int?
        for attempt in 0..<(2 * limit + 2) where refusedAt == nil {
            let body = try JSONSerialization.data(withJSONObject: ["login": "nobody", "password": "wrong-\(attempt)"])
            let (status, _) = try await Self.send(attempt % 2 == 0 ? a : b, "POST", "/auth/login", body: body)
            if status == 429 { refusedAt = accepted + 1 } else { accepted += 1 }
        }
        #expect(refusedAt == limit + 1, "the first refusal came at attempt \(refusedAt.map(String.init) ?? "never") of the minute (limit \(limit))")
    }
}
