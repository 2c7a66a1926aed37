@testable import EduQLSchema
@testable import EduQLServer
import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Spans over OTLP/HTTP from the real binary to a collector of the test's own: the request
/// (with its request id), parse and validate, plan, each SQL statement, the audit flush.
@Suite("Tracing", .serialized, .timeLimit(.minutes(3)))
struct TracingTests {
    @Test("with OTEL_EXPORTER_OTLP_ENDPOINT set, a request's spans reach the collector, carrying its request id")
    func spansReachTheCollector() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let token = try await TestAPI.run(database) { api in try await api.demoToken("region.admin") }
        let exports = Mutex<[Data]>([])
        let paths = Mutex<Set<String>>([])
        let router = Router()
        router.post("/v1/traces") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 16 << 20)
            let bytes = Data(body.readableBytesView)
            exports.withLock { $0.append(bytes) }
            paths.withLock { _ = $0.insert(request.uri.path) }
            return .ok
        }
        let collectorPort = try freePort()
        let collector = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: collectorPort)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await collector.runService(gracefulShutdownSignals: []) }
            defer { group.cancelAll() }
            let port = try freePort()
            let server = database.server
            let pid = try spawn(ServeProcessTests.executable, ["serve"], environment: [
                "DATABASE_URL": "postgres://\(server.username):\(server.password ?? "")@\(server.host):\(server.port)/\(server.database)",
                "EDUQL_PORT": "\(port)", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(collectorPort)", "OTEL_BSP_SCHEDULE_DELAY": "200",
                "EDUQL_SHARED_ANSWERS_MS": "0",
            ])
            defer { kill(pid, SIGKILL) }
            try #require(await answers("http://127.0.0.1:\(port)/readyz"))
            let answer = try await RawHTTP.post(port: port, body: RawHTTP.graphql(
                "query Slow($name: String) { learners(first: 5, filter: { nameContains: $name }) { totalCount } }", variables: ["name": "Secretname"]),
                token: token)
            #expect(answer.status == 200)
            let requestID = try #require(answer.requestID)
            let wanted = [requestID, "eduql.request", "eduql.request_id", "eduql.outcome", "eduql.operation", "GraphQL parse and validate", "GraphQL plan", "SQL", "audit flush",
                          "/graphql", "eduql"]
            var found: Set<String> = []
            for _ in 0..<100 where found.count < wanted.count {
                try await Task.sleep(for: .milliseconds(100))
                let all = exports.withLock { $0.reduce(Data(), +) }
                found = Set(wanted.filter { all.range(of: Data($0.utf8)) != nil })
            }
            #expect(found == Set(wanted), "missing from the exported spans: \(Set(wanted).subtracting(found))")
            #expect(paths.withLock { $0 } == ["/v1/traces"])
            // Variables and query strings stay out of traces.
            let all = exports.withLock { $0.reduce(Data(), +) }
            #expect(all.range(of: Data("Secretname".utf8)) == nil)
            #expect(all.range(of: Data(token.utf8)) == nil)
            kill(pid, SIGTERM)
            #expect(try await exitStatus(of: pid, within: .seconds(30)) == 0)
        }
    }
}
