@testable import EduQLAccessControl
import EduQLSchema
import HTTPTypes
@testable import EduQLResolvers
@testable import EduQLServer
import Foundation
import GraphQL
import Logging
import PostgresNIO
import Testing

/// Dashboard answers are shared for a short time among callers whose tenancy settings are
/// equal, and only among them.
@Suite("Shared dashboard answers", .timeLimit(.minutes(2)))
struct SharedAnswersTests {
    let logger = Logger(label: "eduql-tests")

    @Test("callers of one scope asking at once share one statement, and the same answer")
    func singleFlight() async throws {
        let database = try await TestCluster.shared.database(.demo)
        // The first statement waits on a lock for as long as the test needs, however loaded the machine.
        try await TestAPI.run(database, configure: { $0.limits.statementTimeoutMilliseconds = 60_000 }) { api in
            // Two sessions of the region's administrator: different tokens, equal settings.
            let tokens = [try await api.demoToken("region.admin"), try await api.demoToken("region.admin")]
            #expect(tokens[0] != tokens[1])
            let owner = try await PostgresConnection.connect(configuration: database.owner.connectionConfiguration, id: 1, logger: self.logger)
            defer { Task { try? await owner.close() } }
            // Hold the rollup a municipality's dashboard reads (the organization rollups' stored
            // years, under rollup_organization_years), so the statement blocks while the others arrive.
            try await owner.execute("BEGIN", logger: self.logger)
            try await owner.execute("LOCK TABLE eduql.coarse_years IN ACCESS EXCLUSIVE MODE", logger: self.logger)
            let query = "{ stats(groupBy: MUNICIPALITY) { group { id } learners suppressed } }"
            // Over connections of their own (the test client has one).
            let port = api.port
            let replies = Task {
                try await withThrowingTaskGroup(of: RawExchange.self) { group in
                    for index in 0..<6 {
                        group.addTask { try await RawHTTP.post(port: port, body: RawHTTP.graphql(query), token: tokens[index % 2]) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            let observer = try await PostgresConnection.connect(configuration: database.superuser.connectionConfiguration, id: 2, logger: self.logger)
            defer { Task { try? await observer.close() } }
            func waiting() async throws -> Int {
                try await observer.query("""
                        SELECT count(*)::int FROM pg_stat_activity WHERE datname = \(database.server.database) AND usename = 'eduql_app'
                          AND wait_event_type = 'Lock' AND query LIKE '%rollup_organization_years%'
                    """, logger: self.logger).collect().first!.decode(Int.self)
            }
            var blocked = 0
            for _ in 0..<100 where blocked == 0 {
                try await Task.sleep(for: .milliseconds(50))
                blocked = try await waiting()
            }
            try #require(blocked > 0, "the first request reached the database")
            // Give the other five time to arrive; had they run their own statements, they would wait too.
            try await Task.sleep(for: .milliseconds(500))
            let statements = try await waiting()
            #expect(statements == 1, "one statement for six requests, not \(statements)")
            try await owner.execute("ROLLBACK", logger: self.logger)
            let answers = try await replies.value
            #expect(answers.count == 6 && answers.allSatisfy { $0.status == 200 }, "\(answers.map { "\($0.status) \($0.body.prefix(200))" })")
            #expect(Set(answers.map(\.body)).count == 1, "every caller got the same answer")
            #expect(answers.first?.body.contains("\"learners\"") == true)
        }
    }

    @Test("a write shows in stats once the sharing lifetime has passed")
    func writesShow() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("region.admin")
            let query = "{ stats(groupBy: REGION) { learners } }"
            let learners = { () async throws -> Int? in ((try await api.graphql(query, token: token)).data?["stats"] as? [[String: Any]])?.first?["learners"] as? Int }
            let before = try #require(try await learners())
            try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.execute("""
                    UPDATE eduql.enrollments SET status = 'expelled', left_on = enrolled_on + 30
                    WHERE id IN (SELECT id FROM eduql.enrollments WHERE status = 'active' AND region_id = 1 ORDER BY id LIMIT 7)
                    """, logger: self.logger)
            }
            try await Task.sleep(for: ServerConfiguration(host: "127.0.0.1").sharedAnswers + .milliseconds(100))
            #expect(try await learners() == before - 7)
        }
    }

    @Test("principals differing in any tenancy setting never share")
    func scopesKeepApart() throws {
        let base = UserPrincipal(sessionID: 1, userID: 1, login: "a", assignmentID: 1, role: .mouoAdmin,
                                 scope: Scope(regionID: 1, municipalityID: 2), staffID: nil, guardianID: nil, learnerID: nil,
                                 mustChangePassword: false)
        var variants: [UserPrincipal] = []
        var other = base; other.role = .regionAdmin; variants.append(other)
        other = base; other.scope.regionID = 2; variants.append(other)
        other = base; other.scope.municipalityID = 3; variants.append(other)
        other = base; other.scope.organizationID = 4; variants.append(other)
        other = base; other.scope.classID = 5; variants.append(other)
        other = base; other.staffID = 6; variants.append(other)
        other = base; other.guardianID = 7; variants.append(other)
        other = base; other.learnerID = 8; variants.append(other)
        let scopes = ([base] + variants).map { Principal.user($0).sharingScope }
        #expect(Set(scopes).count == scopes.count)
        // Another session or account of the same role, scope and links shares.
        var same = base; same.sessionID = 9; same.userID = 9; same.assignmentID = 9; same.login = "b"
        #expect(Principal.user(same).sharingScope == Principal.user(base).sharingScope)
    }

    @Test("the sharing key is the statement and every value but the principal's token; only stats has one")
    func sharingKeys() throws {
        var plans = PlanCache.Configuration()
        plans.enabled = false
        let engine = GraphQLEngine(plans: plans)
        let text = "query S($grade: Int) { stats(groupBy: ORGANIZATION, filter: { grade: $grade }) { learners } organizations(first: 1) { totalCount } }"
        func keys(token: UInt8, grade: Int) throws -> [String?] {
            let acting = ActingAs.user(tokenSHA256: Data(repeating: token, count: 32), assignmentID: Int(token), idleSeconds: 1800, regionID: 1)
            let plan = try engine.plan(try engine.prepare(text, for: .regionAdmin), operationName: nil, variables: ["grade": .number(Number(grade))],
                                       policy: .regionAdmin, actingAs: acting)
            return plan.roots.map { root in
                guard case .statement(let statement) = root else { return nil }
                return statement.sharingKey
            }
        }
        let first = try keys(token: 1, grade: 5)
        #expect(first.count == 2 && first[0] != nil && first[1] == nil, "stats shares, a list of organizations does not")
        #expect(try keys(token: 2, grade: 5) == first, "another token, the same key")
        #expect(try keys(token: 1, grade: 6)[0] != first[0], "another value, another key")
    }
}
