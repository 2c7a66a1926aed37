import EduQLSchema
import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// The municipal and school dashboards of `queries/`, sent by the demo accounts, answer exactly
/// what SQL over the raw tables computes: every measure, list and breakdown.
@Suite("Dashboard documents of queries/", .timeLimit(.minutes(3)))
struct DashboardDocumentsTests {
    let logger = Logger(label: "eduql-tests")

    @Test("municipal dashboard: per organization, every measure equals SQL over the raw tables", arguments: [true, false])
    func municipalDashboard(caches: Bool) async throws {
        let database = try await TestCluster.shared.database(.demo)
        let expected = try await self.json(database, """
            WITH m AS (SELECT a.municipality_id AS id FROM eduql.role_assignments a JOIN eduql.users u ON u.id = a.user_id WHERE u.login = 'mouo.admin'),
            k AS (SELECT k.* FROM eduql.classes k WHERE k.municipality_id = (SELECT id FROM m)),
            e AS (SELECT e.*, k.organization_id AS org, k.grade, p.gender FROM eduql.enrollments e JOIN k ON k.id = e.class_id
                  JOIN eduql.learners p ON p.id = e.learner_id WHERE e.status = 'active'),
            mk AS (SELECT s.*, k.organization_id AS org FROM eduql.marks s JOIN k ON k.id = s.class_id WHERE s.kind IN ('current', 'test')),
            cap AS (SELECT * FROM eduql.kindergarten_capacities c WHERE c.academic_year_id IN (SELECT academic_year_id FROM k)),
            q AS (SELECT c.organization_id AS org, a.age_group, a.priority_rank FROM eduql.queue_application_choices c
                  JOIN eduql.queue_applications a ON a.id = c.application_id WHERE a.status = 'queued'),
            size AS (SELECT class_id, count(*) AS n FROM e GROUP BY class_id)
            SELECT json_agg(json_build_object(
                'id', o.id::text,
                'learners', (SELECT count(*) FROM e WHERE e.org = o.id),
                'attendanceRate', (SELECT round(1 - (SELECT count(*) FROM eduql.attendance a JOIN eduql.lessons l ON l.id = a.lesson_id
                                                      JOIN k ON k.id = l.class_id WHERE k.organization_id = o.id AND a.code <> 'late')::numeric
                                                / nullif(sum(size.n), 0), 4)::float8
                                   FROM eduql.lessons l JOIN k ON k.id = l.class_id JOIN size ON size.class_id = l.class_id WHERE k.organization_id = o.id),
                'averageMark', (SELECT round(avg(value), 3)::float8 FROM mk WHERE mk.org = o.id),
                'qualityRate', (SELECT round(avg((value >= 4)::int), 4)::float8 FROM mk WHERE mk.org = o.id),
                'markDistribution', (SELECT json_build_object('two', count(*) FILTER (WHERE value = 2), 'three', count(*) FILTER (WHERE value = 3),
                                            'four', count(*) FILTER (WHERE value = 4), 'five', count(*) FILTER (WHERE value = 5)) FROM mk WHERE mk.org = o.id),
                'contingent', (SELECT json_agg(json_build_object('grade', g.grade, 'learners', g.n, 'female', g.f, 'male', g.m, 'suppressed', false)
                                               ORDER BY g.grade NULLS LAST)
                               FROM (SELECT grade, count(*) AS n, count(*) FILTER (WHERE gender = 'female') AS f, count(*) FILTER (WHERE gender = 'male') AS m
                                     FROM e WHERE e.org = o.id GROUP BY grade) g),
                'movements', coalesce((SELECT json_agg(json_build_object('month', v.month, 'admitted', v.admitted, 'transferred', v.transferred,
                                                                        'expelled', v.expelled, 'graduated', v.graduated) ORDER BY v.month)
                               FROM (SELECT date_trunc('month', s.occurred_on)::date AS month,
                                            count(*) FILTER (WHERE s.kind = 'admitted') AS admitted, count(*) FILTER (WHERE s.kind = 'transferred') AS transferred,
                                            count(*) FILTER (WHERE s.kind = 'expelled') AS expelled, count(*) FILTER (WHERE s.kind = 'graduated') AS graduated
                                     FROM eduql.movements s JOIN eduql.enrollments x ON x.id = s.enrollment_id JOIN k ON k.id = x.class_id
                                     WHERE k.organization_id = o.id GROUP BY 1) v), '[]'::json),
                'queueDemand', (SELECT count(*) FROM q WHERE q.org = o.id),
                'freePlaces', (SELECT coalesce(sum(greatest(capacity - occupied, 0)), 0) FROM cap WHERE cap.organization_id = o.id),
                'queueByAgeGroup', coalesce((SELECT json_agg(json_build_object(
                        'ageGroup', ag.age_group,
                        'queued', (SELECT count(*) FROM q WHERE q.org = o.id AND q.age_group = ag.age_group),
                        'freePlaces', (SELECT coalesce(sum(greatest(capacity - occupied, 0)), 0) FROM cap WHERE cap.organization_id = o.id AND cap.age_group = ag.age_group),
                        'byPriority', coalesce((SELECT json_agg(json_build_object('priorityClass', (ARRAY['OUT_OF_TURN', 'FIRST_TURN', 'PREFERENTIAL', 'GENERAL'])[p.priority_rank + 1],
                                                                                  'queued', p.n) ORDER BY p.priority_rank)
                                                FROM (SELECT priority_rank, count(*) AS n FROM q WHERE q.org = o.id AND q.age_group = ag.age_group GROUP BY 1) p), '[]'::json))
                        ORDER BY ag.age_group)
                    FROM (SELECT age_group FROM q WHERE q.org = o.id UNION SELECT age_group FROM cap WHERE cap.organization_id = o.id) ag), '[]'::json),
                'suppressed', false,
                'suppressionReason', NULL) ORDER BY o.id)
            FROM eduql.organizations o WHERE o.id IN (SELECT organization_id FROM k)
            """)
        let organizations = try Self.objects(expected)
        // The demo's groups are all above the threshold, and the lists have something in them.
        try #require(organizations.count > 1)
        #expect(organizations.contains { ($0["movements"] as? [Any])?.isEmpty == false })
        #expect(organizations.contains { ($0["queueByAgeGroup"] as? [Any])?.isEmpty == false })
        try await TestAPI.run(database, caches: caches) { api in
            let reply = try await api.graphql(try ConsumerDocuments.text("municipal-dashboard/organization-stats.graphql"),
                                              token: try await api.demoToken("mouo.admin"))
            let rows = try #require(reply.data?["stats"] as? [[String: Any]], "\(reply.text)")
            let organizations = try Self.objects(expected)
            #expect(rows.count == organizations.count)
            for (row, want) in zip(rows, organizations) {
                var got = row
                got["id"] = row.at("group.id")
                got["group"] = nil
                #expect(try Self.canonical(got) == Self.canonical(want), "organization \(want["id"] ?? "")")
            }
        }
    }

    @Test("school dashboard: per class, marks and attendance week by week equal SQL over the raw tables", arguments: [true, false])
    func schoolDashboard(caches: Bool) async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (from, to) = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("SELECT min(held_on)::text, (min(held_on) + 40)::text FROM eduql.lessons", logger: self.logger)
                .collect().first!.decode((String, String).self)
        }
        let expected = try await self.json(database, """
            WITH k AS (SELECT k.* FROM eduql.classes k WHERE k.organization_id = (SELECT a.organization_id FROM eduql.role_assignments a
                        JOIN eduql.users u ON u.id = a.user_id WHERE u.login = 'school.admin')),
            size AS (SELECT class_id, count(*) AS n FROM eduql.enrollments WHERE status = 'active' GROUP BY class_id),
            mk AS (SELECT s.* FROM eduql.marks s JOIN k ON k.id = s.class_id WHERE s.kind IN ('current', 'test'))
            SELECT json_agg(json_build_object(
                'id', k.id::text,
                'learners', (SELECT n FROM size WHERE size.class_id = k.id),
                'averageMark', (SELECT round(avg(value), 3)::float8 FROM mk WHERE mk.class_id = k.id),
                'qualityRate', (SELECT round(avg((value >= 4)::int), 4)::float8 FROM mk WHERE mk.class_id = k.id),
                'markDistribution', (SELECT json_build_object('two', count(*) FILTER (WHERE value = 2), 'three', count(*) FILTER (WHERE value = 3),
                                            'four', count(*) FILTER (WHERE value = 4), 'five', count(*) FILTER (WHERE value = 5)) FROM mk WHERE mk.class_id = k.id),
                'attendance', coalesce((SELECT json_agg(json_build_object('startsOn', w.week, 'lessons', w.lessons,
                                                        'attendanceRate', round(1 - w.absences::numeric / (w.lessons * (SELECT n FROM size WHERE size.class_id = k.id)), 4)::float8)
                                                        ORDER BY w.week)
                    FROM (SELECT date_trunc('week', l.held_on)::date AS week, count(DISTINCT l.id) AS lessons,
                                 count(a.lesson_id) FILTER (WHERE a.code <> 'late') AS absences
                          FROM eduql.lessons l LEFT JOIN eduql.attendance a ON a.lesson_id = l.id
                          WHERE l.class_id = k.id AND l.held_on BETWEEN '\(from)' AND '\(to)' GROUP BY 1) w), '[]'::json),
                'suppressed', false) ORDER BY k.id)
            FROM k
            """)
        let classes = try Self.objects(expected)
        try #require(classes.contains { ($0["attendance"] as? [Any])?.count ?? 0 > 2 }, "weeks with lessons in the range")
        try await TestAPI.run(database, caches: caches) { api in
            let reply = try await api.graphql(try ConsumerDocuments.text("school-portal/class-stats.graphql"), variables: ["from": from, "to": to],
                                              token: try await api.demoToken("school.admin"))
            let rows = try #require(reply.data?["stats"] as? [[String: Any]], "\(reply.text)")
            let classes = try Self.objects(expected)
            #expect(rows.count == classes.count)
            for (row, want) in zip(rows, classes) {
                var got = row
                got["id"] = row.at("group.id")
                got["group"] = nil
                #expect(try Self.canonical(got) == Self.canonical(want), "class \(want["id"] ?? "")")
            }
        }
    }

    @Test("per subject: each municipality's marks of one subject equal SQL over the raw tables")
    func perSubject() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let subject = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("SELECT min(subject_id)::int FROM eduql.marks WHERE region_id = 1", as: Int.self)
        }
        let expected = try await self.json(database, """
            SELECT json_agg(json_build_object('id', m.id::text,
                'averageMark', (SELECT round(avg(s.value), 3)::float8 FROM eduql.marks s JOIN eduql.classes k ON k.id = s.class_id
                                WHERE k.municipality_id = m.id AND s.subject_id = \(subject) AND s.kind IN ('current', 'test')),
                'markDistribution', (SELECT json_build_object('two', count(*) FILTER (WHERE s.value = 2), 'five', count(*) FILTER (WHERE s.value = 5))
                                     FROM eduql.marks s JOIN eduql.classes k ON k.id = s.class_id
                                     WHERE k.municipality_id = m.id AND s.subject_id = \(subject) AND s.kind IN ('current', 'test'))) ORDER BY m.id)
            FROM eduql.municipalities m WHERE m.region_id = 1
            """)
        try await TestAPI.run(database) { api in
            let reply = try await api.graphql("""
                query S($subject: ID) { stats(groupBy: MUNICIPALITY, filter: { subjectId: $subject }) { group { id } averageMark markDistribution { two five } } }
                """, variables: ["subject": String(subject)], token: try await api.demoToken("region.admin"))
            let rows = try #require(reply.data?["stats"] as? [[String: Any]], "\(reply.text)")
            let want = try Self.objects(expected)
            #expect(rows.count == want.count && want.allSatisfy { $0["averageMark"] is Double })
            for (row, wanted) in zip(rows, want) {
                var got = row
                got["id"] = row.at("group.id")
                got["group"] = nil
                #expect(try Self.canonical(got) == Self.canonical(wanted))
            }
            // Narrowed to one subject, the measures differ from all subjects'.
            let all = try await api.graphql("{ stats(groupBy: MUNICIPALITY) { averageMark } }", token: try await api.demoToken("region.admin"))
            #expect((all.data?["stats"] as? [[String: Any]])?.map { $0["averageMark"] as? Double } != rows.map { $0["averageMark"] as? Double })
        }
    }

    /// The JSON text one SQL statement builds.
    func json(_ database: ClusterConnections, _ sql: String) async throws -> String {
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "SELECT (\(sql))::text"), logger: self.logger).collect().first!.decode(String.self)
        }
    }

    /// An object as JSON text with sorted keys, for comparing.
    static func canonical(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A JSON array of objects, parsed.
    static func objects(_ text: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }
}
