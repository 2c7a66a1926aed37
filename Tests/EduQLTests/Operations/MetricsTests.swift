import EduQLAccessControl
@testable import EduQLServer
import Foundation
import HTTPTypes
import Testing

/// `/metrics`: swift-metrics recorded into swift-prometheus's registry, behind a token on the
/// API's port or alone on its own port.
@Suite("Metrics", .serialized)
struct MetricsTests {
    static let token = "metrics-token-for-tests-0123456789"

    /// The samples of a Prometheus text page: `name{labels}` → value.
    static func samples(_ page: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in page.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    func scrape(_ api: TestAPI) async throws -> [String: Double] {
        let reply = try await api.request(.get, "/metrics", headers: [.authorization: "Bearer \(Self.token)"])
        #expect(reply.status == .ok)
        #expect(reply.headers[.contentType]?.hasPrefix("text/plain") == true)
        return Self.samples(reply.text)
    }

    @Test("requests by trusted document and outcome, latency, sign-ins, plan cache, pools, audit, Argon2 and rate limits are scraped")
    func everyFamilyIsScraped() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let documents = try TrustedDocuments.load(from: "queries")
        let stats = try #require(documents.byID.first { $0.value.path == "region-dashboard/municipality-stats.graphql" }?.key)
        try await TestAPI.run(database, configure: { $0.observability.metricsToken = Self.token }) { api async throws in
            let before = try await self.scrape(api)
            let region = try await api.demoToken("region.admin")
            _ = try await api.login("region.admin", "not the password")
            for _ in 0..<3 {
                let answer = try await api.graphql(documentID: stats, token: region)
                #expect(answer.status == .ok)
            }
            // Dashboard answers are shared for half a second: these go to the database each time.
            for _ in 0..<6 { #expect(try await api.graphql("{ me { name } }", token: region).status == .ok) }
            _ = try await api.graphql("{ nosuchfield }", token: region)
            let after = try await self.scrape(api)
            func grew(_ key: String, by at: Double = 1) {
                #expect((after[key] ?? 0) - (before[key] ?? 0) >= at, "\(key): \(before[key] ?? 0) → \(after[key] ?? 0)")
            }
            grew(#"eduql_requests_total{operation="region-dashboard/municipality-stats",outcome="ok"}"#, by: 3)
            grew(#"eduql_requests_total{operation="anonymous",outcome="ok"}"#)
            grew(#"eduql_requests_total{operation="anonymous",outcome="invalid"}"#)
            grew(#"eduql_request_duration_seconds_count{operation="region-dashboard/municipality-stats"}"#, by: 3)
            #expect(after.keys.contains { $0.hasPrefix(#"eduql_request_duration_seconds_bucket{operation="region-dashboard/municipality-stats",le="0.1"}"#) })
            grew(#"eduql_sign_ins_total{kind="user",outcome="ok"}"#)
            grew(#"eduql_sign_ins_total{kind="user",outcome="denied"}"#)
            grew(#"eduql_plan_cache_total{result="hit"}"#, by: 2)
            grew(#"eduql_plan_cache_total{result="miss"}"#)
            grew(#"eduql_prepared_statements_total{result="hit"}"#)
            grew(#"eduql_database_connection_wait_seconds_count{pool="readers"}"#, by: 6)
            grew(#"eduql_database_connection_wait_seconds_count{pool="primary"}"#)
            for pool in ["primary", "readers"] {
                for state in ["in_use", "idle", "waiting"] {
                    #expect(after[#"eduql_database_connections{pool="\#(pool)",state="\#(state)"}"#] != nil, "\(pool) \(state)")
                }
            }
            grew("eduql_audit_batch_size_count")
            grew("eduql_audit_flush_seconds_count")
            #expect(after["eduql_audit_queue_depth"] != nil)
            grew("eduql_argon2_seconds_count", by: 2)
            #expect(after["eduql_argon2_queue_depth"] != nil)
            // No label carries what a caller sent: every operation label is a document's name or anonymous.
            let operations = Set(after.keys.compactMap { key -> String? in
                guard key.hasPrefix("eduql_requests_total{"), let range = key.range(of: #"operation=""#) else { return nil }
                return String(key[range.upperBound...].prefix { $0 != "\"" })
            })
            let allowed = Set(documents.byID.values.map(\.name)) .union(["anonymous"]).union(RequestLog.authActions.map { "auth/" + $0 }).union(["auth/other"])
            #expect(!operations.isEmpty && operations.isSubset(of: allowed), "\(operations.subtracting(allowed))")
        }
    }

    @Test("rate-limit rejections are counted by bucket")
    func rateLimitRejections() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database, configure: {
            $0.observability.metricsToken = Self.token
            $0.rateLimits.address = .init(rate: 1, burst: 2)
        }) { api async throws in
            let before = try await self.scrape(api)
            var refused = 0
            for _ in 0..<6 where try await api.graphql("{ me { name } }", token: nil).status == .tooManyRequests { refused += 1 }
            #expect(refused >= 3)
            let after = try await self.scrape(api)
            let key = #"eduql_rate_limit_rejections_total{bucket="address"}"#
            #expect((after[key] ?? 0) - (before[key] ?? 0) == Double(refused))
        }
    }

    @Test("/metrics is not public: no token configured is 404, a wrong or missing token 401; its own port asks for none")
    func notPublic() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        try await TestAPI.run(database) { api async throws in
            #expect(try await api.request(.get, "/metrics").status == .notFound)
            #expect(try await api.request(.get, "/metrics", headers: [.authorization: "Bearer \(Self.token)"]).status == .notFound)
        }
        let port = try freePort()
        try await TestAPI.run(database, configure: {
            $0.observability.metricsToken = Self.token
            $0.observability.metricsPort = port
        }) { api async throws in
            #expect(try await api.request(.get, "/metrics").status == .unauthorized)
            #expect(try await api.request(.get, "/metrics", headers: [.authorization: "Bearer wrong-\(Self.token)"]).status == .unauthorized)
            #expect(try await api.request(.get, "/metrics", headers: [.authorization: "Bearer \(Self.token)"]).status == .ok)
            #expect(await answers("http://127.0.0.1:\(port)/metrics"))
            #expect(try await httpStatus("http://127.0.0.1:\(port)/graphql") == 404)
        }
    }
}
