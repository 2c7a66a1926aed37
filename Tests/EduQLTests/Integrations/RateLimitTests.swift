import EduQLAccessControl
@testable import EduQLResolvers
@testable import EduQLServer
import Foundation
import GraphQL
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// Limits per principal: token buckets per address, user and integration client answer 429
/// with Retry-After and an audit event; an operation whose estimated rows exceed the cost limit
/// is refused before any SQL.
@Suite("Rate and cost limits", .timeLimit(.minutes(3)))
struct RateLimitTests {
    let logger = Logger(label: "eduql-tests")

    @Test("a bucket holds its burst, refills at its rate, and says how long to wait")
    func buckets() throws {
        let buckets = TokenBuckets()
        let limit = try #require(TokenBuckets.Limit("2/3"))
        let start = ContinuousClock.now
        for _ in 0..<3 { #expect(buckets.take("a", limit, now: start) == nil) }
        #expect(buckets.take("a", limit, now: start) == 1)
        #expect(buckets.take("b", limit, now: start) == nil, "another key has its own bucket")
        #expect(buckets.take("a", limit, now: start + .milliseconds(499)) == 1)
        #expect(buckets.take("a", limit, now: start + .milliseconds(600)) == nil, "refilled at 2 per second")
        #expect(buckets.take("a", limit, now: start + .milliseconds(600)) == 1)
        let slow = try #require(TokenBuckets.Limit("0.1/1"))
        #expect(buckets.take("c", slow, now: start) == nil)
        #expect(buckets.take("c", slow, now: start) == 10)
        for bad in ["0/1", "1/0", "x/1", "1", "-1/5", "inf/2", "5/100000000"] { #expect(TokenBuckets.Limit(bad) == nil, "\(bad)") }
        #expect(try RateLimits(settings: Settings(environment: ["EDUQL_RATE_LIMIT_USER": "off"])).user == nil)
        #expect { try RateLimits(settings: Settings(environment: ["EDUQL_RATE_LIMIT_CLIENT": "fast"])) } throws: { "\($0)".contains("EDUQL_RATE_LIMIT_CLIENT") }
    }

    @Test("a user over its rate gets 429 with Retry-After, audited as denied; other users are not held back")
    func userLimit() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database, configure: { $0.rateLimits.user = .init(rate: 0.2, burst: 3) }) { api in
            let teacher = try await api.demoToken("teacher")
            for _ in 0..<3 { #expect(try await api.graphql("{ me { name } }", token: teacher).status == .ok) }
            let refused = try await api.graphql("{ me { name } }", token: teacher)
            #expect(refused.status == .tooManyRequests)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(refused["code"] as? String == "RATE_LIMITED")
            #expect(try await api.graphql("{ me { name } }", token: try await api.demoToken("parent")).status == .ok)
        }
        let denied = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("""
                SELECT count(*)::int FROM eduql.audit_events WHERE login = 'teacher' AND outcome = 'denied' AND error_codes = ARRAY['RATE_LIMITED']
                """, as: Int.self)
        }
        #expect(denied == 1)
    }

    @Test("requests from one address are limited before any token is looked at; a grant's own rate holds its client")
    func addressAndClient() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database, configure: { $0.rateLimits.address = .init(rate: 0.2, burst: 2) }) { api in
            for _ in 0..<2 { #expect(try await api.graphql("{ me { name } }", token: "nobody").status == .unauthorized) }
            let refused = try await api.graphql("{ me { name } }", token: "nobody")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] != nil)
            let signIn = try await api.request(.post, "/auth/login", json: ["login": "teacher", "password": "x"])
            #expect(signIn.status == .tooManyRequests)
        }
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("UPDATE eduql.integration_grants SET rate_per_second = 0.2, burst = 2", logger: self.logger)
        }
        try await TestAPI.run(database) { api in
            let token = try await api.clientToken()
            let id = try ConsumerDocuments.id("integration/roster-export.graphql")
            for _ in 0..<2 { #expect(try await api.graphql(documentID: id, variables: ["first": 1], token: token).status == .ok) }
            let refused = try await api.graphql(documentID: id, variables: ["first": 1], token: token)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] != nil)
        }
    }

    @Test("an operation estimated above the cost limit is refused before any SQL, naming the limit; consumer documents pass")
    func costLimit() async throws {
        let engine = GraphQLEngine()
        let acting = ActingAs.user(tokenSHA256: Data(repeating: 0, count: 32), assignmentID: 1, idleSeconds: 60, regionID: 1)
        func rows(_ text: String, _ variables: Map = [:], policy: Policy = .regionAdmin) throws -> Int {
            let prepared = try engine.prepare(text, for: policy)
            let operation = try GraphQLEngine.operation(in: prepared.document, named: nil)
            let values = try GraphQLEngine.coerceVariables(operation.variableDefinitions, variables, schema: try engine.schema(for: policy).schema)
            let compiled = try engine.compile(operation, of: prepared, variables: values, policy: policy, actingAs: acting)
            return try compiled.cost.rows(PlanInputs(variables: values, actingAs: acting))
        }
        // Pages multiply through nested lists; a page's own list counts its page size once.
        #expect(try rows("{ me { name } }") == 1)
        #expect(try rows("{ learners(first: 10) { edges { node { id } } } }") == 1 + 10 * (1 + 1))
        #expect(try rows("query($n: Int) { learners(first: $n) { edges { node { id class { name } } } } }", ["n": 100]) == 1 + 100 * (1 + 2))
        let deep = try rows("{ organizations(first: 100) { edges { node { classes { learners { marks { value } } } } } } }")
        #expect(deep > engine.limits.maxCost)
        let nested = "query($n: Int) { organizations(first: $n) { edges { node { classes { learners { marks { value } } } } } } }"
        let prepared = try engine.prepare(nested, for: .schoolAdmin)
        #expect(throws: QueryError.self) {
            try engine.plan(prepared, operationName: nil, variables: ["n": 100], policy: .schoolAdmin, actingAs: acting)
        }
        do {
            _ = try engine.plan(prepared, operationName: nil, variables: ["n": 100], policy: .schoolAdmin, actingAs: acting)
        } catch let error as QueryError {
            #expect(error.code == "COST_LIMIT_EXCEEDED")
            #expect(error.message.contains("\(engine.limits.maxCost)"))
        }
        // The same plan with a small page passes: the estimate is per request.
        _ = try engine.plan(prepared, operationName: nil, variables: ["n": 1], policy: .schoolAdmin, actingAs: acting)

        // Over HTTP: refused with the code, and no statement ran (the audit records no rows read).
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let reply = try await api.graphql(nested, variables: ["n": 100], token: try await api.demoToken("school.admin"))
            #expect(reply.errorCodes == ["COST_LIMIT_EXCEEDED"], "\(reply.text)")
            #expect(reply.json["data"] == nil)
        }
    }
}
