import EduQLAccessControl
@testable import EduQLResolvers
import EduQLSchema
@testable import EduQLServer
import Foundation
import GraphQL
import Logging
import PostgresNIO
import Testing

/// The organization rollups (migration 0042) answer every dashboard that stops at an
/// organization exactly as the class-level rollups do: for each administrator, grouping, term
/// split and filter; with organizations left stale and the journal's rows pending by writes,
/// their refresh and fold held off, and after the refresh; and their stored rows then hold what their classes sum.
@Suite("Organization rollups", .timeLimit(.minutes(5)))
struct OrganizationRollupTests {
    let logger = Logger(label: "eduql-tests")

    static let measures = """
        group { kind id } term { id } learners attendanceRate averageMark qualityRate markDistribution { one two three four five } \
        queueDemand freePlaces suppressed suppressionReason
        """

    /// The filters compared: none, and each one an organization rollup keeps.
    static let filters = ["", "filter: { academicYearId: \"YEAR\" }", "filter: { organizationKind: SCHOOL }",
                          "filter: { municipalityId: \"MUNICIPALITY\", academicYearId: \"YEAR\" }"]

    @Test("a dashboard grouped by region, municipality or organization reads the organization rollups; by class, grade or subject the class level",
          arguments: ["REGION", "MUNICIPALITY", "ORGANIZATION", "CLASS"])
    func statementChoosesItsRollups(grouping: String) throws {
        var plans = PlanCache.Configuration()
        plans.enabled = false
        let engine = GraphQLEngine(plans: plans)
        let acting = ActingAs.user(tokenSHA256: Data(repeating: 3, count: 32), assignmentID: 1, idleSeconds: 1800, regionID: 1)
        func sql(_ arguments: String, _ extra: String = "") throws -> String {
            let text = "{ stats(groupBy: \(grouping)\(arguments)) { \(Self.measures) \(extra) } }"
            let plan = try engine.plan(try engine.prepare(text, for: .regionAdmin), operationName: nil, variables: .null,
                                       policy: .regionAdmin, actingAs: acting)
            guard case .statement(let statement) = plan.roots.first else { throw TestFailure("no statement") }
            return statement.sql
        }
        let coarse = try sql(", byTerm: true, filter: { academicYearId: 1, organizationKind: SCHOOL }")
        #expect(coarse.contains("eduql.rollup_organization_years") == (grouping != "CLASS"))
        #expect(coarse.contains("eduql.rollup_organization_terms") == (grouping != "CLASS"))
        #expect(coarse.contains("eduql.rollup_marks") == (grouping == "CLASS"))
        #expect(coarse.contains("eduql.rollup_contingent") == (grouping == "CLASS"))
        for classLevel in [try sql(", filter: { grade: 5 }"), try sql(", filter: { subjectId: 1 }"), try sql("", "movements { month }")] {
            #expect(!classLevel.contains("eduql.rollup_organization_"))
            #expect(classLevel.contains("eduql.rollup_contingent"))
        }
    }

    @Test("organization rollups answer as the class level for every administrator, grouping, term split and filter, stale or refreshed")
    func equalToClassLevel() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let rollups = Rollups(logger: self.logger)
        let (year, municipality) = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                SELECT (SELECT min(id) FROM eduql.academic_years WHERE region_id = 1)::text,
                       (SELECT municipality_id FROM eduql.organizations WHERE region_id = 1 ORDER BY id LIMIT 1)::text
                """, logger: self.logger).collect().first!.decode((String, String).self)
        }
        try await TestAPI.run(database, configure: { $0.sharedAnswers = .zero }) { api in
            let tokens = [try await api.demoToken("region.admin"), try await api.demoToken("mouo.admin"), try await api.demoToken("school.admin")]
            var suppressed = 0
            var compared = 0
            func compare(_ state: String) async throws {
                for token in tokens {
                    for grouping in ["REGION", "MUNICIPALITY", "ORGANIZATION"] {
                        for byTerm in [false, true] {
                            for filter in Self.filters {
                                let arguments = "groupBy: \(grouping), byTerm: \(byTerm), "
                                    + filter.replacingOccurrences(of: "YEAR", with: year).replacingOccurrences(of: "MUNICIPALITY", with: municipality)
                                // Asking for movements keeps the whole statement on the class level.
                                let organizations = try await self.rows(api, "{ stats(\(arguments)) { \(Self.measures) } }", token)
                                let classes = try await self.rows(api, "{ stats(\(arguments)) { \(Self.measures) movements { month } } }", token)
                                    .map { $0.filter { $0.key != "movements" } }
                                #expect(try Self.canonical(organizations) == Self.canonical(classes), "\(state): stats(\(arguments))")
                                suppressed += organizations.filter { $0["suppressed"] as? Bool == true }.count
                                compared += organizations.count
                            }
                        }
                    }
                }
            }

            try await database.owner.withConnection(logger: self.logger) { connection in
                try await rollups.refreshOrganizations(on: connection)
                #expect(try await self.stale(connection) == 0)
                #expect(try await connection.scalar("SELECT count(*)::int FROM eduql.coarse_terms", as: Int.self) > 0)
            }
            try await compare("refreshed")

            // Writes leave organizations stale and the journal's rows pending; a session holding the
            // refresh's and the fold's locks keeps them so.
            try await database.owner.withConnection(logger: self.logger) { holder in
                try await holder.execute("SELECT pg_advisory_lock(1704, 0), pg_advisory_lock(1705, 0)", logger: self.logger)
                try await database.owner.withConnection(logger: self.logger) { connection in
                    // A threshold above a fifth of the classes: suppression blocks form, some across organizations.
                    try await connection.execute("""
                        UPDATE eduql.regions SET privacy_threshold = 1 + (SELECT percentile_disc(0.2) WITHIN GROUP (ORDER BY n)
                            FROM (SELECT sum(learners) AS n FROM eduql.rollup_contingent GROUP BY class_id) c)
                        """, logger: self.logger)
                    for k in [11, 257, 1_031, 4_099, 7_001] {
                        // Every kind of write but the queue's (its states depend on one another).
                        for write in RollupTests.writes(k) where !write.contains("queue_") {
                            try await connection.execute(PostgresQuery(unsafeSQL: write), logger: self.logger)
                        }
                    }
                    #expect(try await rollups.refreshOrganizations(on: connection) == 0, "the held lock holds the refresh off")
                    #expect(try await self.stale(connection) > 0)
                    #expect(try await self.pending(connection) > 0)
                }
                try await compare("stale and pending")
                let left = try await database.owner.withConnection(logger: self.logger) { (try await self.stale($0), try await self.pending($0)) }
                #expect(left.0 > 0 && left.1 > 0, "still stale and pending after the comparison")
                try await holder.execute("SELECT pg_advisory_unlock(1704, 0), pg_advisory_unlock(1705, 0)", logger: self.logger)
            }

            let (refreshed, left, differences) = try await database.owner.withConnection(logger: self.logger) { connection in
                (try await rollups.refreshOrganizations(on: connection), try await self.stale(connection),
                 try await rollups.organizationDifferences(on: connection))
            }
            #expect(refreshed > 0)
            #expect(left == 0)
            #expect(differences == 0, "stored rows hold what their classes sum")
            try await compare("refreshed after writes")
            #expect(compared > 100, "the comparisons read rows")
            #expect(suppressed > 0, "some compared groups were withheld")
        }
    }

    @Test("the refresh service folds the journal's pending rows and the stale organizations in by itself")
    func serviceRefreshes() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            for change in RollupTests.journalChangesPerRegion {
                try await connection.execute(PostgresQuery(unsafeSQL: change), logger: self.logger)
            }
            #expect(try await self.stale(connection) > 0)
            #expect(try await self.pending(connection) > 0)
        }
        try await TestAPI.run(database, configure: { $0.rollupRefresh = .milliseconds(50) }) { _ in
            var left = (-1, -1)
            for _ in 0..<100 {
                left = try await database.owner.withConnection(logger: self.logger) { (try await self.stale($0), try await self.pending($0)) }
                if left == (0, 0) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(left == (0, 0), "stale organizations and pending rows left")
            try await database.owner.withConnection(logger: self.logger) { connection in
                let rollups = Rollups(logger: self.logger)
                #expect(try await rollups.organizationDifferences(on: connection) == 0)
                let differences = try await rollups.differences(on: connection)
                #expect(differences.allSatisfy { $0.rows == 0 }, "\(differences)")
            }
        }
    }

    func stale(_ connection: PostgresConnection) async throws -> Int {
        try await connection.scalar("SELECT count(*)::int FROM eduql.coarse_stale", as: Int.self)
    }

    func pending(_ connection: PostgresConnection) async throws -> Int {
        try await RollupTests.pendingRows(on: connection)
    }

    func rows(_ api: TestAPI, _ query: String, _ token: String) async throws -> [[String: Any]] {
        let reply = try await api.graphql(query, token: token)
        return try #require(reply.data?["stats"] as? [[String: Any]], "\(query): \(reply.text)")
    }

    static func canonical(_ rows: [[String: Any]]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys]), as: UTF8.self)
    }
}
