import EduQLServer
import Foundation
import GraphQL
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// Every document of `queries/` validates against the schema and, sent by the demo account of
/// its consumer, returns exactly what direct SQL finds in the same data.
@Suite("Consumer documents of queries/", .timeLimit(.minutes(3)))
struct ConsumerDocumentsTests {
    let logger = Logger(label: "eduql-tests")

    static let documents = [
        "region-dashboard/municipality-stats.graphql", "municipal-queue-desk/queue.graphql", "school-portal/class-page.graphql",
        "teacher/journal-page.graphql", "parent/diary-week.graphql", "parent/queue-position.graphql",
        "integration/roster-export.graphql", "municipal-dashboard/organization-stats.graphql", "school-portal/class-stats.graphql",
        "integration/portal-file-application.graphql", "integration/portal-status-sync.graphql", "integration/journal-record-marks.graphql",
        "integration/portal-change-choices.graphql", "integration/portal-withdraw-application.graphql", "integration/portal-answer-offer.graphql",
        "console/me.graphql", "console/children.graphql", "console/classes.graphql", "console/record-marks.graphql",
        "console/queue-run-distribution.graphql", "console/queue-desk.graphql", "console/queue-review.graphql", "console/diary-page.graphql",
        "console/applications.graphql", "console/dashboard.graphql",
        "console/audit-events.graphql", "console/introspection.graphql", "console/school.graphql", "console/create-account.graphql",
        "console/reset-password.graphql", "console/disable-account.graphql", "console/record-attendance.graphql",
        "console/lesson-topic-homework.graphql", "console/forms.graphql", "console/form-filing.graphql", "console/form-review.graphql",
    ]

    @Test("each document is valid against queries/schema.graphql", arguments: documents)
    func valid(path: String) throws {
        let schema = try buildSchema(source: try ConsumerDocuments.text("schema.graphql"))
        let errors = validate(schema: schema, ast: try parse(source: try ConsumerDocuments.text(path)))
        #expect(errors.isEmpty, "\(path): \(errors.map(\.message))")
    }

    @Test("regional dashboard: per-municipality contingent, marks, attendance and queue demand match SQL over the raw tables",
          arguments: [true, false])
    func regionalDashboard(caches: Bool) async throws {
        let database = try await TestCluster.shared.database(.demo)
        let expected = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                SELECT m.id::text, (SELECT count(*) FROM eduql.enrollments e WHERE e.municipality_id = m.id AND e.status = 'active')::int,
                       (SELECT count(*) FROM eduql.queue_applications q WHERE q.municipality_id = m.id AND q.status = 'queued')::int,
                       (SELECT round(avg(mk.value), 3)::float8 FROM eduql.marks mk JOIN eduql.classes k ON k.id = mk.class_id
                         WHERE k.municipality_id = m.id AND mk.kind IN ('current', 'test')),
                       (SELECT round(avg((mk.value >= 4)::int), 4)::float8 FROM eduql.marks mk JOIN eduql.classes k ON k.id = mk.class_id
                         WHERE k.municipality_id = m.id AND mk.kind IN ('current', 'test')),
                       (SELECT round(1 - (SELECT count(*) FROM eduql.attendance a JOIN eduql.lessons l ON l.id = a.lesson_id
                                           JOIN eduql.classes k ON k.id = l.class_id WHERE k.municipality_id = m.id AND a.code <> 'late')::numeric
                                      / sum(size.n), 4)::float8
                          FROM eduql.lessons l JOIN eduql.classes k ON k.id = l.class_id
                          JOIN (SELECT class_id, count(*) AS n FROM eduql.enrollments WHERE status = 'active' GROUP BY class_id) size
                            ON size.class_id = l.class_id
                         WHERE k.municipality_id = m.id)
                FROM eduql.municipalities m WHERE m.region_id = 1 ORDER BY m.id
                """, logger: self.logger).collect().map { try $0.decode((String, Int, Int, Double?, Double?, Double?).self) }
        }
        try #require(!expected.isEmpty && expected.allSatisfy { $0.3 != nil && $0.5 != nil })
        try await TestAPI.run(database, caches: caches) { api in
            let reply = try await api.graphql(try ConsumerDocuments.text("region-dashboard/municipality-stats.graphql"),
                                              token: try await api.demoToken("region.admin"))
            let rows = try #require(reply.data?["stats"] as? [[String: Any]], "\(reply.text)")
            let got = rows.map { ($0.at("group.id") as? String ?? "", $0["learners"] as? Int ?? -1, $0["queueDemand"] as? Int ?? -1) }
            #expect(got.map(\.0) == expected.map(\.0))
            #expect(got.map(\.1) == expected.map(\.1))
            #expect(got.map(\.2) == expected.map(\.2))
            #expect(rows.map { $0["averageMark"] as? Double } == expected.map(\.3))
            #expect(rows.map { $0["qualityRate"] as? Double } == expected.map(\.4))
            #expect(rows.map { $0["attendanceRate"] as? Double } == expected.map(\.5))
        }
    }

    @Test("municipal queue desk: the queue of its municipality in queue order, with birth dates", arguments: [true, false])
    func queueDesk(caches: Bool) async throws {
        let database = try await TestCluster.shared.database(.demo)
        let expected = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("""
                SELECT id::text FROM eduql.queue_applications WHERE municipality_id = 1 AND status = 'queued'
                ORDER BY age_group, priority_rank, registered_at, id
                """, as: String.self)
        }
        try await TestAPI.run(database, caches: caches) { api in
            let token = try await api.demoToken("mouo.admin")
            var ids: [String] = []
            var after: Any = NSNull()
            for _ in 0..<10 {
                let reply = try await api.graphql(try ConsumerDocuments.text("municipal-queue-desk/queue.graphql"),
                                                  variables: ["first": 15, "after": after], token: token)
                let page = try #require(reply.data?["queueApplications"] as? [String: Any], "\(reply.text)")
                #expect(page["totalCount"] as? Int == expected.count)
                let edges = page["edges"] as? [[String: Any]] ?? []
                ids += edges.compactMap { $0.at("node.id") as? String }
                #expect(edges.allSatisfy { $0.at("node.childBirthDate") is String })
                guard page.at("pageInfo.hasNextPage") as? Bool == true else { break }
                after = page.at("pageInfo.endCursor") ?? NSNull()
            }
            #expect(ids == expected)
        }
    }

    @Test("school portal: a class page lists its active learners with birth dates and guardians", arguments: [true, false])
    func classPage(caches: Bool) async throws {
        let database = try await TestCluster.shared.database(.demo)
        let expected = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("""
                SELECT l.id::text FROM eduql.learners l JOIN eduql.enrollments e ON e.learner_id = l.id AND e.status = 'active'
                WHERE e.class_id = 21 ORDER BY l.last_name, l.first_name, l.id
                """, as: String.self)
        }
        try await TestAPI.run(database, caches: caches) { api in
            let reply = try await api.graphql(try ConsumerDocuments.text("school-portal/class-page.graphql"), variables: ["classId": "21"],
                                              token: try await api.demoToken("school.admin"))
            let learners = try #require(reply.data?.at("class.learners") as? [[String: Any]], "\(reply.text)")
            #expect(learners.compactMap { $0["id"] as? String } == expected)
            #expect(learners.allSatisfy { $0["birthDate"] is String })
            #expect(learners.contains { ($0["guardians"] as? [Any])?.isEmpty == false })
            #expect(reply.data?.at("class.homeroomTeacher.lastName") is String)
        }
    }

    @Test("teacher: the journal page of a taught class and subject matches the lessons and marks in SQL", arguments: [true, false])
    func journalPage(caches: Bool) async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (lessons, marks) = try await database.owner.withConnection(logger: self.logger) { connection in
            (try await connection.column("""
                SELECT id::text FROM eduql.lessons WHERE class_id = 21 AND subject_id = 101 AND held_on BETWEEN '2026-09-01' AND '2026-09-30'
                ORDER BY held_on, period
                """, as: String.self),
             try await connection.scalar("""
                SELECT count(*)::int FROM eduql.marks m JOIN eduql.lessons l ON l.id = m.lesson_id
                WHERE l.class_id = 21 AND l.subject_id = 101 AND l.held_on BETWEEN '2026-09-01' AND '2026-09-30'
                """, as: Int.self))
        }
        #expect(!lessons.isEmpty)
        try await TestAPI.run(database, caches: caches) { api in
            let reply = try await api.graphql(try ConsumerDocuments.text("teacher/journal-page.graphql"),
                                              variables: ["classId": "21", "subjectId": "101", "from": "2026-09-01", "to": "2026-09-30"],
                                              token: try await api.demoToken("teacher"))
            let got = try #require(reply.data?.at("journal.lessons") as? [[String: Any]], "\(reply.text)")
            #expect(got.compactMap { $0["id"] as? String } == lessons)
            #expect(got.reduce(0) { $0 + (($1["marks"] as? [Any])?.count ?? 0) } == marks)
            #expect((reply.data?.at("journal.learners") as? [Any])?.count == 14)
        }
    }

    @Test("parent: a child's diary week has the child's lessons, marks and absences", arguments: [true, false])
    func diaryWeek(caches: Bool) async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (lessons, marks) = try await database.owner.withConnection(logger: self.logger) { connection in
            (try await connection.scalar("""
                SELECT count(*)::int FROM eduql.lessons l JOIN eduql.enrollments e ON e.class_id = l.class_id AND e.learner_id = 609
                WHERE l.held_on BETWEEN '2026-09-07' AND '2026-09-13'
                """, as: Int.self),
             try await connection.scalar("""
                SELECT count(*)::int FROM eduql.marks m JOIN eduql.lessons l ON l.id = m.lesson_id
                WHERE m.learner_id = 609 AND l.held_on BETWEEN '2026-09-07' AND '2026-09-13'
                """, as: Int.self))
        }
        #expect(lessons > 0)
        try await TestAPI.run(database, caches: caches) { api in
            let reply = try await api.graphql(try ConsumerDocuments.text("parent/diary-week.graphql"),
                                              variables: ["learnerId": "609", "from": "2026-09-07", "to": "2026-09-13"],
                                              token: try await api.demoToken("parent"))
            let days = try #require(reply.data?.at("diary.days") as? [[String: Any]], "\(reply.text)")
            let all = days.flatMap { $0["lessons"] as? [[String: Any]] ?? [] }
            #expect(all.count == lessons)
            #expect(all.reduce(0) { $0 + (($1["marks"] as? [Any])?.count ?? 0) } == marks)
            #expect(days.compactMap { $0["date"] as? String } == days.compactMap { $0["date"] as? String }.sorted())
        }
    }

    @Test("parent: the queue position matches the queue order of its municipality and age group", arguments: [true, false])
    func queuePosition(caches: Bool) async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (application, overall, queued) = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                WITH mine AS (SELECT q.* FROM eduql.queue_applications q JOIN eduql.users u ON u.guardian_id = q.applicant_guardian_id
                              WHERE u.login = 'parent' AND q.status = 'queued' LIMIT 1)
                SELECT mine.id::text,
                       (SELECT count(*) FROM eduql.queue_applications o WHERE o.status = 'queued' AND o.municipality_id = mine.municipality_id
                          AND o.age_group = mine.age_group AND (o.priority_rank, o.registered_at, o.id) <= (mine.priority_rank, mine.registered_at, mine.id))::int,
                       (SELECT count(*) FROM eduql.queue_applications o WHERE o.status = 'queued' AND o.municipality_id = mine.municipality_id
                          AND o.age_group = mine.age_group)::int
                FROM mine
                """, logger: self.logger).collect().first!.decode((String, Int, Int).self)
        }
        try await TestAPI.run(database, caches: caches) { api in
            let reply = try await api.graphql(try ConsumerDocuments.text("parent/queue-position.graphql"), variables: ["applicationId": application],
                                              token: try await api.demoToken("parent"))
            #expect(reply.data?.at("queuePosition.overall") as? Int == overall, "\(reply.text)")
            #expect(reply.data?.at("queuePosition.queued") as? Int == queued)
            let choices = try #require(reply.data?.at("queuePosition.byChoice") as? [[String: Any]])
            #expect(!choices.isEmpty)
            #expect(choices.compactMap { $0["position"] as? Int } == (try await QueueWorkflowTests.positionsByChoice(database, application: application)))
        }
    }

    @Test("integration: the roster export pages through every learner of the grant's region exactly once", arguments: [true, false])
    func rosterExport(caches: Bool) async throws {
        let database = try await TestCluster.shared.database(.demo)
        let expected = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("SELECT l.id::text FROM eduql.learners l WHERE l.region_id = 1 ORDER BY l.id", as: String.self)
        }
        try await TestAPI.run(database, caches: caches) { api in
            let token = try await api.clientToken()
            var ids: [String] = []
            var after: Any = NSNull()
            for _ in 0..<50 {
                let reply = try await api.graphql(documentID: try ConsumerDocuments.id("integration/roster-export.graphql"),
                                                  variables: ["first": 100, "after": after], token: token)
                let page = try #require(reply.data?["learners"] as? [String: Any], "\(reply.text)")
                #expect(page["totalCount"] as? Int == expected.count)
                ids += (page["edges"] as? [[String: Any]] ?? []).compactMap { $0.at("node.id") as? String }
                guard page.at("pageInfo.hasNextPage") as? Bool == true else { break }
                after = page.at("pageInfo.endCursor") ?? NSNull()
            }
            #expect(ids == expected)
        }
    }
}
