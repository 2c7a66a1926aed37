import EduQLAccessControl
@testable import EduQLResolvers
import EduQLServer
import Foundation
import GraphQL
import Logging
import OrderedCollections
import PostgresNIO
import Testing

/// A document compiles once per policy, principal kind and variable shape; later requests only
/// bind their values, and get what a fresh compile would give them — the same statement text,
/// the same parameters, the same answers from the database.
@Suite("Plan cache", .timeLimit(.minutes(3)))
struct PlanCacheTests {
    let logger = Logger(label: "eduql-tests")

    static func engine(cached: Bool) -> GraphQLEngine {
        var plans = PlanCache.Configuration()
        plans.enabled = cached
        return GraphQLEngine(plans: plans)
    }

    static let acting = ActingAs.user(tokenSHA256: Data(repeating: 7, count: 32), assignmentID: 1, idleSeconds: 1800, regionID: 1)

    static func variables(_ values: [String: Map]) -> Map {
        .dictionary(OrderedDictionary(uniqueKeysWithValues: values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
    }

    /// Plans `text` with both engines and checks the cached plan is the fresh one: same texts, same parameter bytes.
    static func plan(_ text: String, _ values: [String: Map], policy: Policy, cached: GraphQLEngine, fresh: GraphQLEngine,
                     acting: ActingAs = acting) throws -> OperationPlan {
        let plan = try cached.plan(try cached.prepare(text, for: policy), operationName: nil, variables: variables(values),
                                   policy: policy, actingAs: acting)
        let expected = try fresh.plan(try fresh.prepare(text, for: policy), operationName: nil, variables: variables(values),
                                      policy: policy, actingAs: acting)
        #expect(plan.roots.count == expected.roots.count)
        for (root, other) in zip(plan.roots, expected.roots) {
            guard case .statement(let statement) = root, case .statement(let fresh) = other else { continue }
            #expect(statement.sql == fresh.sql, "\(values)")
            #expect(statement.parameters.map(\.type) == fresh.parameters.map(\.type), "\(values)")
            #expect(statement.parameters.map(\.value) == fresh.parameters.map(\.value), "\(values)")
        }
        return plan
    }

    @Test("a document compiles once per shape; later requests only bind, getting a fresh compile's statements")
    func compilesOnce() throws {
        let (cached, fresh) = (Self.engine(cached: true), Self.engine(cached: false))
        let diary = try ConsumerDocuments.text("parent/diary-week.graphql")
        let requests: [[String: Map]] = [
            ["learnerId": "609", "from": "2026-09-07", "to": "2026-09-13"], ["learnerId": "610", "from": "2026-09-14", "to": "2026-09-20"],
            ["learnerId": "1217", "from": "2026-10-05", "to": "2026-10-11"], ["learnerId": "609", "from": "2026-11-02", "to": "2026-11-02"],
        ]
        var texts: Set<String> = []
        var parameters: Set<[ByteBuffer?]> = []
        for values in requests {
            let plan = try Self.plan(diary, values, policy: .parent, cached: cached, fresh: fresh)
            guard case .statement(let statement) = plan.roots.first else { Issue.record("no statement"); continue }
            texts.insert(statement.sql)
            parameters.insert(statement.parameters.map(\.value))
        }
        #expect(cached.plans.statistics.compiled == 1)
        #expect(cached.plans.statistics.hits == requests.count - 1)
        #expect(fresh.plans.statistics.compiled == requests.count)
        #expect(texts.count == 1)
        #expect(parameters.count == requests.count, "each request bound its own values")
    }

    @Test("another policy or another kind of principal never gets another's plan")
    func perPolicy() throws {
        let (cached, fresh) = (Self.engine(cached: true), Self.engine(cached: false))
        let text = "{ organizations(first: 3) { totalCount edges { node { id } } } }"
        let policies: [Policy] = [.regionAdmin, .mouoAdmin, .schoolAdmin, .teacher, .homeroomTeacher]
        var texts: [String: String] = [:]
        for policy in policies + policies {
            let plan = try Self.plan(text, [:], policy: policy, cached: cached, fresh: fresh)
            guard case .statement(let statement) = plan.roots.first else { Issue.record("no statement"); continue }
            #expect(texts[policy.key] == nil || texts[policy.key] == statement.sql)
            texts[policy.key] = statement.sql
            #expect(statement.sql.contains(policy.predicate(.organizations, alias: "r1")), "\(policy.key)'s own predicate")
        }
        #expect(texts["region_admin"] != texts["school_admin"], "a region's rows are not a school's")
        #expect(cached.plans.statistics.compiled == policies.count)
        #expect(cached.plans.statistics.hits == policies.count)

        let client = ActingAs.client(tokenSHA256: Data(repeating: 9, count: 32), regionID: 1)
        let plan = try Self.plan(text, [:], policy: .regionAdmin, cached: cached, fresh: fresh, acting: client)
        guard case .statement(let statement) = plan.roots.first else { Issue.record("no statement"); return }
        #expect(statement.sql.contains("act_as_client("))
        #expect(cached.plans.statistics.compiled == policies.count + 1, "a client's token check is not a user's")
    }

    @Test("a bad value in a later request of a cached plan is refused, as a fresh compile refuses it")
    func laterBadInput() throws {
        let (cached, fresh) = (Self.engine(cached: true), Self.engine(cached: false))
        let diary = try ConsumerDocuments.text("parent/diary-week.graphql")
        _ = try Self.plan(diary, ["learnerId": "609", "from": "2026-09-07", "to": "2026-09-13"], policy: .parent, cached: cached, fresh: fresh)
        let bad: [[String: Map]] = [
            ["learnerId": "609", "from": "2026-09-13", "to": "2026-09-07"],
            ["learnerId": "609", "from": "2026-09-01", "to": "2027-09-01"],
            ["learnerId": "six", "from": "2026-09-07", "to": "2026-09-13"],
            ["learnerId": "-3", "from": "2026-09-07", "to": "2026-09-13"],
        ]
        for values in bad {
            for engine in [cached, fresh] {
                #expect(throws: QueryError.self, "\(values)") {
                    try engine.plan(try engine.prepare(diary, for: .parent), operationName: nil, variables: Self.variables(values),
                                    policy: .parent, actingAs: Self.acting)
                }
            }
        }
        #expect(cached.plans.statistics.compiled == 1, "refused values did not replace the plan")
        let page = "query($first: Int, $after: String) { organizations(first: $first, after: $after) { edges { node { id } } } }"
        _ = try Self.plan(page, ["first": 5, "after": "Y3Vyc29yOjU="], policy: .regionAdmin, cached: cached, fresh: fresh)
        for values: [String: Map] in [["first": 5000, "after": "Y3Vyc29yOjU="], ["first": -1, "after": "Y3Vyc29yOjU="], ["first": 5, "after": "bm9wZQ=="]] {
            #expect(throws: QueryError.self, "\(values)") {
                try cached.plan(try cached.prepare(page, for: .regionAdmin), operationName: nil, variables: Self.variables(values),
                                policy: .regionAdmin, actingAs: Self.acting)
            }
        }
    }

    /// A region administrator's session on the demo data, a one-connection pool, and a runner.
    func withRegionAdmin(_ body: @Sendable (QueryRunner, ActingAs, ClusterConnections) async throws -> Void) async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await database.withSession(of: "region.admin", logger: self.logger) { client, acting in
            try await body(QueryRunner(database: client), acting, database)
        }
    }

    /// Runs `text` with each set of values through the cached engine, checks every plan against a
    /// fresh compile and every answer against the fresh plan's answer; returns the answers.
    func answers(_ text: String, _ requests: [[String: Map]], runner: QueryRunner, acting: ActingAs,
                 cached: GraphQLEngine) async throws -> [[String: Any]] {
        let fresh = Self.engine(cached: false)
        var answers: [[String: Any]] = []
        for values in requests {
            let plan = try Self.plan(text, values, policy: .regionAdmin, cached: cached, fresh: fresh, acting: acting)
            let expected = try fresh.plan(try fresh.prepare(text, for: .regionAdmin), operationName: nil, variables: Self.variables(values),
                                          policy: .regionAdmin, actingAs: acting)
            let data = try await runner.run(plan, logger: self.logger).data
            #expect(data == (try await runner.run(expected, logger: self.logger).data), "\(values)")
            answers.append(try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]))
        }
        return answers
    }

    static func ids(_ answer: [String: Any]) -> [String] {
        ((answer["organizations"] as? [String: Any])?["edges"] as? [[String: Any]] ?? []).compactMap { ($0["node"] as? [String: Any])?["id"] as? String }
    }

    @Test("absent, null and given variables are shapes of their own, answered as a fresh compile answers them")
    func absentAndNull() async throws {
        try await self.withRegionAdmin { runner, acting, database in
            let cached = Self.engine(cached: true)
            let text = """
                query($first: Int = 2, $filter: OrganizationFilter) {
                  organizations(first: $first, filter: $filter, orderBy: ID_ASC) { totalCount edges { node { id } } }
                }
                """
            let requests: [[String: Map]] = [
                [:], ["first": .null], ["first": 3], ["first": 4], ["filter": .null], ["filter": ["municipalityId": "1"]],
                ["filter": ["municipalityId": "2"]], ["filter": ["municipalityId": .null]], ["filter": ["kind": "KINDERGARTEN"]],
                ["first": 1, "filter": ["municipalityId": "2"]],
            ]
            let answers = try await self.answers(text, requests, runner: runner, acting: acting, cached: cached)
            let counts = answers.map { Self.ids($0).count }
            #expect(counts[0] == 2, "absent: the variable's default")
            #expect(counts[1] > 4, "null: no page size given, the argument's own default (50)")
            #expect(counts[2] == 3 && counts[3] == 4)
            #expect(Self.ids(answers[5]) != Self.ids(answers[6]), "another municipality, other schools")
            #expect(Self.ids(answers[7]) == Self.ids(answers[4]), "a null member filters nothing")
            #expect(Self.ids(answers[9]) == Array(Self.ids(answers[6]).prefix(1)))
            // An absent $first takes its default, a value: shapes {first, no filter} (three requests),
            // {first null}, {filter null}, {filter.municipalityId} (three), {filter.municipalityId null},
            // {filter.kind} — six plans for ten requests.
            #expect(cached.plans.statistics.compiled == 6)
            #expect(cached.plans.statistics.hits == 4)
        }
    }

    @Test("a list variable is bound whole: one plan per length class, each answered like a fresh compile")
    func lists() async throws {
        try await self.withRegionAdmin { runner, acting, database in
            let cached = Self.engine(cached: true)
            let text = "query($ids: [ID!]) { organizations(filter: { ids: $ids }, first: 100, orderBy: ID_ASC) { edges { node { id } } } }"
            let (visible, others) = try await database.owner.withConnection(logger: self.logger) { connection in
                (try await connection.column("SELECT id::int FROM eduql.organizations WHERE region_id = 1 ORDER BY id", as: Int.self),
                 try await connection.column("SELECT id::int FROM eduql.organizations WHERE region_id <> 1 ORDER BY id", as: Int.self))
            }
            try #require(visible.count >= 4 && !others.isEmpty)
            // Ids of another region, and ids of nothing, are listed too: the policy and the data decide what is found.
            let long = { (ids: [Int], count: Int) in ids + (0..<max(0, count - ids.count)).map { 900_000 + $0 } }
            let lists: [[Int]] = [[visible[0]], [visible[1]], Array(visible.prefix(3)), [visible[3], others[0]],
                                  long(visible + others, 20), long(others + visible.reversed(), 30), []]
            let answers = try await self.answers(text, lists.map { ["ids": .array($0.map { .string(String($0)) })] },
                                                 runner: runner, acting: acting, cached: cached)
            for (list, answer) in zip(lists, answers) {
                #expect(Self.ids(answer) == list.filter(visible.contains).sorted().map(String.init), "\(list)")
            }
            // Length classes 1, few, many and empty: four plans for seven requests.
            #expect(cached.plans.statistics.compiled == 4)
            #expect(cached.plans.statistics.hits == 3)
        }
    }

    @Test("values the SQL is chosen by are part of the plan: an ordering, a grouping, an @include")
    func dependencies() async throws {
        try await self.withRegionAdmin { runner, acting, database in
            let cached = Self.engine(cached: true)
            let text = """
                query($order: OrganizationOrder!, $total: Boolean!, $grouping: StatsGrouping!) {
                  organizations(first: 5, orderBy: $order) { totalCount @include(if: $total) edges { node { id } } }
                  stats(groupBy: $grouping) { learners }
                }
                """
            let requests: [[String: Map]] = [
                ["order": "ID_ASC", "total": true, "grouping": "REGION"], ["order": "NAME_DESC", "total": true, "grouping": "REGION"],
                ["order": "ID_ASC", "total": false, "grouping": "REGION"], ["order": "ID_ASC", "total": true, "grouping": "MUNICIPALITY"],
                ["order": "ID_ASC", "total": true, "grouping": "REGION"], ["order": "NAME_DESC", "total": true, "grouping": "REGION"],
            ]
            let answers = try await self.answers(text, requests, runner: runner, acting: acting, cached: cached)
            #expect(Self.ids(answers[0]) != Self.ids(answers[1]))
            #expect((answers[0]["organizations"] as? [String: Any])?["totalCount"] != nil)
            #expect((answers[2]["organizations"] as? [String: Any])?["totalCount"] == nil)
            #expect((answers[3]["stats"] as? [Any])?.count ?? 0 > (answers[0]["stats"] as? [Any])?.count ?? 0)
            #expect(cached.plans.statistics.compiled == 4)
            #expect(cached.plans.statistics.hits == 2)
        }
    }
}
