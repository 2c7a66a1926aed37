import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// For every role: reads it may make return exactly what SQL finds in its scope, and every path
/// to what it must not see — other tenants, schools, classes, children; sensitive fields by
/// name, alias, fragment or nesting; counts; small aggregates; introspection — returns nothing.
@Suite("Role matrix: allowed slices and forbidden paths", .timeLimit(.minutes(3)))
struct RoleMatrixTests {
    let logger = Logger(label: "eduql-tests")

    /// What a probe must find.
    enum Expectation {
        /// The value at the path is null, an empty list, or zero.
        case nothing(String)
        /// A validation error and no data.
        case invalid
        /// The value at the path equals what the SQL returns (an integer, or a sorted list of ids).
        case sql(String, String)
        /// Every id found under the path (a list of objects with `id`) is among those the SQL returns.
        case within(String, String)
    }

    struct Probe: CustomStringConvertible {
        var login: String
        var query: String
        var expectation: Expectation
        var description: String { "\(self.login): \(self.query)" }
    }

    static let sensitiveLearner = ["birthDate", "snils", "address", "healthGroup"]

    /// Demo ids: region 2's first learner 5153, municipality 2's 2081, school 2's 1057; class 21
    /// (5А of school 1, homeroom's), class 17 (1А, not taught by the demo teacher), subject 101
    /// (taught by it in classes 21–27), 102 (not); the parent's children 609 and 1217, the
    /// student 769.
    static let probes: [Probe] = [
        // Region: its region, no sensitive fields, no journal, only final marks.
        .init(login: "region.admin", query: "{ learner(id: 5153) { id } }", expectation: .nothing("learner")),
        .init(login: "region.admin", query: "{ organization(id: 10) { id } }", expectation: .nothing("organization")),
        .init(login: "region.admin", query: "{ learners { totalCount } }",
              expectation: .sql("learners.totalCount", "SELECT count(*)::int FROM eduql.learners WHERE region_id = 1")),
        .init(login: "region.admin", query: "{ learner(id: 545) { birthDate } }", expectation: .invalid),
        .init(login: "region.admin", query: "{ learner(id: 545) { b: snils } }", expectation: .invalid),
        .init(login: "region.admin", query: "query { learner(id: 545) { ...F } } fragment F on Learner { address }", expectation: .invalid),
        .init(login: "region.admin", query: "{ learner(id: 545) { ... on Learner { healthGroup } } }", expectation: .invalid),
        .init(login: "region.admin", query: "{ learner(id: 545) { guardians { relation } } }", expectation: .invalid),
        .init(login: "region.admin", query: "{ diary(learnerId: 545, from: \"2026-09-01\", to: \"2026-09-07\") { from } }", expectation: .invalid),
        .init(login: "region.admin", query: "{ learner(id: 545) { marks { id } } }",
              expectation: .sql("learner.marks", "SELECT id::text FROM eduql.marks WHERE learner_id = 545 AND kind IN ('term', 'year', 'exam')")),
        .init(login: "region.admin", query: "{ stats(groupBy: MUNICIPALITY, filter: { municipalityId: 4 }) { group { id } } }",
              expectation: .nothing("stats")),
        .init(login: "region.admin", query: "{ stats(groupBy: MUNICIPALITY) { group { id } } }",
              expectation: .sql("stats", "SELECT id::text FROM eduql.municipalities WHERE region_id = 1")),
        // Municipality: its municipality; the queue with birth dates.
        .init(login: "mouo.admin", query: "{ learner(id: 2081) { id } }", expectation: .nothing("learner")),
        .init(login: "mouo.admin", query: "{ municipality(id: 2) { id } }", expectation: .nothing("municipality")),
        .init(login: "mouo.admin", query: "{ organization(id: 4) { id } }", expectation: .nothing("organization")),
        .init(login: "mouo.admin", query: "{ organizations { totalCount } }",
              expectation: .sql("organizations.totalCount", "SELECT count(*)::int FROM eduql.organizations WHERE municipality_id = 1")),
        .init(login: "mouo.admin", query: "{ queueApplications(filter: { municipalityId: 2 }) { totalCount } }",
              expectation: .nothing("queueApplications.totalCount")),
        .init(login: "mouo.admin", query: "{ queueApplications(first: 100) { edges { node { id } } } }",
              expectation: .within("queueApplications.edges", "SELECT id::text FROM eduql.queue_applications WHERE municipality_id = 1")),
        .init(login: "mouo.admin", query: "{ stats(groupBy: ORGANIZATION) { group { id } } }",
              expectation: .sql("stats", "SELECT DISTINCT organization_id::text FROM eduql.classes WHERE municipality_id = 1")),
        .init(login: "mouo.admin", query: "{ learner(id: 545) { birthDate } }", expectation: .invalid),
        .init(login: "mouo.admin", query: "{ stats(groupBy: ORGANIZATION, filter: { municipalityId: 2 }) { group { id } } }",
              expectation: .nothing("stats")),
        // School: its organization, sensitive fields included.
        .init(login: "school.admin", query: "{ learner(id: 1057) { id } }", expectation: .nothing("learner")),
        .init(login: "school.admin", query: "{ class(id: 37) { id } }", expectation: .nothing("class")),
        .init(login: "school.admin", query: "{ organization(id: 2) { id } }", expectation: .nothing("organization")),
        .init(login: "school.admin", query: "{ learners { totalCount } }",
              expectation: .sql("learners.totalCount", "SELECT count(*)::int FROM eduql.learners WHERE organization_id = 1")),
        .init(login: "school.admin", query: "{ learner(id: 675) { guardians { guardian { children { learner { id } } } } } }",
              expectation: .within("learner.guardians", "SELECT id::text FROM eduql.learners WHERE organization_id = 1")),
        .init(login: "school.admin", query: "{ queueApplications { totalCount } }", expectation: .invalid),
        .init(login: "school.admin", query: "{ learnerAccessLog(learnerId: 1057) { login } }", expectation: .nothing("learnerAccessLog")),
        .init(login: "school.admin", query: "{ stats(groupBy: CLASS, filter: { organizationId: 2 }) { group { id } } }",
              expectation: .nothing("stats")),
        // Teacher: taught classes and subjects only.
        .init(login: "teacher", query: "{ learner(id: 545) { id } }", expectation: .nothing("learner")),
        .init(login: "teacher", query: "{ learners { totalCount } }",
              expectation: .sql("learners.totalCount", """
                  SELECT count(DISTINCT e.learner_id)::int FROM eduql.enrollments e JOIN eduql.teaching_assignments ta ON ta.class_id = e.class_id
                  JOIN eduql.users u ON u.staff_id = ta.staff_id WHERE u.login = 'teacher' AND e.status = 'active'
                  """)),
        .init(login: "teacher", query: "{ journal(classId: 21, subjectId: 102, from: \"2026-09-01\", to: \"2026-09-30\") { lessons { id } } }",
              expectation: .nothing("journal")),
        .init(login: "teacher", query: "{ journal(classId: 17, subjectId: 101, from: \"2026-09-01\", to: \"2026-09-30\") { lessons { id } } }",
              expectation: .nothing("journal")),
        .init(login: "teacher", query: "{ learner(id: 675) { marks { id } } }",
              expectation: .sql("learner.marks", "SELECT id::text FROM eduql.marks WHERE learner_id = 675 AND subject_id = 101")),
        .init(login: "teacher", query: "{ class(id: 21) { learners { birthDate } } }", expectation: .invalid),
        .init(login: "teacher", query: "{ learner(id: 675) { guardians { relation } } }", expectation: .invalid),
        .init(login: "teacher", query: "{ class(id: 37) { id } }", expectation: .nothing("class")),
        .init(login: "teacher", query: "{ auditEvents { totalCount } }", expectation: .invalid),
        .init(login: "teacher", query: "{ organization(id: 1) { learners { totalCount } } }",
              expectation: .sql("organization.learners.totalCount", """
                  SELECT count(DISTINCT e.learner_id)::int FROM eduql.enrollments e JOIN eduql.teaching_assignments ta ON ta.class_id = e.class_id
                  JOIN eduql.users u ON u.staff_id = ta.staff_id WHERE u.login = 'teacher' AND e.status = 'active'
                  """)),
        // Homeroom teacher: the whole class, not the next one; guardians without sensitive fields.
        .init(login: "homeroom", query: "{ learner(id: 707) { id } }", expectation: .nothing("learner")),
        .init(login: "homeroom", query: "{ diary(learnerId: 707, from: \"2026-09-01\", to: \"2026-09-07\") { from } }",
              expectation: .nothing("diary")),
        .init(login: "homeroom", query: "{ learner(id: 675) { guardians { guardian { children { learner { id } } } } } }",
              expectation: .within("learner.guardians", "SELECT learner_id::text FROM eduql.enrollments WHERE class_id = 21 AND status = 'active'")),
        .init(login: "homeroom", query: "{ learner(id: 675) { guardians { guardian { phone } } } }", expectation: .invalid),
        .init(login: "homeroom", query: "{ journal(classId: 22, subjectId: 101, from: \"2026-09-01\", to: \"2026-09-30\") { lessons { id } } }",
              expectation: .nothing("journal")),
        .init(login: "homeroom", query: "{ class(id: 21) { learners { id } } }",
              expectation: .sql("class.learners", "SELECT learner_id::text FROM eduql.enrollments WHERE class_id = 21 AND status = 'active'")),
        // Parent: own children only, at every depth.
        .init(login: "parent", query: "{ learner(id: 610) { id } }", expectation: .nothing("learner")),
        .init(login: "parent", query: "{ diary(learnerId: 610, from: \"2026-09-01\", to: \"2026-09-07\") { days { date } } }",
              expectation: .nothing("diary")),
        .init(login: "parent", query: "{ learners { totalCount edges { node { id } } } }",
              expectation: .sql("learners.totalCount", "SELECT count(*)::int FROM eduql.guardian_learners gl JOIN eduql.users u ON u.guardian_id = gl.guardian_id WHERE u.login = 'parent'")),
        .init(login: "parent", query: "{ class(id: 19) { learners { id } } }", expectation: .sql("class.learners", "SELECT '609'::text")),
        .init(login: "parent", query: "{ organization(id: 1) { learners { totalCount } } }", expectation: .sql("organization.learners.totalCount", "SELECT 1")),
        .init(login: "parent", query: "{ a: learner(id: 609) { id } b: learner(id: 611) { id } }", expectation: .nothing("b")),
        .init(login: "parent", query: "{ learner(id: 609) { guardians { guardian { children { learner { id } } } } } }",
              expectation: .within("learner.guardians", "SELECT gl.learner_id::text FROM eduql.guardian_learners gl JOIN eduql.users u ON u.guardian_id = gl.guardian_id WHERE u.login = 'parent'")),
        .init(login: "parent", query: "{ queueApplication(id: 100001) { id } }", expectation: .nothing("queueApplication")),
        .init(login: "parent", query: "{ queuePosition(applicationId: 100001) { overall } }", expectation: .nothing("queuePosition")),
        .init(login: "parent", query: "{ queueApplications { totalCount } }",
              expectation: .sql("queueApplications.totalCount", "SELECT count(*)::int FROM eduql.queue_applications q JOIN eduql.users u ON u.guardian_id = q.applicant_guardian_id WHERE u.login = 'parent'")),
        .init(login: "parent", query: "{ stats(groupBy: CLASS) { learners } }", expectation: .invalid),
        .init(login: "parent", query: "{ auditEvents { totalCount } }", expectation: .invalid),
        .init(login: "parent", query: "{ journal(classId: 19, subjectId: 101, from: \"2026-09-01\", to: \"2026-09-07\") { from } }", expectation: .invalid),
        // Student: self only.
        .init(login: "student", query: "{ learner(id: 770) { id } }", expectation: .nothing("learner")),
        .init(login: "student", query: "{ diary(learnerId: 770, from: \"2026-09-01\", to: \"2026-09-07\") { from } }", expectation: .nothing("diary")),
        .init(login: "student", query: "{ learners { totalCount } }", expectation: .sql("learners.totalCount", "SELECT 1")),
        .init(login: "student", query: "{ class(id: 24) { learners { id } } }", expectation: .sql("class.learners", "SELECT '769'::text")),
        .init(login: "student", query: "{ queueApplications { totalCount } }", expectation: .invalid),
        .init(login: "student", query: "{ learnerAccessLog(learnerId: 770) { login } }", expectation: .nothing("learnerAccessLog")),
    ]

    /// A sibling outside class 21 and school 1: a guardian of learner 675 (class 21) is made the
    /// mother of learner 1057 (school 2) too, so nested guardian paths have somewhere to leak to.
    func database() async throws -> ClusterConnections {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.execute("""
                INSERT INTO eduql.guardian_learners (region_id, guardian_id, learner_id, relation)
                SELECT 1, guardian_id, 1057, 'mother' FROM eduql.guardian_learners WHERE learner_id = 675 ORDER BY guardian_id LIMIT 1
                """)
        }
        return database
    }

    @Test("every probe of every role finds exactly its slice", arguments: [true, false])
    func probesFindTheirSlice(caches: Bool) async throws {
        let database = try await self.database()
        try await TestAPI.run(database, caches: caches) { api in
            var tokens: [String: String] = [:]
            for probe in Self.probes {
                if tokens[probe.login] == nil { tokens[probe.login] = try await api.demoToken(probe.login) }
                let reply = try await api.graphql(probe.query, token: tokens[probe.login])
                try await self.check(reply, probe, database)
            }
        }
    }

    func check(_ reply: TestAPI.Reply, _ probe: Probe, _ database: ClusterConnections) async throws {
        switch probe.expectation {
        case .invalid:
            #expect(reply.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(probe): \(reply.text)")
            #expect(reply.json["data"] == nil, "\(probe)")
        case .nothing(let path):
            #expect(reply.errorCodes.isEmpty, "\(probe): \(reply.text)")
            let value = reply.data?.at(path)
            let empty = value == nil || value is NSNull || (value as? [Any])?.isEmpty == true || (value as? Int) == 0
            #expect(empty, "\(probe) returned \(reply.text)")
        case .sql(let path, let sql):
            #expect(reply.errorCodes.isEmpty, "\(probe): \(reply.text)")
            let value = reply.data?.at(path)
            if let count = value as? Int {
                let expected = try await database.owner.withConnection(logger: self.logger) { try await $0.scalar(PostgresQuery(unsafeSQL: sql), as: Int.self) }
                #expect(count == expected, "\(probe)")
            } else {
                let expected = try await database.owner.withConnection(logger: self.logger) { try await $0.column(PostgresQuery(unsafeSQL: sql), as: String.self) }
                #expect(Self.ids(value).sorted() == expected.sorted(), "\(probe): \(reply.text)")
                #expect(!expected.isEmpty, "\(probe): the SQL side must not be empty, or the probe proves nothing")
            }
        case .within(let path, let sql):
            #expect(reply.errorCodes.isEmpty, "\(probe): \(reply.text)")
            let allowed = Set(try await database.owner.withConnection(logger: self.logger) { try await $0.column(PostgresQuery(unsafeSQL: sql), as: String.self) })
            let found = Self.ids(reply.data?.at(path))
            #expect(!found.isEmpty, "\(probe): \(reply.text)")
            #expect(found.allSatisfy(allowed.contains), "\(probe) leaked \(found.filter { !allowed.contains($0) })")
        }
    }

    /// Every `id` anywhere under a JSON value.
    static func ids(_ value: Any?) -> [String] {
        switch value {
        case let object as [String: Any]: ((object["id"] as? String).map { [$0] } ?? []) + object.values.flatMap { ids($0) }
        case let list as [Any]: list.flatMap { ids($0) }
        default: []
        }
    }
}
