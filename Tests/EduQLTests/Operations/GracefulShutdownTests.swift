@testable import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM under load, on the real binary: it stops accepting, finishes what it took up, writes
/// every audit event, closes its pools and exits 0.
@Suite("Graceful shutdown", .serialized, .timeLimit(.minutes(3)))
struct GracefulShutdownTests {
    let logger = Logger(label: "eduql-tests")

    /// One exchange and when it was sent and answered.
    struct Exchange: Sendable {
        var outcome: BlockingHTTP.Outcome
        var sent: ContinuousClock.Instant
        var ended: ContinuousClock.Instant
    }

    @Test("SIGTERM under load: no answer cut off, every answer audited, in-flight requests finished, exit 0")
    func sigtermUnderLoad() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let accounts = try await TestCluster.shared.accounts()
        func password(_ login: String) throws -> String { try #require(accounts.first { $0.login == login }?.password) }
        func url(_ settings: ConnectionSettings) -> String {
            "postgres://\(settings.username):\(settings.password ?? "")@\(settings.host):\(settings.port)/\(settings.database)"
        }
        let port = try freePort()
        let pid = try spawn(ServeProcessTests.executable, ["serve"], environment: [
            "DATABASE_URL": url(database.server), "EDUQL_PORT": "\(port)", "LOG_LEVEL": "info",
            "EDUQL_SHUTDOWN_GRACE_SECONDS": "15", "EDUQL_SHARED_ANSWERS_MS": "0", "EDUQL_LOGIN_ATTEMPTS_PER_MINUTE": "100000",
        ])
        defer { kill(pid, SIGKILL) }
        try #require(await answers("http://127.0.0.1:\(port)/readyz"))
        func token(_ login: String) throws -> String {
            guard case .answered(200, _, let body) = BlockingHTTP.exchange(
                port: port, path: "/auth/login", body: #"{"login":"\#(login)","password":"\#(try password(login))"}"#, token: nil),
                let token = (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["token"] as? String
            else { throw TestFailure("no token for \(login)") }
            return token
        }
        let region = try token("region.admin"), teacher = try token("teacher")
        let regionPassword = try password("region.admin")
        let requests: [(path: String, body: String, token: String?)] = [
            ("/graphql", RawHTTP.graphql("{ stats(groupBy: MUNICIPALITY, byTerm: true) { learners attendanceRate averageMark } }"), region),
            ("/graphql", RawHTTP.graphql("{ learners(first: 100) { totalCount nodes { lastName firstName } } }"), teacher),
            ("/auth/login", #"{"login":"region.admin","password":"\#(regionPassword)"}"#, nil),
            ("/graphql", RawHTTP.graphql("{ organizations(first: 100) { nodes { name } } }"), region),
        ]

        // Eight clients on threads of their own, until the server refuses them.
        let exchanges = Mutex<[Exchange]>([])
        let stop = Flag()
        let finished = Mutex(0)
        for worker in 0..<8 {
            Thread.detachNewThread {
                var round = worker
                var refusedInARow = 0
                while !stop.isSet, refusedInARow < 3 {
                    let request = requests[round % requests.count]
                    round += 1
                    let sent = ContinuousClock.now
                    let outcome = BlockingHTTP.exchange(port: port, path: request.path, body: request.body, token: request.token)
                    exchanges.withLock { $0.append(Exchange(outcome: outcome, sent: sent, ended: .now)) }
                    if case .refused = outcome { refusedInARow += 1; usleep(20_000) } else { refusedInARow = 0 }
                }
                finished.withLock { $0 += 1 }
            }
        }
        try await Task.sleep(for: .seconds(2))
        let signalled = ContinuousClock.now
        kill(pid, SIGTERM)
        let status = try await exitStatus(of: pid, within: .seconds(40))
        let exited = ContinuousClock.now
        stop.set()
        while finished.withLock({ $0 }) < 8 { try await Task.sleep(for: .milliseconds(50)) }

        #expect(status == 0, "eduql serve should exit 0 after SIGTERM")
        #expect(exited - signalled < .seconds(20), "shutdown took \(exited - signalled)")
        let all = exchanges.withLock { $0 }
        var answered: [(status: Int, requestID: String?, sent: ContinuousClock.Instant, ended: ContinuousClock.Instant)] = []
        var cutOff: [String] = [], refused = 0, unanswered = 0
        for exchange in all {
            switch exchange.outcome {
            case .answered(let status, let id, _): answered.append((status, id, exchange.sent, exchange.ended))
            case .cutOff(let how): cutOff.append(how)
            case .refused: refused += 1
            case .unanswered: unanswered += 1
            }
        }
        #expect(cutOff.isEmpty, "answers cut off mid-way: \(cutOff.prefix(3)) (besides \(refused) refused and \(unanswered) closed unanswered)")
        #expect(answered.count > 20)
        #expect(refused > 0, "the server kept accepting after SIGTERM")
        // Requests in flight when the signal came were finished, not dropped.
        let inFlight = answered.filter { $0.sent < signalled && $0.ended > signalled }
        #expect(!inFlight.isEmpty, "no request was in flight at SIGTERM; the test proves nothing")
        #expect(answered.allSatisfy { $0.status == 200 }, "\(Dictionary(grouping: answered, by: \.status).mapValues(\.count))")
        // Every answered request has its audit event, and the chain verifies.
        let ids = answered.compactMap(\.requestID)
        #expect(ids.count == answered.count)
        let missing = try await database.requestsWithoutEvent(ids)
        #expect(missing.isEmpty, "\(missing.count) of \(ids.count) answered requests have no audit event")
        #expect(try await database.auditChainIntact())
        // Its last words are in the log.
        let log = (try? String(contentsOfFile: TestLog.path, encoding: .utf8)) ?? ""
        #expect(log.contains(#""message":"stopped""#))
    }
}
