import EduQLSchema
import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// Journal writes through the API: a teacher's own lessons within the edit window, a school
/// administrator's school this year; every other write refused with nothing written; one
/// transaction per operation; concurrent writes to one lesson all kept.
@Suite("Journal writes", .timeLimit(.minutes(3)))
struct JournalWriteTests {
    let logger = Logger(label: "eduql-tests")

    /// The demo teacher's own lesson moved to `daysAgo` days before today, with two learners
    /// enrolled in its class, a learner of another class of the school, a lesson of the school
    /// the teacher does not teach, and a lesson of another school.
    struct Fixture: Sendable {
        var lesson: Int
        var learners: [Int]
        var strangerLearner: Int
        var untaughtLesson: Int
        var foreignLesson: Int
    }

    func fixture(_ database: ClusterConnections, daysAgo: Int = 1) async throws -> Fixture {
        try await database.owner.withConnection(logger: self.logger) { connection in
            let staff = try await connection.scalar("SELECT u.staff_id FROM eduql.users u WHERE u.login = 'teacher'", as: Int.self)
            let lesson = try await connection.scalar("""
                SELECT min(l.id)::int FROM eduql.lessons l JOIN eduql.teaching_assignments ta
                  ON ta.class_id = l.class_id AND ta.subject_id = l.subject_id WHERE ta.staff_id = \(staff)
                """, as: Int.self)
            // Held `daysAgo` days before today, at a period of its own.
            try await connection.execute(PostgresQuery(unsafeSQL:
                "UPDATE eduql.lessons SET held_on = current_date - \(daysAgo), period = 10 WHERE id = \(lesson)"), logger: self.logger)
            let learners = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT e.learner_id::int FROM eduql.enrollments e JOIN eduql.lessons l ON l.class_id = e.class_id
                WHERE l.id = \(lesson) AND e.status = 'active' ORDER BY e.learner_id LIMIT 2
                """), logger: self.logger).collect().map { try $0.decode(Int.self) }
            let stranger = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(e.learner_id)::int FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id
                WHERE e.status = 'active' AND k.organization_id = (SELECT organization_id FROM eduql.lessons WHERE id = \(lesson))
                  AND e.class_id <> (SELECT class_id FROM eduql.lessons WHERE id = \(lesson))
                """), as: Int.self)
            let untaught = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(l.id)::int FROM eduql.lessons l WHERE l.organization_id = (SELECT organization_id FROM eduql.lessons WHERE id = \(lesson))
                  AND NOT EXISTS (SELECT 1 FROM eduql.teaching_assignments ta WHERE ta.staff_id = \(staff) AND ta.class_id = l.class_id
                                  AND ta.subject_id = l.subject_id)
                """), as: Int.self)
            try await connection.execute(PostgresQuery(unsafeSQL:
                "UPDATE eduql.lessons SET held_on = current_date - 1, period = 9 WHERE id = \(untaught)"), logger: self.logger)
            let foreign = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(l.id)::int FROM eduql.lessons l WHERE l.organization_id <> (SELECT organization_id FROM eduql.lessons WHERE id = \(lesson))
                """), as: Int.self)
            return Fixture(lesson: lesson, learners: learners, strangerLearner: stranger, untaughtLesson: untaught, foreignLesson: foreign)
        }
    }

    func marks(_ database: ClusterConnections) async throws -> Int {
        try await database.owner.withConnection(logger: self.logger) { try await $0.scalar("SELECT count(*)::int FROM eduql.marks", as: Int.self) }
    }

    static let recordMarks = """
        mutation Record($lesson: ID!, $marks: [MarkInput!]!) { recordMarks(lessonId: $lesson, marks: $marks) { id value kind weight learner { id } } }
        """

    @Test("a teacher records marks of its own lesson; they read back, count in the rollups and are audited")
    func teacherRecords() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let before = try await self.marks(database)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("teacher")
            let reply = try await api.graphql(Self.recordMarks, variables: ["lesson": String(fixture.lesson), "marks": [
                ["learnerId": String(fixture.learners[0]), "value": 5],
                ["learnerId": String(fixture.learners[1]), "value": 3, "kind": "TEST", "weight": 2],
            ]], token: token)
            let written = try #require(reply.data?["recordMarks"] as? [[String: Any]], "\(reply.text)")
            #expect(written.map { $0["value"] as? Int } == [5, 3])
            #expect(written.map { $0["kind"] as? String } == ["CURRENT", "TEST"])
            #expect(written.map { $0.at("learner.id") as? String } == fixture.learners.map(String.init))
        }
        #expect(try await self.marks(database) == before + 2)
        try await database.owner.withConnection(logger: self.logger) { connection in
            let differences = try await Rollups(logger: self.logger).differences(on: connection)
            #expect(differences.allSatisfy { $0.rows == 0 }, "\(differences)")
            let event = try await connection.query("""
                SELECT outcome, row_count, learner_ids FROM eduql.audit_events WHERE operation_name = 'Record'
                """, logger: self.logger).collect().first?.decode((String, Int?, [Int]).self)
            #expect(event?.0 == "ok")
            #expect(event?.1 == 2)
            #expect(Set(event?.2 ?? []) == Set(fixture.learners))
        }
    }

    @Test("every write outside the teacher's reach is refused and writes nothing")
    func teacherRefused() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let before = try await self.marks(database)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("teacher")
            let good = ["learnerId": String(fixture.learners[0]), "value": 4] as [String: Any]
            let cases: [(String, String, [[String: Any]], String)] = [
                ("a lesson it does not teach", String(fixture.untaughtLesson), [good], "FORBIDDEN"),
                ("another school's lesson", String(fixture.foreignLesson), [good], "FORBIDDEN"),
                ("a learner of another class", String(fixture.lesson), [["learnerId": String(fixture.strangerLearner), "value": 4]], "FORBIDDEN"),
                ("a term mark", String(fixture.lesson), [["learnerId": String(fixture.learners[0]), "value": 4, "kind": "TERM"]], "FORBIDDEN"),
                ("a batch with one bad row", String(fixture.lesson), [good, ["learnerId": String(fixture.strangerLearner), "value": 4]], "FORBIDDEN"),
                ("a value of 6", String(fixture.lesson), [["learnerId": String(fixture.learners[0]), "value": 6]], "BAD_USER_INPUT"),
                ("a weight of 4", String(fixture.lesson), [["learnerId": String(fixture.learners[0]), "value": 4, "weight": 4]], "BAD_USER_INPUT"),
                ("a malformed learner id", String(fixture.lesson), [["learnerId": "x", "value": 4]], "BAD_USER_INPUT"),
                ("no marks", String(fixture.lesson), [], "BAD_USER_INPUT"),
                ("a lesson that does not exist", "999999999", [good], "FORBIDDEN"),
            ]
            for (label, lesson, marks, code) in cases {
                let reply = try await api.graphql(Self.recordMarks, variables: ["lesson": lesson, "marks": marks], token: token)
                #expect(reply.status == .ok && reply.errorCodes == [code], "\(label): \(reply.text)")
            }
            // The same lesson held outside the edit window, then not yet held.
            for (label, shift) in [("outside the edit window", "- 10"), ("not yet held", "+ 1")] {
                try await database.owner.withConnection(logger: self.logger) {
                    try await $0.execute(PostgresQuery(unsafeSQL: "UPDATE eduql.lessons SET held_on = current_date \(shift) WHERE id = \(fixture.lesson)"),
                                         logger: self.logger)
                }
                let reply = try await api.graphql(Self.recordMarks, variables: ["lesson": String(fixture.lesson), "marks": [good]], token: token)
                #expect(reply.errorCodes == ["FORBIDDEN"], "\(label): \(reply.text)")
            }
            // Within the window again, the same write is taken: the refusals above were the window's.
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute(PostgresQuery(unsafeSQL: "UPDATE eduql.lessons SET held_on = current_date - 3 WHERE id = \(fixture.lesson)"),
                                     logger: self.logger)
            }
            let taken = try await api.graphql(Self.recordMarks, variables: ["lesson": String(fixture.lesson), "marks": [good]], token: token)
            #expect((taken.data?["recordMarks"] as? [Any])?.count == 1, "\(taken.text)")
        }
        #expect(try await self.marks(database) == before + 1, "nothing but the last write was written")
    }

    @Test("roles that do not keep the journal cannot even name the mutation")
    func otherRolesCannot() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let before = try await self.marks(database)
        try await TestAPI.run(database) { api in
            for login in ["parent", "student", "region.admin", "mouo.admin"] {
                let reply = try await api.graphql(Self.recordMarks, variables: ["lesson": String(fixture.lesson), "marks": [
                    ["learnerId": String(fixture.learners[0]), "value": 5]]], token: try await api.demoToken(login))
                #expect(reply.data?["recordMarks"] == nil && !reply.errorCodes.isEmpty, "\(login): \(reply.text)")
            }
        }
        #expect(try await self.marks(database) == before)
    }

    @Test("a school administrator writes any lesson of its school this year, and no other school's")
    func schoolAdministrator() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database, daysAgo: 20)
        let before = try await self.marks(database)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("school.admin")
            let own = try await api.graphql(Self.recordMarks, variables: ["lesson": String(fixture.lesson), "marks": [
                ["learnerId": String(fixture.learners[0]), "value": 2]]], token: token)
            #expect((own.data?["recordMarks"] as? [Any])?.count == 1, "\(own.text)")
            let foreign = try await api.graphql(Self.recordMarks, variables: ["lesson": String(fixture.foreignLesson), "marks": [
                ["learnerId": String(fixture.learners[0]), "value": 2]]], token: token)
            #expect(foreign.errorCodes == ["FORBIDDEN"], "\(foreign.text)")
        }
        #expect(try await self.marks(database) == before + 1)
    }

    @Test("attendance: a code sets a learner's record, none removes it; one learner twice is refused")
    func attendance() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let query = "mutation A($lesson: ID!, $records: [AttendanceInput!]!) { recordAttendance(lessonId: $lesson, records: $records) { code learner { id } } }"
        @Sendable func records() async throws -> [String] {
            try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "SELECT learner_id || ':' || code FROM eduql.attendance WHERE lesson_id = \(fixture.lesson) ORDER BY learner_id"),
                                           logger: self.logger).collect().map { try $0.decode(String.self) }
            }
        }
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("teacher")
            let (a, b) = (String(fixture.learners[0]), String(fixture.learners[1]))
            let set = try await api.graphql(query, variables: ["lesson": String(fixture.lesson), "records": [
                ["learnerId": a, "code": "ABSENT"], ["learnerId": b, "code": "LATE"]]], token: token)
            #expect((set.data?["recordAttendance"] as? [[String: Any]])?.map { $0["code"] as? String } == ["ABSENT", "LATE"], "\(set.text)")
            #expect(try await records() == ["\(a):absent", "\(b):late"])
            let changed = try await api.graphql(query, variables: ["lesson": String(fixture.lesson), "records": [
                ["learnerId": a], ["learnerId": b, "code": "ILL"]]], token: token)
            #expect((changed.data?["recordAttendance"] as? [[String: Any]])?.count == 1, "\(changed.text)")
            #expect(try await records() == ["\(b):ill"])
            let twice = try await api.graphql(query, variables: ["lesson": String(fixture.lesson), "records": [
                ["learnerId": a, "code": "ABSENT"], ["learnerId": a, "code": "ILL"]]], token: token)
            #expect(twice.errorCodes == ["BAD_USER_INPUT"])
            #expect(try await records() == ["\(b):ill"])
        }
        try await database.owner.withConnection(logger: self.logger) { connection in
            let differences = try await Rollups(logger: self.logger).differences(on: connection)
            #expect(differences.allSatisfy { $0.rows == 0 }, "\(differences)")
        }
    }

    @Test("a teacher sets the topic and homework of its own lessons, ahead of them too; nobody else's, none past the window")
    func topicAndHomework() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let topic = "mutation T($lesson: ID!, $topic: String!) { setLessonTopic(lessonId: $lesson, topic: $topic) { id topic } }"
        let homework = """
            mutation H($lesson: ID!, $text: String!, $due: Date) { setHomework(lessonId: $lesson, assignment: $text, dueOn: $due) { id homework { assignment dueOn } } }
            """
        @Sendable func stored(_ lesson: Int) async throws -> String {
            try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar(PostgresQuery(unsafeSQL: """
                    SELECT l.topic || '|' || coalesce(h.assignment, '') || '|' || coalesce(h.due_on::text, '')
                    FROM eduql.lessons l LEFT JOIN eduql.homework h ON h.lesson_id = l.id WHERE l.id = \(lesson)
                    """), as: String.self)
            }
        }
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("teacher")
            let lesson = String(fixture.lesson)
            let set = try await api.graphql(topic, variables: ["lesson": lesson, "topic": "Дроби"], token: token)
            #expect(set.data?.at("setLessonTopic.topic") as? String == "Дроби", "\(set.text)")
            let given = try await api.graphql(homework, variables: ["lesson": lesson, "text": "№ 12, 14", "due": "2026-12-01"], token: token)
            #expect(given.data?.at("setLessonTopic") == nil && given.data?.at("setHomework.homework.dueOn") as? String == "2026-12-01", "\(given.text)")
            #expect(try await stored(fixture.lesson) == "Дроби|№ 12, 14|2026-12-01")
            // Ahead of the lesson too.
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute(PostgresQuery(unsafeSQL: "UPDATE eduql.lessons SET held_on = current_date + 5 WHERE id = \(fixture.lesson)"), logger: self.logger)
            }
            let ahead = try await api.graphql(topic, variables: ["lesson": lesson, "topic": "Десятичные дроби"], token: token)
            #expect(ahead.data?.at("setLessonTopic.topic") as? String == "Десятичные дроби", "\(ahead.text)")
            let untaughtBefore = try await stored(fixture.untaughtLesson)
            for (label, variables, query, code) in [
                ("a lesson it does not teach", ["lesson": String(fixture.untaughtLesson), "topic": "x"], topic, "FORBIDDEN"),
                ("another school's lesson", ["lesson": String(fixture.foreignLesson), "topic": "x"], topic, "FORBIDDEN"),
                ("an empty topic", ["lesson": lesson, "topic": ""], topic, "BAD_USER_INPUT"),
                ("homework of a lesson it does not teach", ["lesson": String(fixture.untaughtLesson), "text": "x"], homework, "FORBIDDEN"),
                ("a due date that is no date", ["lesson": lesson, "text": "x", "due": "2026-02-30"], homework, "BAD_USER_INPUT"),
            ] as [(String, [String: Any], String, String)] {
                let reply = try await api.graphql(query, variables: variables, token: token)
                #expect(reply.errorCodes == [code], "\(label): \(reply.text)")
            }
            #expect(try await stored(fixture.untaughtLesson) == untaughtBefore)
            #expect(try await stored(fixture.lesson) == "Десятичные дроби|№ 12, 14|2026-12-01")
            // Past the edit window: refused.
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute(PostgresQuery(unsafeSQL: "UPDATE eduql.lessons SET held_on = current_date - 10 WHERE id = \(fixture.lesson)"), logger: self.logger)
            }
            let late = try await api.graphql(topic, variables: ["lesson": lesson, "topic": "поздно"], token: token)
            #expect(late.errorCodes == ["FORBIDDEN"], "\(late.text)")
        }
    }

    @Test("an operation whose second field is refused leaves its first undone")
    func oneTransaction() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let before = try await self.marks(database)
        try await TestAPI.run(database) { api in
            let reply = try await api.graphql("""
                mutation Two($lesson: ID!, $good: [MarkInput!]!, $bad: [MarkInput!]!) {
                  first: recordMarks(lessonId: $lesson, marks: $good) { id }
                  second: recordMarks(lessonId: $lesson, marks: $bad) { id } }
                """, variables: ["lesson": String(fixture.lesson),
                                 "good": [["learnerId": String(fixture.learners[0]), "value": 5]],
                                 "bad": [["learnerId": String(fixture.strangerLearner), "value": 5]]], token: try await api.demoToken("teacher"))
            #expect(reply.errorCodes == ["FORBIDDEN"], "\(reply.text)")
        }
        #expect(try await self.marks(database) == before)
    }

    @Test("concurrent writes to one lesson are all kept, and the rollups count every one")
    func concurrentWrites() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let before = try await self.marks(database)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("teacher")
            let port = api.port
            let body = RawHTTP.graphql(Self.recordMarks, variables: ["lesson": String(fixture.lesson), "marks": [
                ["learnerId": String(fixture.learners[0]), "value": 4], ["learnerId": String(fixture.learners[1]), "value": 5]]])
            let replies = try await withThrowingTaskGroup(of: RawExchange.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        // A loaded machine may answer "busy" (503, nothing written) before the write
                        // begins; a client tries again, as it would.
                        var reply = try await RawHTTP.post(port: port, body: body, token: token)
                        for _ in 0..<20 where reply.status == 503 && reply.retryAfter {
                            try await Task.sleep(for: .milliseconds(250))
                            reply = try await RawHTTP.post(port: port, body: body, token: token)
                        }
                        return reply
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 200 && $0.body.contains("\"recordMarks\":[") }, "\(replies.map(\.body))")
        }
        #expect(try await self.marks(database) == before + 24)
        try await database.owner.withConnection(logger: self.logger) { connection in
            let differences = try await Rollups(logger: self.logger).differences(on: connection)
            #expect(differences.allSatisfy { $0.rows == 0 }, "\(differences)")
        }
    }
}
