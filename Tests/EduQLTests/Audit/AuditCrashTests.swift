@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

/// The real server killed with SIGKILL in the middle of a load: every answer a client received
/// has its committed event, and the chain still verifies.
@Suite("Audit survives SIGKILL", .timeLimit(.minutes(3)))
struct AuditCrashTests {
    let logger = Logger(label: "eduql-tests")

    @Test("every response received before SIGKILL has its event")
    func killedMidLoad() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let port = try freePort()
        let url = "postgres://\(database.server.username):\(database.server.password ?? "")@\(database.server.host):\(database.server.port)/\(database.server.database)"
        let pid = try spawn(ServeProcessTests.executable, ["serve"], environment: ["DATABASE_URL": url, "EDUQL_PORT": "\(port)", "LOG_LEVEL": "error"])
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await httpStatus("http://127.0.0.1:\(port)/readyz")) == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(ready)
        let password = try await TestCluster.shared.password(of: "parent")
        let login = try await RawHTTP.post(port: port, path: "/auth/login",
                                           body: #"{"login": "parent", "password": "\#(password)"}"#, token: nil)
        let token = try #require((try JSONSerialization.jsonObject(with: Data(login.body.utf8)) as? [String: Any])?["token"] as? String)

        let received = Received()
        let body = RawHTTP.graphql("{ learner(id: 609) { lastName marks { value } } }")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<200 {
                        guard let exchange = try? await RawHTTP.post(port: port, body: body, token: token) else { return }
                        if exchange.status == 200, let id = exchange.requestID { received.ids.withLock { $0.append(id) } }
                    }
                }
            }
            group.addTask {
                while received.ids.withLock({ $0.count }) < 100 { try await Task.sleep(for: .milliseconds(5)) }
                kill(pid, SIGKILL)
            }
            try await group.waitForAll()
        }
        _ = try? await exitStatus(of: pid, within: .seconds(10))
        let answered = received.ids.withLock { $0 }
        #expect(answered.count >= 100)
        let missing = try await database.requestsWithoutEvent(answered)
        #expect(missing.isEmpty, "\(missing.count) of \(answered.count) answered requests have no event")
        #expect(try await database.auditChainIntact())
    }
}

/// The request ids of the answers received, shared by the load's tasks.
final class Received: Sendable {
    let ids = Mutex<[String]>([])
}
