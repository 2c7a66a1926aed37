@testable import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// How the server follows the primary among `EDUQL_DATABASE_HOSTS` with no cluster manager in
/// between: a primary and its standby (`pg_basebackup -R`) on loopback. The server serves from
/// the primary; once the standby is promoted while the old primary still runs (two members
/// claiming to be the primary: a split brain) it refuses every request 503 with `Retry-After`
/// rather than write to either; once the old primary is stopped it serves from the new one.
@Suite("Following the primary", .serialized, .timeLimit(.minutes(4)))
struct PrimaryRelayTests {
    let logger = Logger(label: "eduql-tests")
    static let metricsToken = "relay-test-metrics-token"

    @Test("a split brain is refused 503; the promoted member is followed once it alone claims the primary")
    func splitBrain() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-relay-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cluster = try await ReplicatedCluster.start(root: root, database: "relay", logger: self.logger)
        defer { cluster.stop() }
        let (primary, standby, connections) = (cluster.primary, cluster.standby, cluster.connections)
        let password = try #require(cluster.accounts.first { $0.login == "parent" }?.password)

        let server = connections.server
        let port = try freePort()
        let pid = try spawn(ServeProcessTests.executable, ["serve"], environment: [
            "DATABASE_URL": "postgres://\(server.username):\(server.password ?? "")@127.0.0.1:\(primary.configuration.port)/\(server.database)",
            "EDUQL_DATABASE_HOSTS": "127.0.0.1:\(primary.configuration.port),127.0.0.1:\(standby.configuration.port)",
            "EDUQL_PORT": "\(port)", "LOG_LEVEL": "error", "EDUQL_METRICS_TOKEN": Self.metricsToken,
        ])
        defer { kill(pid, SIGKILL) }
        try #require(await answers("http://127.0.0.1:\(port)/readyz"))
        func primaryMetric(_ member: LocalCluster) async throws -> Double {
            try await ReplicaTests.metric(port, "eduql_primary", "127.0.0.1:\(member.configuration.port)", token: Self.metricsToken)
        }
        func signIn() async throws -> RawExchange {
            try await RawHTTP.post(port: port, path: "/auth/login", body: #"{"login": "parent", "password": "\#(password)"}"#, token: nil)
        }
        let read = RawHTTP.graphql("{ me { name } learners(first: 5) { totalCount } }")

        // The primary serves; the standby is known not to be it.
        #expect(try await eventually(10) { try await primaryMetric(primary) == 1 })
        #expect(try await primaryMetric(standby) == 0)
        let first = try await signIn()
        let token = try #require((try JSONSerialization.jsonObject(with: Data(first.body.utf8)) as? [String: Any])?["token"] as? String,
                                 "\(first.status) \(first.body)")
        #expect(try await RawHTTP.post(port: port, body: read, token: token).status == 200)

        // The standby promoted while the old primary still runs: both claim it, and the server
        // writes to neither — every request is refused 503 with Retry-After.
        try Subprocess.run(try standby.binDirectory() + "/pg_ctl", ["promote", "-w", "-D", standby.dataDirectory], asPostgresUser: true)
        #expect(try await eventually(10) {
            let old = try await primaryMetric(primary), promoted = try await primaryMetric(standby)
            return old == 0 && promoted == 0
        }, "with two members claiming the primary, neither is followed")
        let refusedRead = try await RawHTTP.post(port: port, body: read, token: token)
        let refusedSignIn = try await signIn()
        #expect(refusedRead.status == 503 && refusedRead.retryAfter, "\(refusedRead.status) \(refusedRead.body)")
        #expect(refusedSignIn.status == 503 && refusedSignIn.retryAfter, "\(refusedSignIn.status) \(refusedSignIn.body)")

        // The old primary stopped: the promoted member alone claims it, and the server serves
        // from it by itself — the session made on the old primary holds there too.
        try Subprocess.run(try primary.binDirectory() + "/pg_ctl", ["stop", "-w", "-m", "fast", "-D", primary.dataDirectory], asPostgresUser: true)
        #expect(try await eventually(15) { try await primaryMetric(standby) == 1 }, "the promoted member is followed")
        #expect(try await eventually(10) { try await RawHTTP.post(port: port, body: read, token: token).status == 200 },
                "reads are served again from the new primary")
        #expect(try await signIn().status == 200, "a sign-in writes its session on the new primary")
    }
}
