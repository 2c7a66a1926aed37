@testable import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// The real server over a PostgreSQL of its own that is restarted, and stopped for a while,
/// under a load of reads, sign-ins and mutations: every request is answered (503 with
/// `Retry-After` while the database is away, never 500 and never a hang), the server recovers
/// by itself, every answered request has its audit event, the chain verifies, and SIGTERM
/// still stops it.
@Suite("Database restarts under load", .timeLimit(.minutes(6)))
struct DatabaseRestartTests {
    let logger = Logger(label: "eduql-tests")

    /// What the load saw.
    final class Seen: Sendable {
        struct Answer { var status: Int; var requestID: String?; var retryAfter: Bool; var started: ContinuousClock.Instant; var seconds: Double; var body: String }
        let answers = Mutex<[Answer]>([])
        /// When the long outage began and ended.
        let outage = Mutex<(ContinuousClock.Instant, ContinuousClock.Instant)?>(nil)
        let failures = Mutex<[String]>([])
    }

    @Test("restarts and an outage under load: answered, recovered, audited")
    func restartLoop() async throws {
        // Let the shared test cluster finish booting first: two clusters initializing at once
        // overload a small machine.
        _ = try await TestCluster.shared.database(.demo)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-restarts-\(getpid())").path
        let cluster = LocalCluster(configuration: .init(directory: folder, port: try freePort(), database: "restarts"))
        let connections = try await cluster.start(logger: self.logger)
        try cluster.removeWhenProcessExits(getpid())
        let accounts = try await connections.owner.withConnection(logger: self.logger) { connection in
            try await Migrator().migrate(connection, logger: self.logger)
            try await Seeder(scale: .demo, seed: 1).run(on: connection, logger: self.logger)
            return try await DemoAccounts(seed: 1).create(on: connection, logger: self.logger).accounts
        }
        func password(_ login: String) throws -> String { try #require(accounts.first { $0.login == login }?.password) }

        let port = try freePort()
        let server = connections.server
        let url = "postgres://\(server.username):\(server.password ?? "")@\(server.host):\(server.port)/\(server.database)"
        let serverLog = folder + "-server.log"
        let environment = [
            "DATABASE_URL": url, "EDUQL_PORT": "\(port)", "LOG_LEVEL": "error",
            // The load signs in far more often than a person.
            "EDUQL_LOGIN_ATTEMPTS_PER_MINUTE": "100000",
            // No request deadline to hide a wait that never ends beneath it.
            "EDUQL_REQUEST_DEADLINE_SECONDS": "600",
        ]
        let pid = try spawn(ServeProcessTests.executable, ["serve"], environment: environment, output: serverLog)
        defer { kill(pid, SIGKILL) }
        try #require(await self.ready(port, within: .seconds(20)))

        let parent = try await self.token(port, "parent", try password("parent"))
        let admin = try await self.token(port, "school.admin", try password("school.admin"))
        let teacherID = try await connections.owner.withConnection(logger: self.logger) {
            try await $0.scalar("SELECT id::int FROM eduql.users WHERE login = 'teacher'", as: Int.self)
        }
        let parentPassword = try password("parent")
        let seen = Seen()
        let stop = Flag()
        let requests: [@Sendable () async throws -> RawExchange] = [
            { try await RawHTTP.post(port: port, body: RawHTTP.graphql("{ learner(id: 609) { lastName marks { value } } }"), token: parent) },
            { try await RawHTTP.post(port: port, path: "/auth/login", body: #"{"login": "parent", "password": "\#(parentPassword)"}"#, token: nil) },
            { try await RawHTTP.post(port: port, body: RawHTTP.graphql("mutation { disableUser(userId: \(teacherID)) { id } }"), token: admin) },
            { try await RawHTTP.post(port: port, body: RawHTTP.graphql("mutation { enableUser(userId: \(teacherID)) { id } }"), token: admin) },
        ]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var round = 0
                    while !stop.isSet {
                        let kind = (worker + round) % requests.count
                        let send = requests[kind]
                        round += 1
                        let started = ContinuousClock.now
                        do {
                            let exchange = try await send()
                            let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
                                + Double((ContinuousClock.now - started).components.seconds)
                            seen.answers.withLock {
                                $0.append(.init(status: exchange.status, requestID: exchange.requestID, retryAfter: exchange.retryAfter,
                                                started: started, seconds: seconds, body: exchange.body))
                            }
                            if exchange.status == 503 { try await Task.sleep(for: .milliseconds(100)) }
                        } catch {
                            seen.failures.withLock { $0.append("request kind \(kind) at \(ContinuousClock.now): \(error)") }
                        }
                    }
                }
            }
            group.addTask {
                defer { stop.set() }
                try await Task.sleep(for: .seconds(2))
                for _ in 0..<3 {
                    try cluster.stop()
                    _ = try await cluster.start(logger: self.logger)
                    try await Task.sleep(for: .seconds(3))
                }
                // An outage of several seconds.
                try cluster.stop()
                let down = ContinuousClock.now
                try await Task.sleep(for: .seconds(8))
                seen.outage.withLock { $0 = (down, .now) }
                _ = try await cluster.start(logger: self.logger)
                try await Task.sleep(for: .seconds(3))
            }
            try await group.waitForAll()
        }

        let answers = seen.answers.withLock { $0 }
        #expect(seen.failures.withLock { $0 }.isEmpty, "requests left unanswered: \(seen.failures.withLock { $0.prefix(3) })")
        #expect(answers.count > 50)
        let errors = answers.filter { $0.status >= 500 && $0.status != 503 }
        let logged = (try? String(contentsOfFile: serverLog, encoding: .utf8))?.split(separator: "\n").filter { $0.contains("error") } ?? []
        #expect(errors.isEmpty, "answers other than 503 among server errors: \(errors.prefix(3).map { "\($0.status) \($0.body)" }); logged: \(logged.prefix(5))")
        let unavailable = answers.filter { $0.status == 503 }
        #expect(!unavailable.isEmpty, "the outage was never seen")
        #expect(unavailable.allSatisfy { $0.retryAfter })
        // No request waited anywhere near a client's patience: every wait is bounded.
        #expect(answers.map(\.seconds).max() ?? 0 < 15)
        // Once the outage is known (the first requests find it out within about two seconds),
        // every request is answered 503 within a second, whatever it asked.
        let (down, up) = try #require(seen.outage.withLock { $0 })
        let known = answers.filter { $0.started > down + .seconds(2) && $0.started + .seconds($0.seconds) < up }
        #expect(known.count > 20 && known.allSatisfy { $0.status == 503 && $0.seconds <= 1 },
                "during the outage: \(known.count) answers, slowest \(known.map(\.seconds).max() ?? 0) s, statuses \(Set(known.map(\.status)))")

        // Recovered by itself: ready, reading, signing in and writing again.
        #expect(await self.ready(port, within: .seconds(20)))
        let read = try await RawHTTP.post(port: port, body: RawHTTP.graphql("{ learner(id: 609) { lastName } }"), token: parent)
        #expect(read.status == 200, "\(read.body)")
        _ = try await self.token(port, "parent", parentPassword)
        let write = try await RawHTTP.post(port: port, body: RawHTTP.graphql("mutation { enableUser(userId: \(teacherID)) { id } }"), token: admin)
        #expect(write.status == 200 && !write.body.contains("errors"), "\(write.body)")

        // Every request answered with anything but 503 has its event; the chain verifies.
        let answered = answers.filter { $0.status != 503 }.compactMap(\.requestID)
        let missing = try await connections.requestsWithoutEvent(answered)
        #expect(missing.isEmpty, "\(missing.count) of \(answered.count) answered requests have no event")
        #expect(try await connections.auditChainIntact())

        kill(pid, SIGTERM)
        #expect(try await exitStatus(of: pid, within: .seconds(30)) == 0)
        try? cluster.stop()
    }

    func ready(_ port: Int, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if (try? await httpStatus("http://127.0.0.1:\(port)/readyz")) == 200 { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    func token(_ port: Int, _ login: String, _ password: String) async throws -> String {
        let reply = try await RawHTTP.post(port: port, path: "/auth/login", body: #"{"login": "\#(login)", "password": "\#(password)"}"#, token: nil)
        return try #require((try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])?["token"] as? String, "\(reply.body)")
    }
}
