@testable import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// A Patroni cluster on loopback (one etcd member, a leader and a synchronous standby, started
/// by `scripts/patroni-cluster`) and the real server naming both members in
/// `EDUQL_DATABASE_HOSTS`. Under a mixed load of mark writes and reads, Patroni switches the
/// leader over: the server follows the new primary by itself; while there is none, requests
/// are answered 503 with `Retry-After` and nothing else fails; every acknowledged write and
/// every answered request's audit event is on the new primary, in one intact chain.
@Suite("Failover on Patroni", .serialized, .timeLimit(.minutes(6)))
struct FailoverTests {
    let logger = Logger(label: "eduql-tests")
    static let metricsToken = "failover-test-metrics-token"
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// What the load saw: each answer with its time, and the writes acknowledged.
    final class Load: Sendable {
        struct Answer: Sendable {
            var at: ContinuousClock.Instant
            var write: Bool
            var status: Int
            var retryAfter: Bool
            var requestID: String?
            var errors: Bool
            var body: String
        }
        let answers = Mutex<[Answer]>([])
        let acknowledged = Mutex<[(lesson: Int, learner: Int, value: Int)]>([])
        /// The next (lesson, learner) pair to mark.
        let next = Atomic(0)
        /// When `patronictl switchover` returned.
        let switched = Mutex<ContinuousClock.Instant?>(nil)
    }

    struct Cluster: Decodable, Sendable {
        struct Node: Decodable, Sendable { var port: Int; var rest: Int }
        var directory: String
        var superuser: String
        var nodes: [String: Node]
    }

    @Test("a switchover under load: writes refused 503 only while there is no primary, none lost, every audit event kept")
    func switchover() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-patroni-\(getpid())-\(UUID().uuidString.prefix(8))").path
        let started = try Subprocess.run("/usr/bin/env", ["python3", Self.root + "/scripts/patroni-cluster", "start", directory, "--owner", "\(getpid())"])
        defer { _ = try? Subprocess.run("/usr/bin/env", ["python3", Self.root + "/scripts/patroni-cluster", "stop", directory]) }
        let cluster = try JSONDecoder().decode(Cluster.self, from: Data(try #require(started.output.split(separator: "\n").last).utf8))
        let node1 = try #require(cluster.nodes["node1"]), node2 = try #require(cluster.nodes["node2"])

        // The leader (node1) gets EduQL's roles, database, schema and demo data; the standby follows.
        let credentials = LocalCluster.Credentials.generate()
        let superuser = ConnectionSettings(host: "127.0.0.1", port: node1.port, username: "postgres", password: cluster.superuser, database: "postgres")
        let connections = ClusterConnections(
            superuser: superuser,
            owner: ConnectionSettings(host: "127.0.0.1", port: node1.port, username: DatabaseRole.owner, password: credentials.owner, database: "eduql"),
            server: ConnectionSettings(host: "127.0.0.1", port: node1.port, username: DatabaseRole.server, password: credentials.server, database: "eduql"))
        try await connections.ensureRoles(credentials: credentials, logger: self.logger)
        try await connections.createDatabase("eduql", logger: self.logger)
        let accounts = try await connections.owner.withConnection(logger: self.logger) { connection in
            try await Migrator().migrate(connection, logger: self.logger)
            try await Seeder(scale: .demo, seed: 1).run(on: connection, logger: self.logger)
            // A wide edit window, so that the teacher has enough (lesson, learner) pairs to write once each.
            try await connection.query("UPDATE eduql.regions SET journal_edit_days = 60", logger: self.logger)
            return try await DemoAccounts(seed: 1).create(on: connection, logger: self.logger).accounts
        }
        let pairs = try await connections.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                SELECT l.id::int, e.learner_id::int
                FROM eduql.lessons l JOIN eduql.enrollments e ON e.class_id = l.class_id AND e.status = 'active'
                WHERE l.teacher_id = (SELECT staff_id FROM eduql.users WHERE login = 'teacher') AND l.held_on BETWEEN current_date - 50 AND current_date
                  AND NOT EXISTS (SELECT 1 FROM eduql.marks m WHERE m.lesson_id = l.id AND m.learner_id = e.learner_id)
                ORDER BY l.held_on DESC, l.id, e.learner_id
                """, logger: self.logger).collect().map { try $0.decode((Int, Int).self) }
        }
        try #require(pairs.count > 400, "the teacher has \(pairs.count) unmarked (lesson, learner) pairs")
        func password(_ login: String) throws -> String { try #require(accounts.first { $0.login == login }?.password) }

        let port = try freePort()
        let server = connections.server
        let pid = try spawn(ServeProcessTests.executable, ["serve"], environment: [
            // DATABASE_URL names node1, yet the server follows whichever member is the primary.
            "DATABASE_URL": "postgres://\(server.username):\(server.password ?? "")@127.0.0.1:\(node1.port)/eduql",
            "EDUQL_DATABASE_HOSTS": "127.0.0.1:\(node1.port),127.0.0.1:\(node2.port)",
            "EDUQL_PORT": "\(port)", "LOG_LEVEL": "error", "EDUQL_METRICS_TOKEN": Self.metricsToken, "EDUQL_SHARED_ANSWERS_MS": "0",
        ])
        defer { kill(pid, SIGKILL) }
        try #require(await answers("http://127.0.0.1:\(port)/readyz"))
        func token(_ login: String) async throws -> String {
            let reply = try await RawHTTP.post(port: port, path: "/auth/login", body: #"{"login": "\#(login)", "password": "\#(try password(login))"}"#, token: nil)
            return try #require((try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])?["token"] as? String, "\(reply.body)")
        }
        let teacher = try await token("teacher"), parent = try await token("parent")
        #expect(try await ReplicaTests.metric(port, "eduql_primary", "127.0.0.1:\(node1.port)", token: Self.metricsToken) == 1)

        // Two writers, each mark once, and four readers, until writes have been back for 3 s.
        let load = Load()
        let stop = Flag()
        let read = RawHTTP.graphql("{ me { name } learners(first: 5) { totalCount } }")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    while !stop.isSet {
                        let index = load.next.add(1, ordering: .relaxed).oldValue
                        guard index < pairs.count else { break }
                        let (lesson, learner) = pairs[index]
                        let value = 2 + index % 4
                        let reply = try await RawHTTP.post(port: port, body: RawHTTP.graphql("""
                            mutation { recordMarks(lessonId: "\(lesson)", marks: [{ learnerId: "\(learner)", value: \(value) }]) { value } }
                            """), token: teacher)
                        let errors = reply.body.contains("\"errors\"")
                        if reply.status == 200 && !errors { load.acknowledged.withLock { $0.append((lesson, learner, value)) } }
                        load.answers.withLock { $0.append(.init(at: .now, write: true, status: reply.status, retryAfter: reply.retryAfter,
                                                                requestID: reply.requestID, errors: errors, body: String(reply.body.prefix(300)))) }
                        try await Task.sleep(for: .milliseconds(40))
                    }
                }
            }
            for _ in 0..<4 {
                group.addTask {
                    while !stop.isSet {
                        let reply = try await RawHTTP.post(port: port, body: read, token: parent)
                        load.answers.withLock { $0.append(.init(at: .now, write: false, status: reply.status, retryAfter: reply.retryAfter,
                                                                requestID: reply.requestID, errors: reply.body.contains("\"errors\""),
                                                                body: String(reply.body.prefix(300)))) }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
            }
            group.addTask {
                defer { stop.set() }
                try await Task.sleep(for: .seconds(3))
                try Subprocess.run("/usr/bin/env", ["patronictl", "-c", cluster.directory + "/node1.yml", "switchover",
                                                    "--leader", "node1", "--candidate", "node2", "--force"])
                load.switched.withLock { $0 = .now }
                // Until writes have been acknowledged for 3 s after the switchover (at most 40 s).
                let deadline = ContinuousClock.now + .seconds(40)
                while ContinuousClock.now < deadline {
                    let firstBack = load.answers.withLock { answers in
                        answers.first { $0.write && $0.status == 200 && !$0.errors && $0.at > load.switched.withLock { $0! } }?.at
                    }
                    if let firstBack, ContinuousClock.now - firstBack > .seconds(3) { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            try await group.waitForAll()
        }

        let answers = load.answers.withLock { $0 }
        let switchedAt = try #require(load.switched.withLock { $0 })
        // Writes came back on the new primary, which the server found by itself.
        let writesBack = answers.first { $0.write && $0.status == 200 && !$0.errors && $0.at > switchedAt }
        #expect(writesBack != nil, "writes are acknowledged again after the switchover")
        #expect(try await ReplicaTests.metric(port, "eduql_primary", "127.0.0.1:\(node2.port)", token: Self.metricsToken) == 1)
        #expect(try await ReplicaTests.metric(port, "eduql_primary", "127.0.0.1:\(node1.port)", token: Self.metricsToken) == 0)
        // Nothing but answers and 503s with Retry-After; no GraphQL error in a 200.
        let unexpected = answers.filter { !($0.status == 200 && !$0.errors) && !($0.status == 503 && $0.retryAfter) }
        #expect(unexpected.isEmpty, "answers other than 200 or 503 with Retry-After: \(unexpected.prefix(3).map { "\($0.status) \($0.body)" })")
        let refused = answers.filter { $0.status == 503 }
        let writes = answers.filter(\.write)
        #expect(writes.count > 50 && load.acknowledged.withLock { $0.count } > 40, "\(writes.count) writes, \(refused.count) refused")
        // The longest time with no read answered, for the record (the bench reports it).
        let reads = answers.filter { !$0.write && $0.status == 200 }.map(\.at).sorted()
        let longestGap = zip(reads, reads.dropFirst()).map { $1 - $0 }.max() ?? .zero
        let writeGap = (writesBack?.at ?? switchedAt) - switchedAt
        print("switchover: \(answers.count) answers, \(refused.count) refused with 503, reads' longest gap \(longestGap), writes back \(writeGap) after patronictl returned")

        // On the new primary: every acknowledged mark, every answered request's audit event, one intact chain.
        let newPrimary = ConnectionSettings(host: "127.0.0.1", port: node2.port, username: DatabaseRole.owner, password: credentials.owner, database: "eduql")
        let acknowledged = load.acknowledged.withLock { $0 }
        try await newPrimary.withConnection(logger: self.logger) { connection in
            #expect(try await connection.query("SELECT pg_is_in_recovery()", logger: self.logger).collect().first!.decode(Bool.self) == false)
            let stored = Set(try await connection.query("""
                SELECT lesson_id::int, learner_id::int, value::int FROM eduql.marks
                WHERE lesson_id = ANY(\(acknowledged.map(\.lesson)))
                """, logger: self.logger).collect().map { row -> String in
                    let (lesson, learner, value) = try row.decode((Int, Int, Int).self)
                    return "\(lesson)/\(learner)/\(value)"
                })
            let lost = acknowledged.filter { !stored.contains("\($0.lesson)/\($0.learner)/\($0.value)") }
            #expect(lost.isEmpty, "acknowledged marks lost: \(lost.count) of \(acknowledged.count)")
            let answered = answers.filter { $0.status == 200 }.compactMap(\.requestID)
            #expect(answered.count > 100)
            // An answered change's event is in the chain, or staged with the change (durable on the
            // new primary, taken into the chain by the next batch).
            let audited = Set(try await connection.query("""
                SELECT request_id FROM eduql.audit_events WHERE request_id = ANY(\(answered))
                UNION SELECT event->>'request_id' FROM eduql.audit_staged WHERE event->>'request_id' = ANY(\(answered))
                """, logger: self.logger).collect().map { try $0.decode(String.self) })
            let missing = answered.filter { !audited.contains($0) }
            #expect(missing.isEmpty, "answered requests without an audit event: \(missing.count) of \(answered.count)")
            let (checked, broken) = try await connection.query("SELECT checked, broken_seq FROM eduql.audit_check(true)", logger: self.logger)
                .collect().first!.decode((Int, Int?).self)
            #expect(broken == nil && checked >= answered.count, "the audit chain is intact on the new primary: \(checked) events walked, broken at \(broken.map(String.init) ?? "none")")
        }
    }
}
