import EduQLSchema
import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// Corrections and removals of marks keep their history; term marks follow the teacher's
/// assignments and the term's window; a retried mutation with an Idempotency-Key writes once.
@Suite("Mark corrections, final marks and idempotent retries", .timeLimit(.minutes(3)))
struct MarkCorrectionTests {
    let logger = Logger(label: "eduql-tests")
    let journal = JournalWriteTests()

    func count(_ database: ClusterConnections, _ sql: String) async throws -> Int {
        try await database.owner.withConnection(logger: self.logger) { try await $0.scalar(PostgresQuery(unsafeSQL: sql), as: Int.self) }
    }

    @Test("a teacher corrects and removes its marks with a reason; the history keeps who, when, before and after")
    func corrections() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.journal.fixture(database)
        // A mark of a lesson the teacher does not teach, and one of its own lesson a month ago.
        let (foreignMark, oldMark) = try await database.owner.withConnection(logger: self.logger) { connection in
            let foreign = try await connection.scalar(PostgresQuery(unsafeSQL:
                "SELECT min(id)::int FROM eduql.marks WHERE lesson_id = \(fixture.untaughtLesson)"), as: Int?.self)
            let old = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(m.id)::int FROM eduql.marks m JOIN eduql.lessons l ON l.id = m.lesson_id
                WHERE l.class_id = (SELECT class_id FROM eduql.lessons WHERE id = \(fixture.lesson))
                  AND l.subject_id = (SELECT subject_id FROM eduql.lessons WHERE id = \(fixture.lesson)) AND l.held_on < current_date - 20
                """), as: Int?.self)
            return (foreign, old)
        }
        try await TestAPI.run(database) { api in
            let teacher = try await api.demoToken("teacher")
            let recorded = try await api.graphql(JournalWriteTests.recordMarks, variables: ["lesson": String(fixture.lesson), "marks": [
                ["learnerId": String(fixture.learners[0]), "value": 3],
            ]], token: teacher)
            let mark = try #require(((recorded.data?["recordMarks"] as? [[String: Any]])?.first?["id"] as? String), "\(recorded.text)")

            let correct = """
                mutation Correct($mark: ID!, $value: Int!, $reason: String!) {
                  correctMark(markId: $mark, value: $value, weight: 2, reason: $reason) { value weight history { oldValue newValue oldWeight newWeight reason changedBy } }
                }
                """
            let corrected = try await api.graphql(correct, variables: ["mark": mark, "value": 4, "reason": "ошибка при вводе"], token: teacher)
            let after = try #require(corrected.data?["correctMark"] as? [String: Any], "\(corrected.text)")
            #expect(after["value"] as? Int == 4 && after["weight"] as? Int == 2)
            let history = try #require(after["history"] as? [[String: Any]])
            #expect(history.count == 1)
            #expect(history.first?["oldValue"] as? Int == 3 && history.first?["newValue"] as? Int == 4)
            #expect(history.first?["oldWeight"] as? Int == 1 && history.first?["newWeight"] as? Int == 2)
            #expect(history.first?["reason"] as? String == "ошибка при вводе")
            #expect((history.first?["changedBy"] as? String)?.isEmpty == false)

            // Refused with nothing written: no reason, a value out of range, another teacher's mark, an old lesson's mark.
            let historyBefore = try await self.count(database, "SELECT count(*)::int FROM eduql.mark_history")
            let refused: [(String, [String: Any], String)] = [
                ("a reason too short", ["mark": mark, "value": 5, "reason": "x"], "BAD_USER_INPUT"),
                ("a value out of range", ["mark": mark, "value": 6, "reason": "ошибка"], "BAD_USER_INPUT"),
                ("a mark of a lesson not taught", ["mark": String(try #require(foreignMark)), "value": 5, "reason": "ошибка"], "FORBIDDEN"),
                ("a mark outside the edit window", ["mark": String(try #require(oldMark)), "value": 5, "reason": "ошибка"], "FORBIDDEN"),
                ("a mark that does not exist", ["mark": "999999999", "value": 5, "reason": "ошибка"], "FORBIDDEN"),
            ]
            for (label, variables, code) in refused {
                let reply = try await api.graphql(correct, variables: variables, token: teacher)
                #expect(reply.errorCodes == [code], "\(label): \(reply.text)")
            }
            #expect(try await self.count(database, "SELECT count(*)::int FROM eduql.mark_history") == historyBefore)

            let deleted = try await api.graphql("""
                mutation Delete($mark: ID!) { deleteMark(markId: $mark, reason: "выставлена не тому ученику") { markId oldValue newValue reason } }
                """, variables: ["mark": mark], token: teacher)
            let removal = try #require(deleted.data?["deleteMark"] as? [String: Any], "\(deleted.text)")
            #expect(removal["oldValue"] as? Int == 4 && removal["newValue"] is NSNull && removal["markId"] as? String == mark)
            #expect(try await self.count(database, "SELECT count(*)::int FROM eduql.marks WHERE id = \(mark)") == 0)

            // The school and the parent see the learner's whole history; the region, only of final marks.
            let school = try await api.demoToken("school.admin")
            let card = try await api.graphql("{ learner(id: \(fixture.learners[0])) { markHistory { markId newValue } } }", token: school)
            let entries = try #require((card.data?["learner"] as? [String: Any])?["markHistory"] as? [[String: Any]], "\(card.text)")
            #expect(entries.filter { $0["markId"] as? String == mark }.count == 2)
            let region = try await api.demoToken("region.admin")
            let regional = try await api.graphql("{ learner(id: \(fixture.learners[0])) { markHistory { markId } } }", token: region)
            let seen = (regional.data?["learner"] as? [String: Any])?["markHistory"] as? [[String: Any]]
            #expect(seen?.isEmpty == true, "\(regional.text)")
        }
    }

    @Test("term marks: the teacher of the class subject in the term's window, once per learner; no one else")
    func finalMarks() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.journal.fixture(database)
        // The term under way (stretched over today), without term marks of the lesson's class and subject yet.
        let (klass, subject, term, untaughtClass, untaughtSubject) = try await database.owner.withConnection(logger: self.logger) { connection in
            let (klass, subject) = try await connection.query(PostgresQuery(unsafeSQL:
                "SELECT class_id::int, subject_id::int FROM eduql.lessons WHERE id = \(fixture.lesson)"), logger: self.logger)
                .collect().first!.decode((Int, Int).self)
            let term = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT t.id::int FROM eduql.terms t JOIN eduql.classes k ON k.academic_year_id = t.academic_year_id
                WHERE k.id = \(klass) AND t.scheme = 'quarter' ORDER BY abs(t.starts_on - current_date) LIMIT 1
                """), as: Int.self)
            try await connection.execute(PostgresQuery(unsafeSQL:
                "UPDATE eduql.terms SET starts_on = least(starts_on, current_date), ends_on = greatest(ends_on, current_date) WHERE id = \(term)"),
                logger: self.logger)
            try await connection.execute(PostgresQuery(unsafeSQL:
                "DELETE FROM eduql.marks WHERE kind = 'term' AND class_id = \(klass) AND subject_id = \(subject) AND term_id = \(term)"), logger: self.logger)
            let (untaughtClass, untaughtSubject) = try await connection.query(PostgresQuery(unsafeSQL:
                "SELECT class_id::int, subject_id::int FROM eduql.lessons WHERE id = \(fixture.untaughtLesson)"), logger: self.logger)
                .collect().first!.decode((Int, Int).self)
            return (klass, subject, term, untaughtClass, untaughtSubject)
        }
        let document = """
            mutation Final($class: ID!, $subject: ID!, $term: ID!, $marks: [FinalMarkInput!]!) {
              recordFinalMarks(classId: $class, subjectId: $subject, termId: $term, marks: $marks) { value kind learner { id } }
            }
            """
        try await TestAPI.run(database) { api in
            let marks: [[String: Any]] = fixture.learners.map { ["learnerId": String($0), "value": 4] }
            let teacher = try await api.demoToken("teacher")
            let given = try await api.graphql(document, variables: ["class": String(klass), "subject": String(subject), "term": String(term), "marks": marks],
                                              token: teacher)
            let rows = try #require(given.data?["recordFinalMarks"] as? [[String: Any]], "\(given.text)")
            #expect(rows.map { $0["kind"] as? String } == ["TERM", "TERM"])
            let before = try await self.count(database, "SELECT count(*)::int FROM eduql.marks")
            let refused: [(String, [String: Any], String)] = [
                ("given twice", ["class": String(klass), "subject": String(subject), "term": String(term), "marks": marks], "BAD_USER_INPUT"),
                ("a class subject not taught", ["class": String(untaughtClass), "subject": String(untaughtSubject), "term": String(term), "marks": marks], "FORBIDDEN"),
                ("a learner of another class", ["class": String(klass), "subject": String(subject), "term": String(term),
                                                "marks": [["learnerId": String(fixture.strangerLearner), "value": 5]]], "FORBIDDEN"),
            ]
            for (label, variables, code) in refused {
                let reply = try await api.graphql(document, variables: variables, token: teacher)
                #expect(reply.errorCodes == [code], "\(label): \(reply.text)")
            }
            #expect(try await self.count(database, "SELECT count(*)::int FROM eduql.marks") == before)
        }
    }

    @Test("a mutation retried with its Idempotency-Key writes once and answers the same; another request under the key is refused")
    func idempotentRetries() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.journal.fixture(database)
        let before = try await self.journal.marks(database)
        try await TestAPI.run(database) { api in
            let teacher = try await api.demoToken("teacher")
            @Sendable func body() -> [String: Any] {
                ["query": JournalWriteTests.recordMarks, "variables": [
                    "lesson": String(fixture.lesson), "marks": [["learnerId": String(fixture.learners[0]), "value": 5]],
                ]]
            }
            let port = api.port
            // Four concurrent attempts with one key, as a mobile client's retries may meet.
            let replies = try await withThrowingTaskGroup(of: RawExchange.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await RawHTTP.post(port: port, path: "/graphql", json: body(), token: teacher, headers: ["Idempotency-Key": "retry-1"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 200 }, "\(replies.map(\.body))")
            #expect(Set(replies.map(\.body)).count == 1, "\(replies.map(\.body))")
            #expect(try await self.journal.marks(database) == before + 1)

            // The same key for another request is refused; a new key writes again.
            var other = body()
            other["variables"] = ["lesson": String(fixture.lesson), "marks": [["learnerId": String(fixture.learners[1]), "value": 2]]]
            let reused = try await RawHTTP.post(port: api.port, path: "/graphql", json: other, token: teacher, headers: ["Idempotency-Key": "retry-1"])
            #expect(reused.status == 422, "\(reused.body)")
            let fresh = try await RawHTTP.post(port: api.port, path: "/graphql", json: body(), token: teacher, headers: ["Idempotency-Key": "retry-2"])
            #expect(fresh.status == 200)
            let malformed = try await RawHTTP.post(port: api.port, path: "/graphql", json: body(), token: teacher, headers: ["Idempotency-Key": "two words"])
            #expect(malformed.status == 400)
            #expect(try await self.journal.marks(database) == before + 2)
            // Another principal's key of the same name is its own.
            let school = try await api.demoToken("school.admin")
            let theirs = try await RawHTTP.post(port: api.port, path: "/graphql", json: body(), token: school, headers: ["Idempotency-Key": "retry-1"])
            #expect(theirs.status == 200, "\(theirs.body)")
            #expect(try await self.journal.marks(database) == before + 3)

            // Past 24 hours a key is free again: the retry writes anew; pruning drops what expired.
            _ = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.query("UPDATE eduql.idempotent_answers SET created_at = now() - interval '25 hours' WHERE key IN ('retry-1', 'retry-2')",
                                           logger: self.logger).collect()
            }
            let late = try await RawHTTP.post(port: port, path: "/graphql", json: body(), token: teacher, headers: ["Idempotency-Key": "retry-1"])
            #expect(late.status == 200 && late.body.contains("recordMarks"), "\(late.body)")
            #expect(try await self.journal.marks(database) == before + 4)
            let pruned = try await database.server.withConnection(logger: self.logger) { connection in
                try await connection.scalar("SELECT eduql.prune_idempotent_answers()::int", as: Int.self)
            }
            #expect(pruned == 2, "retry-1 of the school admin and retry-2 of the teacher")
            #expect(try await self.count(database, "SELECT count(*)::int FROM eduql.idempotent_answers") == 1)
        }
    }
}
