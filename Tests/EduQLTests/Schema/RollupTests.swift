import EduQLAccessControl
@testable import EduQLResolvers
import EduQLSchema
import EduQLServer
import GraphQL
import Foundation
import Logging
import PostgresNIO
import Testing

/// The dashboards' rollups follow whatever writes the raw rows: after a random sequence of an
/// operator's inserts, updates and deletes on every source table, each rollup holds exactly
/// what a rebuild from the raw tables writes (and the organization rollups, once refreshed, what
/// their classes sum); and `stats` reads rollups, never the raw facts.
@Suite("Rollups", .timeLimit(.minutes(3)))
struct RollupTests {
    let logger = Logger(label: "eduql-tests")

    /// Writes an operator might make, each touching a few rows picked by `k`.
    static func writes(_ k: Int) -> [String] {
        let lesson = "(SELECT id FROM eduql.lessons ORDER BY id OFFSET \(k * 37 % 2000) LIMIT 1)"
        return [
            // Marks: new ones for a lesson's learners, corrected values and weights, deletions.
            """
            INSERT INTO eduql.marks (region_id, municipality_id, organization_id, learner_id, class_id, subject_id, term_id, lesson_id,
                                     value, kind, weight, given_on)
            SELECT l.region_id, l.municipality_id, l.organization_id, e.learner_id, l.class_id, l.subject_id, l.term_id, l.id,
                   1 + (e.learner_id + \(k)) % 5, CASE WHEN \(k) % 3 = 0 THEN 'test' ELSE 'current' END, 1 + \(k) % 3, l.held_on
            FROM eduql.lessons l JOIN eduql.enrollments e ON e.class_id = l.class_id AND e.status = 'active'
            WHERE l.id = \(lesson) LIMIT \(3 + k % 9)
            """,
            "UPDATE eduql.marks SET value = 1 + (id + \(k)) % 5, weight = 1 + (id + \(k)) % 3 WHERE id IN (SELECT id FROM eduql.marks ORDER BY id DESC OFFSET \(k % 50) LIMIT 20)",
            "DELETE FROM eduql.marks WHERE id IN (SELECT id FROM eduql.marks ORDER BY id OFFSET \(k * 13 % 3000) LIMIT \(1 + k % 7))",
            // Attendance: new records, changed codes, deletions.
            """
            INSERT INTO eduql.attendance (lesson_id, learner_id, region_id, municipality_id, organization_id, code)
            SELECT l.id, e.learner_id, l.region_id, l.municipality_id, l.organization_id, (ARRAY['absent', 'ill', 'excused', 'late'])[1 + \(k) % 4]
            FROM eduql.lessons l JOIN eduql.enrollments e ON e.class_id = l.class_id AND e.status = 'active'
            WHERE l.id = \(lesson) LIMIT \(2 + k % 5) ON CONFLICT DO NOTHING
            """,
            "UPDATE eduql.attendance SET code = (ARRAY['absent', 'ill', 'excused', 'late'])[1 + (learner_id + \(k)) % 4] WHERE (lesson_id, learner_id) IN (SELECT lesson_id, learner_id FROM eduql.attendance ORDER BY lesson_id OFFSET \(k * 7 % 1000) LIMIT 10)",
            "DELETE FROM eduql.attendance WHERE (lesson_id, learner_id) IN (SELECT lesson_id, learner_id FROM eduql.attendance ORDER BY lesson_id DESC OFFSET \(k % 500) LIMIT 4)",
            // A lesson moves to another subject and term of its year, taking its attendance along.
            """
            UPDATE eduql.lessons l SET subject_id = (SELECT s.id FROM eduql.subjects s WHERE s.id <> l.subject_id ORDER BY s.id OFFSET \(k % 3) LIMIT 1),
                   term_id = (SELECT t.id FROM eduql.terms t WHERE t.academic_year_id = (SELECT academic_year_id FROM eduql.terms WHERE id = l.term_id)
                              ORDER BY t.id OFFSET \(k % 2) LIMIT 1)
            WHERE l.id = \(lesson) AND NOT EXISTS (SELECT 1 FROM eduql.marks m WHERE m.lesson_id = l.id)
            """,
            // Contingent: learners leave, one learner's gender is corrected.
            "UPDATE eduql.enrollments SET status = 'expelled', left_on = enrolled_on WHERE id IN (SELECT id FROM eduql.enrollments WHERE status = 'active' ORDER BY id OFFSET \(k * 11 % 1500) LIMIT \(1 + k % 3))",
            "UPDATE eduql.learners SET gender = CASE gender WHEN 'male' THEN 'female' ELSE 'male' END WHERE id IN (SELECT learner_id FROM eduql.enrollments WHERE status = 'active' ORDER BY id OFFSET \(k * 5 % 1500) LIMIT 2)",
            // Movements: recorded and withdrawn.
            """
            INSERT INTO eduql.movements (region_id, municipality_id, organization_id, learner_id, enrollment_id, kind, occurred_on)
            SELECT e.region_id, e.municipality_id, e.organization_id, e.learner_id, e.id, (ARRAY['admitted', 'transferred', 'expelled', 'graduated'])[1 + \(k) % 4],
                   e.enrolled_on + \(k % 200)
            FROM eduql.enrollments e ORDER BY e.id OFFSET \(k * 17 % 1500) LIMIT \(1 + k % 4)
            """,
            "DELETE FROM eduql.movements WHERE id IN (SELECT id FROM eduql.movements ORDER BY id DESC OFFSET \(k % 20) LIMIT 2)",
            // The queue: statuses and age groups change, choices are dropped.
            "UPDATE eduql.queue_applications SET status = (ARRAY['queued', 'rejected', 'withdrawn', 'new'])[1 + \(k) % 4], status_changed_at = now() WHERE id IN (SELECT id FROM eduql.queue_applications ORDER BY id OFFSET \(k * 3 % 200) LIMIT 3)",
            "UPDATE eduql.queue_applications SET age_group = (age_group + 1) % 8 WHERE id = (SELECT id FROM eduql.queue_applications ORDER BY id OFFSET \(k % 200) LIMIT 1)",
            "DELETE FROM eduql.queue_application_choices WHERE (application_id, rank) IN (SELECT application_id, rank FROM eduql.queue_application_choices WHERE rank > 1 ORDER BY application_id OFFSET \(k % 300) LIMIT 2)",
            // The joined sides: a class changes grade, a school changes kind (and back, later), a name changes.
            "UPDATE eduql.classes SET grade = grade % 11 + 1 WHERE id = (SELECT id FROM eduql.classes WHERE kind = 'class' ORDER BY id OFFSET \(k % 100) LIMIT 1)",
            "UPDATE eduql.organizations SET kind = CASE kind WHEN 'school' THEN 'additional' WHEN 'additional' THEN 'school' ELSE kind END WHERE id = \(1 + k % 12)",
            "UPDATE eduql.organizations SET short_name = short_name || '.' WHERE id = \(1 + k % 12)",
        ]
    }

    @Test("after a random sequence of writes to every source table, each rollup holds what a rebuild writes")
    func incrementalEqualsRebuild() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let rollups = Rollups(logger: self.logger)
        try await database.owner.withConnection(logger: self.logger) { connection in
            let names = try await rollups.names(on: connection)
            #expect(names.count == 10)
            // The rollups start filled, from the seed: the check below compares real rows.
            for name in names {
                let rows = try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM eduql.\(name)"), as: Int.self)
                #expect(rows > 0, "\(name) is empty")
            }
            // A threshold above a fifth of the classes: writes move classes in and out of suppression blocks.
            try await connection.execute("""
                UPDATE eduql.regions SET privacy_threshold = 1 + (SELECT percentile_disc(0.2) WITHIN GROUP (ORDER BY n)
                    FROM (SELECT sum(learners) AS n FROM eduql.rollup_contingent GROUP BY class_id) c)
                """, logger: self.logger)
            let blocks = try await connection.scalar("SELECT count(DISTINCT block_id)::int FROM eduql.suppression_blocks", as: Int.self)
            #expect(blocks > 1, "the threshold makes blocks")
            var generator = SplitMix64(state: 20_261_123)
            var applied = 0
            for step in 0..<120 {
                let k = Int(generator.next() % 10_000)
                let choices = Self.writes(k)
                let write = choices[Int(generator.next() % UInt64(choices.count))]
                // Some steps group several writes in one transaction, as a mutation will.
                if step % 5 == 0 {
                    try await connection.execute("BEGIN", logger: self.logger)
                    try await connection.execute(PostgresQuery(unsafeSQL: write), logger: self.logger)
                    try await connection.execute(PostgresQuery(unsafeSQL: Self.writes(k + 1)[0]), logger: self.logger)
                    try await connection.execute("COMMIT", logger: self.logger)
                } else {
                    do {
                        try await connection.execute(PostgresQuery(unsafeSQL: write), logger: self.logger)
                    } catch {
                        Issue.record("step \(step) failed: \(write): \(String(reflecting: error))")
                        throw error
                    }
                }
                applied += 1
                // ROLLUP_DEBUG=1 checks after every step and names the first write that left a rollup behind.
                if ProcessInfo.processInfo.environment["ROLLUP_DEBUG"] != nil, try await rollups.differences(on: connection).contains(where: { $0.rows > 0 }) {
                    Issue.record("first difference after step \(step): \(write)")
                    break
                }
            }
            #expect(applied == 120)
            let differences = try await rollups.differences(on: connection)
            #expect(differences.map(\.name) == names)
            for (name, rows) in differences where rows > 0 {
                let detail = try await connection.scalar(PostgresQuery(unsafeSQL: """
                    SELECT string_agg(d::text, '; ') FROM ((SELECT 'stored', * FROM eduql.\(name) EXCEPT ALL SELECT 'stored', * FROM (\(try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT eduql.rollup_computed_sql('\(name)')"), as: String.self))) c)
                    UNION ALL (SELECT 'computed', * FROM (\(try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT eduql.rollup_computed_sql('\(name)')"), as: String.self))) c EXCEPT ALL SELECT 'computed', * FROM eduql.\(name))) d
                    """), as: String.self)
                Issue.record("\(name) differs from its rebuild in \(rows) rows: \(detail)")
            }

            // The journal's writes left pending rows, which the check above counted; folded into
            // the stored rows, the rollups still hold what a rebuild writes, and none are pending.
            #expect(try await Self.pendingRows(on: connection) > 0, "the journal's writes are pending")
            #expect(try await rollups.foldPending(on: connection) > 0)
            #expect(try await Self.pendingRows(on: connection) == 0)
            let folded = try await rollups.differences(on: connection)
            #expect(folded.allSatisfy { $0.rows == 0 }, "after the fold: \(folded)")

            #expect(try await rollups.suppressionDifferences(on: connection) == 0, "the blocks are what a refresh computes")
            // Every organization those writes moved was marked stale: refreshed, each holds what its classes sum.
            #expect(try await rollups.refreshOrganizations(on: connection) > 0)
            #expect(try await rollups.organizationDifferences(on: connection) == 0, "the organization rollups are what their classes sum")

            let before = try await self.snapshot(names, on: connection)
            let rebuilt = try await rollups.rebuild(on: connection)
            #expect(rebuilt.allSatisfy { $0.rows > 0 })
            #expect(try await self.snapshot(names, on: connection) == before, "a rebuild changed nothing")
        }
    }

    @Test("a lesson moved while its attendance is pending: a stored row whose count reaches zero keeps its other measures")
    func movedWhilePending() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let rollups = Rollups(logger: self.logger)
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await rollups.foldPending(on: connection)
            // Two new lessons of one class, on a day it has none, and two of its learners.
            let lessons = try await connection.column("""
                INSERT INTO eduql.lessons (region_id, municipality_id, organization_id, class_id, subject_id, teacher_id, term_id, held_on, period, topic)
                SELECT l.region_id, l.municipality_id, l.organization_id, l.class_id, l.subject_id, l.teacher_id, l.term_id,
                       (SELECT max(o.held_on) + 21 FROM eduql.lessons o WHERE o.class_id = l.class_id), p, 'moved while pending'
                FROM eduql.lessons l, unnest(ARRAY[1, 2]) p WHERE l.id = (SELECT min(id) FROM eduql.lessons)
                RETURNING id::int
                """, as: Int.self).sorted()
            #expect(lessons.count == 2)
            let learners = try await connection.column(PostgresQuery(unsafeSQL: """
                SELECT e.learner_id::int FROM eduql.enrollments e JOIN eduql.lessons l ON l.class_id = e.class_id
                WHERE l.id = \(lessons[0]) AND e.status = 'active' ORDER BY e.learner_id LIMIT 2
                """), as: Int.self)
            #expect(learners.count == 2)
            func attend(_ lesson: Int, _ learner: Int, _ code: String) async throws {
                try await connection.execute(PostgresQuery(unsafeSQL: """
                    INSERT INTO eduql.attendance (lesson_id, learner_id, region_id, municipality_id, organization_id, code)
                    SELECT id, \(learner), region_id, municipality_id, organization_id, '\(code)' FROM eduql.lessons WHERE id = \(lesson)
                    """), logger: self.logger)
            }
            // The second lesson's record (late, not absent) folded into the day's stored row; the first's (absent) pending.
            try await attend(lessons[1], learners[0], "late")
            #expect(try await rollups.foldPending(on: connection) > 0)
            try await attend(lessons[0], learners[1], "absent")
            #expect(try await Self.pendingRows(on: connection) > 0)
            // Moving the first lesson a day on takes its record out of the day's stored row, which
            // then counts no record but one absence less and one late more than nothing.
            try await connection.execute(PostgresQuery(unsafeSQL: "UPDATE eduql.lessons SET held_on = held_on + 1 WHERE id = \(lessons[0])"),
                                         logger: self.logger)
            let stored = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT format('%s/%s/%s', r.records, r.absent, r.late) FROM eduql.rollup_attendance_days r
                JOIN eduql.lessons l ON l.class_id = r.class_id AND l.held_on = r.day WHERE l.id = \(lessons[1])
                """), as: String.self)
            #expect(stored == "0/-1/1", "the day's stored row is kept while a measure is not zero")
            let pending = try await rollups.differences(on: connection)
            #expect(pending.allSatisfy { $0.rows == 0 }, "with the record pending: \(pending)")
            #expect(try await rollups.foldPending(on: connection) > 0)
            let folded = try await rollups.differences(on: connection)
            #expect(folded.allSatisfy { $0.rows == 0 }, "folded: \(folded)")
        }
    }

    @Test("a statement writing both sides of a join counts once; one deleting both is refused and changes nothing")
    func bothSidesOfAJoin() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let rollups = Rollups(logger: self.logger)
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.execute("""
                WITH app AS (
                    INSERT INTO eduql.queue_applications (region_id, municipality_id, number, applicant_guardian_id, child_last_name,
                        child_first_name, child_gender, child_birth_date, registered_at, desired_start_on, age_group, status, status_changed_at)
                    SELECT g.region_id, 1, 'ROLLUP-1', g.id, 'Тестова', 'Анна', 'female', date '2025-01-01', now(), date '2027-09-01', 2, 'queued', now()
                    FROM eduql.guardians g WHERE g.region_id = 1 ORDER BY g.id LIMIT 1 RETURNING id, region_id, municipality_id)
                INSERT INTO eduql.queue_application_choices (application_id, rank, region_id, municipality_id, organization_id)
                SELECT app.id, o.rank, app.region_id, app.municipality_id, o.id FROM app
                JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rank FROM eduql.organizations
                      WHERE municipality_id = 1 AND kind = 'kindergarten' ORDER BY id LIMIT 2) o ON true
                """, logger: self.logger)
            let counted = try await connection.scalar("""
                SELECT count(*)::int FROM eduql.queue_application_choices c JOIN eduql.queue_applications q ON q.id = c.application_id
                WHERE q.number = 'ROLLUP-1'
                """, as: Int.self)
            #expect(counted >= 1, "the application and its choices exist")
            #expect(try await rollups.differences(on: connection).allSatisfy { $0.rows == 0 })

            await #expect(throws: PSQLError.self) {
                try await connection.execute("""
                    WITH gone AS (DELETE FROM eduql.queue_application_choices WHERE application_id =
                                  (SELECT id FROM eduql.queue_applications WHERE number = 'ROLLUP-1') RETURNING application_id)
                    DELETE FROM eduql.queue_applications WHERE id IN (SELECT application_id FROM gone)
                    """, logger: self.logger)
            }
            #expect(try await connection.scalar("SELECT count(*)::int FROM eduql.queue_applications WHERE number = 'ROLLUP-1'", as: Int.self) == 1)
            // In two statements, choices first, it is followed.
            try await connection.execute("DELETE FROM eduql.queue_application_choices WHERE application_id = (SELECT id FROM eduql.queue_applications WHERE number = 'ROLLUP-1')", logger: self.logger)
            try await connection.execute("DELETE FROM eduql.queue_applications WHERE number = 'ROLLUP-1'", logger: self.logger)
            #expect(try await rollups.differences(on: connection).allSatisfy { $0.rows == 0 })
        }
    }

    /// Every row of every rollup, as text, in key order.
    /// The journal's rows waiting to be folded into the stored rollups (migration 0043).
    static func pendingRows(on connection: PostgresConnection) async throws -> Int {
        try await connection.scalar("SELECT ((SELECT count(*) FROM eduql.pending_marks) + (SELECT count(*) FROM eduql.pending_attendance))::int", as: Int.self)
    }

    /// One mark and one attendance row changed in each region: pending journal rows in both.
    static let journalChangesPerRegion = [
        "UPDATE eduql.marks SET value = 6 - value WHERE id IN (SELECT min(id) FROM eduql.marks WHERE value <> 3 GROUP BY region_id)",
        """
        UPDATE eduql.attendance SET code = CASE code WHEN 'ill' THEN 'absent' ELSE 'ill' END
        WHERE (lesson_id, learner_id) IN (SELECT DISTINCT ON (region_id) lesson_id, learner_id FROM eduql.attendance ORDER BY region_id, lesson_id)
        """,
    ]

    func snapshot(_ names: [String], on connection: PostgresConnection) async throws -> [String] {
        var tables: [String] = []
        for name in names {
            tables.append(try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM eduql.\(name) t
                """), as: String.self))
        }
        return tables
    }

    @Test("a change to the raw rows shows in stats at once, equal to a computation over the raw tables")
    func statsFollowWrites() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let sql = """
            SELECT round(avg(m.value), 3)::float8, round(avg((m.value >= 4)::int), 4)::float8
            FROM eduql.marks m JOIN eduql.classes k ON k.id = m.class_id
            WHERE m.kind IN ('current', 'test') AND k.organization_id = 1
            """
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("school.admin")
            let query = "{ stats(groupBy: ORGANIZATION) { group { id } averageMark qualityRate learners } }"
            func read() async throws -> (Double, Double) {
                let reply = try await api.graphql(query, token: token)
                let rows = try #require(reply.data?["stats"] as? [[String: Any]], "\(reply.text)")
                let row = try #require(rows.first)
                return (try #require(row["averageMark"] as? Double), try #require(row["qualityRate"] as? Double))
            }
            let expected = { try await database.owner.withConnection(logger: self.logger) { try await $0.query(PostgresQuery(unsafeSQL: sql), logger: self.logger).collect().first!.decode((Double, Double).self) } }
            let first = try await read()
            #expect(first == (try await expected()))
            // Every current mark of the school's first class becomes a 2.
            try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.execute("""
                    UPDATE eduql.marks SET value = 2 WHERE kind = 'current'
                      AND class_id = (SELECT min(id) FROM eduql.classes WHERE organization_id = 1 AND kind = 'class')
                    """, logger: self.logger)
            }
            // Answers are shared for a moment (SharedAnswers): the write shows once that has passed.
            try await Task.sleep(for: ServerConfiguration(host: "127.0.0.1").sharedAnswers + .milliseconds(100))
            let second = try await read()
            #expect(second.0 < first.0)
            #expect(second == (try await expected()))
        }
    }

    @Test("stats withholds the measures of every group below its region's own threshold, and only those")
    func regionThreshold() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("region.admin")
            let query = "{ stats(groupBy: CLASS) { group { id } learners averageMark suppressed suppressionReason } }"
            for threshold in [5, 25, 1000] {
                try await database.owner.withConnection(logger: self.logger) { connection in
                    try await connection.execute(PostgresQuery(unsafeSQL: "UPDATE eduql.regions SET privacy_threshold = \(threshold) WHERE id = 1"),
                                                 logger: self.logger)
                }
                try await Task.sleep(for: ServerConfiguration(host: "127.0.0.1").sharedAnswers + .milliseconds(100))
                let below = try await database.owner.withConnection(logger: self.logger) { connection in
                    try await connection.column(PostgresQuery(unsafeSQL: """
                        SELECT k.id::text FROM eduql.classes k WHERE k.region_id = 1
                          AND (SELECT count(*) FROM eduql.enrollments e WHERE e.class_id = k.id AND e.status = 'active') < \(threshold)
                        """), as: String.self)
                }
                let reply = try await api.graphql(query, token: token)
                let rows = try #require(reply.data?["stats"] as? [[String: Any]], "\(reply.text)")
                let suppressed = rows.filter { $0["suppressed"] as? Bool == true }
                // Below the threshold by themselves; others may be withheld to complement them.
                let belowThreshold = suppressed.filter { $0["suppressionReason"] as? String == "BELOW_THRESHOLD" }
                #expect(Set(belowThreshold.compactMap { $0.at("group.id") as? String }) == Set(below), "threshold \(threshold)")
                #expect(suppressed.allSatisfy { ["BELOW_THRESHOLD", "COMPLEMENTARY"].contains($0["suppressionReason"] as? String) })
                #expect(suppressed.allSatisfy { $0["learners"] is NSNull && $0["averageMark"] is NSNull })
                #expect(rows.filter { $0["suppressed"] as? Bool == false }.allSatisfy { ($0["learners"] as? Int ?? 0) >= threshold })
                // The demo data has no class under 5; above that, the threshold must withhold some (and at 1,000, all).
                if threshold > 5 { #expect(!below.isEmpty, "threshold \(threshold) withholds some class") }
                if threshold == 1000 { #expect(suppressed.count == rows.count && !rows.isEmpty) }
            }
        }
    }

    @Test("stats reads rollups and dimension tables, never the raw journal, contingent or queue", arguments: ["REGION", "MUNICIPALITY", "ORGANIZATION", "CLASS"])
    func statsReadsRollups(grouping: String) throws {
        var plans = PlanCache.Configuration()
        plans.enabled = false
        let engine = GraphQLEngine(plans: plans)
        let text = """
            { stats(groupBy: \(grouping), byTerm: true, filter: { grade: 5 }) {
                group { id } term { id } learners attendanceRate averageMark qualityRate queueDemand freePlaces suppressed
                suppressionReason markDistribution { two five } contingent { grade female } movements { month admitted }
                attendance(from: "2026-09-01", to: "2026-09-30", per: DAY) { startsOn attendanceRate }
                queueByAgeGroup { ageGroup queued freePlaces byPriority { priorityClass queued } } } }
            """
        let acting = ActingAs.user(tokenSHA256: Data(repeating: 3, count: 32), assignmentID: 1, idleSeconds: 1800, regionID: 1)
        let plan = try engine.plan(try engine.prepare(text, for: .regionAdmin), operationName: nil, variables: .null,
                                   policy: .regionAdmin, actingAs: acting)
        guard case .statement(let statement) = plan.roots.first else { Issue.record("no statement"); return }
        for rollup in ["rollup_marks", "rollup_contingent", "rollup_movements", "rollup_lesson_days", "rollup_attendance_days", "suppression_blocks"] {
            #expect(statement.sql.contains("eduql.\(rollup)"), "stats reads eduql.\(rollup)")
        }
        for raw in ["marks", "attendance", "lessons", "enrollments", "movements", "queue_applications", "queue_application_choices"] {
            #expect(!statement.sql.contains("eduql.\(raw) "), "stats reads eduql.\(raw)")
        }
    }
}
