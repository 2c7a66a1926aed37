import EduQLSchema
import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// Who may name which mutation at all, for every role and an integration client; and the
/// homeroom teacher's reach: its class, only its own subjects.
@Suite("Write reach of every role", .timeLimit(.minutes(3)))
struct WriteReachTests {
    let logger = Logger(label: "eduql-tests")

    /// Every write of the journal and the contingent, as a minimal document.
    static let documents: [String: String] = [
        "recordMarks": "mutation { recordMarks(lessonId: 1, marks: [{ learnerId: 1, value: 5 }]) { id } }",
        "recordAttendance": "mutation { recordAttendance(lessonId: 1, records: [{ learnerId: 1, code: ABSENT }]) { code } }",
        "setLessonTopic": "mutation { setLessonTopic(lessonId: 1, topic: \"x\") { id } }",
        "setHomework": "mutation { setHomework(lessonId: 1, assignment: \"x\") { id } }",
        "correctMark": "mutation { correctMark(markId: 1, value: 5, reason: \"ошибка\") { id } }",
        "deleteMark": "mutation { deleteMark(markId: 1, reason: \"ошибка\") { markId } }",
        "recordFinalMarks": "mutation { recordFinalMarks(classId: 1, subjectId: 1, termId: 1, marks: [{ learnerId: 1, value: 5 }]) { id } }",
        "admitLearner": "mutation { admitLearner(input: { learnerId: 1, classId: 1, on: \"2026-09-01\", orderNumber: \"1\" }) { id } }",
        "transferToClass": "mutation { transferToClass(input: { learnerId: 1, classId: 1, on: \"2026-09-01\", orderNumber: \"1\" }) { id } }",
        "transferToOrganization": "mutation { transferToOrganization(input: { learnerId: 1, toOrganizationId: 2, on: \"2026-09-01\", orderNumber: \"1\" }) { id } }",
        "confirmTransfer": "mutation { confirmTransfer(transferId: 1) { id } }",
        "declineTransfer": "mutation { declineTransfer(transferId: 1) { id } }",
        "acceptTransfer": "mutation { acceptTransfer(transferId: 1, classId: 1, orderNumber: \"1\") { id } }",
        "expelLearner": "mutation { expelLearner(input: { learnerId: 1, on: \"2026-09-01\", orderNumber: \"1\" }) { id } }",
        "graduateLearner": "mutation { graduateLearner(input: { learnerId: 1, on: \"2026-09-01\", orderNumber: \"1\" }) { id } }",
        "fileQueueApplication": "mutation { fileQueueApplication(input: { learnerId: 1, municipalityId: 999, choices: [1], desiredStartOn: \"2027-09-01\" }) { id } }",
        "changeQueueChoices": "mutation { changeQueueChoices(applicationId: 1, choices: [1]) { id } }",
        "withdrawQueueApplication": "mutation { withdrawQueueApplication(applicationId: 1) { id } }",
        "respondToOffer": "mutation { respondToOffer(applicationId: 1, accept: false) { id } }",
        "reviewQueueApplication": "mutation { reviewQueueApplication(applicationId: 1, accept: false, reason: \"нет документов\") { id } }",
        "decideBenefit": "mutation { decideBenefit(applicationId: 1, confirm: false, reason: \"нет документа\") { id } }",
        "transferQueueApplication": "mutation { transferQueueApplication(applicationId: 1, toMunicipalityId: 2, choices: [1], reason: \"переезд\") { id } }",
        "runDistribution": "mutation { runDistribution(input: { on: \"2026-09-01\", academicYearId: 999, runKey: \"x\" }) { id } }",
    ]

    static let queueOfParent: Set<String> = ["fileQueueApplication", "changeQueueChoices", "withdrawQueueApplication", "respondToOffer"]
    static let queueOfMunicipality: Set<String> = ["reviewQueueApplication", "decideBenefit", "transferQueueApplication", "runDistribution"]

    /// The writes each caller may name; every other one is not in its schema.
    static let allowed: [String: Set<String>] = [
        "teacher": ["recordMarks", "recordAttendance", "setLessonTopic", "setHomework", "correctMark", "deleteMark", "recordFinalMarks"],
        "homeroom": ["recordMarks", "recordAttendance", "setLessonTopic", "setHomework", "correctMark", "deleteMark", "recordFinalMarks"],
        "school.admin": Set(documents.keys).subtracting(["confirmTransfer"]).subtracting(queueOfParent).subtracting(queueOfMunicipality),
        "mouo.admin": queueOfMunicipality.union(["confirmTransfer", "declineTransfer"]),
        "parent": queueOfParent,
        "region.admin": [], "student": [], "diary-vendor": [],
    ]

    @Test("each caller names exactly its writes; the others fail validation and write nothing")
    func namesOnlyItsWrites() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let tables = ["marks", "attendance", "homework", "mark_history", "learners", "enrollments", "movements", "transfers",
                      "queue_applications", "queue_application_choices", "queue_status_history", "distribution_runs", "allocations"]
        @Sendable func counts() async throws -> [Int] {
            try await database.owner.withConnection(logger: self.logger) { connection in
                var counts: [Int] = []
                for table in tables { counts.append(try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM eduql.\(table)"), as: Int.self)) }
                return counts
            }
        }
        let before = try await counts()
        try await TestAPI.run(database) { api in
            for (caller, allowed) in Self.allowed.sorted(by: { $0.key < $1.key }) {
                let token = caller == "diary-vendor" ? try await api.clientToken() : try await api.demoToken(caller)
                for (name, document) in Self.documents.sorted(by: { $0.key < $1.key }) {
                    let reply = try await api.graphql(document, token: token)
                    if allowed.contains(name) {
                        // Named, and refused on its rows (ids 1 are nobody's to write here), not on the schema.
                        #expect(!reply.errorCodes.contains("GRAPHQL_VALIDATION_FAILED") && !reply.errorCodes.isEmpty, "\(caller) \(name): \(reply.text)")
                    } else if caller == "diary-vendor" {
                        // The demo client's grant names documents: no text is taken, before validation.
                        #expect(reply.errorCodes == ["PERSISTED_QUERY_REQUIRED"], "\(caller) \(name): \(reply.text)")
                    } else {
                        #expect(reply.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(caller) \(name): \(reply.text)")
                    }
                }
            }
        }
        #expect(try await counts() == before)
    }

    @Test("a homeroom teacher writes its own subjects' lessons of its class, not the class's other subjects")
    func homeroomOwnSubjects() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (own, other, learner) = try await database.owner.withConnection(logger: self.logger) { connection in
            let (staff, klass) = try await connection.query("""
                SELECT u.staff_id::int, ra.class_id::int FROM eduql.users u JOIN eduql.role_assignments ra ON ra.user_id = u.id
                WHERE u.login = 'homeroom' AND ra.role = 'homeroom_teacher'
                """, logger: self.logger).collect().first!.decode((Int, Int).self)
            // It teaches one subject of its class (and only that one).
            try await connection.execute(PostgresQuery(unsafeSQL:
                "DELETE FROM eduql.teaching_assignments WHERE staff_id = \(staff) AND class_id = \(klass)"), logger: self.logger)
            try await connection.execute(PostgresQuery(unsafeSQL: """
                INSERT INTO eduql.teaching_assignments (region_id, municipality_id, organization_id, staff_id, class_id, subject_id, academic_year_id)
                SELECT k.region_id, k.municipality_id, k.organization_id, \(staff), k.id, min(l.subject_id), k.academic_year_id
                FROM eduql.classes k JOIN eduql.lessons l ON l.class_id = k.id WHERE k.id = \(klass)
                GROUP BY k.region_id, k.municipality_id, k.organization_id, k.id, k.academic_year_id
                """), logger: self.logger)
            let own = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(l.id)::int FROM eduql.lessons l JOIN eduql.teaching_assignments ta ON ta.class_id = l.class_id AND ta.subject_id = l.subject_id
                WHERE ta.staff_id = \(staff) AND l.class_id = \(klass)
                """), as: Int.self)
            let other = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(l.id)::int FROM eduql.lessons l WHERE l.class_id = \(klass)
                AND l.subject_id <> (SELECT subject_id FROM eduql.lessons WHERE id = \(own))
                """), as: Int.self)
            try await connection.execute(PostgresQuery(unsafeSQL:
                "UPDATE eduql.lessons SET held_on = current_date - 1, period = CASE id WHEN \(own) THEN 9 ELSE 10 END WHERE id IN (\(own), \(other))"), logger: self.logger)
            let learner = try await connection.scalar(PostgresQuery(unsafeSQL:
                "SELECT min(learner_id)::int FROM eduql.enrollments WHERE class_id = \(klass) AND status = 'active' AND enrolled_on <= current_date - 1"), as: Int.self)
            return (own, other, learner)
        }
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("homeroom")
            let write = { (lesson: Int) in
                try await api.graphql(JournalWriteTests.recordMarks, variables: ["lesson": String(lesson), "marks": [["learnerId": String(learner), "value": 4]]],
                                      token: token)
            }
            let mine = try await write(own)
            #expect((mine.data?["recordMarks"] as? [[String: Any]])?.count == 1, "\(mine.text)")
            let theirs = try await write(other)
            #expect(theirs.errorCodes == ["FORBIDDEN"], "\(theirs.text)")
            // It still reads the other subject's journal of its class.
            let read = try await api.graphql("{ learner(id: \(learner)) { marks { id } } }", token: token)
            #expect(((read.data?["learner"] as? [String: Any])?["marks"] as? [[String: Any]])?.isEmpty == false, "\(read.text)")
        }
    }
}
