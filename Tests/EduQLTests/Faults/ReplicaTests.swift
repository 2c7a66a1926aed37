@testable import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// A primary and a streaming standby made with `pg_basebackup`, on loopback, and the real
/// server reading from the standby: reads are served by the replica; a teacher who records a
/// mark reads it back while the replica lags (`recovery_min_apply_delay`); a replica lagging
/// past the bound is left out and taken back once it catches up; and a replica stopped and
/// started under a load of reads fails none of them.
@Suite("Read replicas", .serialized, .timeLimit(.minutes(6)))
struct ReplicaTests {
    let logger = Logger(label: "eduql-tests")
    static let metricsToken = "replica-test-metrics-token"

    /// The value of a counter or gauge of `/metrics` for `labels` (0 when absent).
    static func metric(_ port: Int, _ name: String, _ labels: String, token: String = Self.metricsToken) async throws -> Double {
        let reply = try await RawHTTP.get(port: port, path: "/metrics", token: token)
        let line = reply.body.split(separator: "\n").first { $0.hasPrefix(name + "{") && $0.contains(labels) }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    /// What the load of reads saw.
    final class Load: Sendable {
        let failures = Mutex<[String]>([])
        let reads = Mutex(0)
    }

    @Test("reads go to the replica, writers read their writes, a lagging or stopped replica is left out and taken back, and no read fails")
    func replicas() async throws {
        _ = try await TestCluster.shared.database(.demo)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-replicas-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cluster = try await ReplicatedCluster.start(root: root, database: "replicas", logger: self.logger)
        defer { cluster.stop() }
        let (connections, standby, accounts) = (cluster.connections, cluster.standby, cluster.accounts)
        func password(_ login: String) throws -> String { try #require(accounts.first { $0.login == login }?.password) }
        let standbyAdmin = ConnectionSettings(host: "127.0.0.1", port: standby.configuration.port, username: "postgres",
                                              password: connections.superuser.password, database: "postgres")
        func url(_ port: Int) -> String { cluster.url(port) }
        func serve(maximumLag: Int) throws -> (port: Int, pid: pid_t) {
            let port = try freePort()
            let pid = try spawn(ServeProcessTests.executable, ["serve"], environment: [
                "DATABASE_URL": url(connections.server.port), "EDUQL_REPLICA_URLS": url(standby.configuration.port),
                "EDUQL_REPLICA_MAX_LAG_MS": "\(maximumLag)", "EDUQL_PORT": "\(port)", "LOG_LEVEL": "error",
                "EDUQL_METRICS_TOKEN": Self.metricsToken, "EDUQL_SHARED_ANSWERS_MS": "0",
            ])
            return (port, pid)
        }
        // A lenient server keeps a lagging replica (reads-your-writes must hold there); a strict one leaves it out.
        let lenient = try serve(maximumLag: 60_000), other = try serve(maximumLag: 60_000), strict = try serve(maximumLag: 1000)
        defer { kill(lenient.pid, SIGKILL); kill(other.pid, SIGKILL); kill(strict.pid, SIGKILL) }
        for port in [lenient.port, other.port, strict.port] { try #require(await answers("http://127.0.0.1:\(port)/readyz")) }
        func token(_ port: Int, _ login: String) async throws -> String {
            let reply = try await RawHTTP.post(port: port, path: "/auth/login", body: #"{"login": "\#(login)", "password": "\#(try password(login))"}"#, token: nil)
            return try #require((try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])?["token"] as? String, "\(reply.body)")
        }

        // Reads are served by the replica once it is sampled current.
        let parent = try await token(lenient.port, "parent")
        let read = RawHTTP.graphql("{ me { name } learners(first: 5) { totalCount } }")
        #expect(try await eventually(10) { try await Self.metric(lenient.port, "eduql_replica_healthy", "replica1") == 1 })
        for _ in 0..<20 { #expect(try await RawHTTP.post(port: lenient.port, body: read, token: parent).status == 200) }
        #expect(try await Self.metric(lenient.port, "eduql_reads_total", "\"replica1\"") >= 20)

        // The replica falls 3 s behind: the strict server leaves it out; the lenient one keeps it,
        // yet the teacher who records a mark reads it back at once, and another reader, from the
        // lagging replica, does not see it yet.
        try await standbyAdmin.withConnection(logger: self.logger) { connection in
            try await connection.query("ALTER SYSTEM SET recovery_min_apply_delay = '3s'", logger: self.logger)
            _ = try await connection.query("SELECT pg_reload_conf()", logger: self.logger).collect()
        }
        let (lesson, learner, classID, subject, heldOn) = try await connections.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                SELECT l.id::int, e.learner_id::int, l.class_id::int, l.subject_id::int, l.held_on::text
                FROM eduql.lessons l JOIN eduql.enrollments e ON e.class_id = l.class_id AND e.status = 'active'
                WHERE l.teacher_id = (SELECT staff_id FROM eduql.users WHERE login = 'teacher') AND l.held_on BETWEEN current_date - 3 AND current_date
                  AND NOT EXISTS (SELECT 1 FROM eduql.marks m WHERE m.lesson_id = l.id AND m.learner_id = e.learner_id)
                ORDER BY l.held_on DESC, e.learner_id LIMIT 1
                """, logger: self.logger).collect().first!.decode((Int, Int, Int, Int, String).self)
        }
        let teacher = try await token(lenient.port, "teacher")
        // Writes keep the primary's position moving, so the delay shows as lag.
        for _ in 0..<10 { _ = try await RawHTTP.post(port: strict.port, body: read, token: try await token(strict.port, "parent")) }
        #expect(try await eventually(15) { try await Self.metric(strict.port, "eduql_replica_healthy", "replica1") == 0 }, "the strict server left the lagging replica out")
        #expect(try await Self.metric(strict.port, "eduql_replica_ejections_total", "replica1") >= 1)
        let journal = RawHTTP.graphql("""
            { journal(classId: "\(classID)", subjectId: "\(subject)", from: "\(heldOn)", to: "\(heldOn)") { lessons { id marks { learner { id } value } } } }
            """)
        let wrote = try await RawHTTP.post(port: lenient.port, body: RawHTTP.graphql("""
            mutation { recordMarks(lessonId: "\(lesson)", marks: [{ learnerId: "\(learner)", value: 4 }]) { value } }
            """), token: teacher)
        #expect(wrote.status == 200 && !wrote.body.contains("errors"), "\(wrote.body)")
        let readBack = try await RawHTTP.post(port: lenient.port, body: journal, token: teacher)
        func hasMark(_ reply: RawExchange) -> Bool {
            reply.body.contains(#""id" : "\#(learner)""#) || reply.body.contains(#""id":"\#(learner)""#)
        }
        #expect(hasMark(readBack), "the teacher reads its own mark: \(readBack.body)")
        // Through another process: only with the position the write's answer named (a header,
        // or the console's cookie) does the read wait for a replica that has it.
        let written = try #require(wrote.written, "the write's answer names its WAL position")
        let journalQuery = try #require((try JSONSerialization.jsonObject(with: Data(journal.utf8)) as? [String: Any]))
        let unaware = try await RawHTTP.post(port: other.port, body: journal, token: teacher)
        let withHeader = try await RawHTTP.post(port: other.port, path: "/graphql", json: journalQuery, token: teacher,
                                                headers: ["X-EduQL-Read-After": written])
        let withCookie = try await RawHTTP.post(port: other.port, path: "/graphql", json: journalQuery, token: teacher,
                                                headers: ["Cookie": "eduql_written=\(written)"])
        #expect(!hasMark(unaware) && hasMark(withHeader) && hasMark(withCookie),
                "another process: unaware \(hasMark(unaware)), with the header \(hasMark(withHeader)), with the cookie \(hasMark(withCookie))")
        let replicaReadsBefore = try await Self.metric(lenient.port, "eduql_reads_total", "\"replica1\"")
        let admin = try await token(lenient.port, "school.admin")
        let stale = try await RawHTTP.post(port: lenient.port, body: journal, token: admin)
        #expect(try await Self.metric(lenient.port, "eduql_reads_total", "\"replica1\"") > replicaReadsBefore, "another reader is read from the replica")
        #expect(!hasMark(stale), "the lagging replica has not replayed the mark yet: \(stale.body)")

        // Caught up again: the strict server takes the replica back.
        try await standbyAdmin.withConnection(logger: self.logger) { connection in
            try await connection.query("ALTER SYSTEM RESET recovery_min_apply_delay", logger: self.logger)
            _ = try await connection.query("SELECT pg_reload_conf()", logger: self.logger).collect()
        }
        #expect(try await eventually(20) { try await Self.metric(strict.port, "eduql_replica_healthy", "replica1") == 1 }, "taken back")

        // Stopped and started under a load of reads: no read fails.
        let load = Load()
        let stop = Flag()
        let strictParent = try await token(strict.port, "parent")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    while !stop.isSet {
                        let reply = try await RawHTTP.post(port: strict.port, body: read, token: strictParent)
                        load.reads.withLock { $0 += 1 }
                        if reply.status != 200 || reply.body.contains("errors") { load.failures.withLock { $0.append("\(reply.status) \(reply.body.prefix(200))") } }
                    }
                }
            }
            group.addTask {
                defer { stop.set() }
                try await Task.sleep(for: .seconds(1))
                try Subprocess.run(try standby.binDirectory() + "/pg_ctl", ["stop", "-D", standby.dataDirectory, "-m", "immediate"], asPostgresUser: true)
                try await Task.sleep(for: .seconds(3))
                try standby.launch(binaries: try standby.binDirectory())
                try await Task.sleep(for: .seconds(3))
            }
            try await group.waitForAll()
        }
        #expect(load.failures.withLock { $0 }.isEmpty, "failed reads: \(load.failures.withLock { $0.prefix(3) })")
        #expect(load.reads.withLock { $0 } > 50)
        #expect(try await eventually(20) { try await Self.metric(strict.port, "eduql_replica_healthy", "replica1") == 1 }, "back after its restart")
        #expect(try await Self.metric(strict.port, "eduql_replica_ejections_total", "replica1") >= 2)
    }
}
