@testable import EduQLResolvers
import EduQLSchema
import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

extension JournalWriteTests {
    /// One lesson entry as the server writes it, under `acting`'s tenancy in the transaction open
    /// on `connection`: two marks, one absence and the request's staged audit event.
    func enter(_ lesson: Int, as acting: ActingAs, requestID: String, on connection: PostgresConnection) async throws {
        let holds = try await connection.query(acting.check, logger: self.logger).collect().first?.decode(Bool.self)
        #expect(holds == true, "the session acts")
        try await connection.query("""
            INSERT INTO eduql.marks (region_id, municipality_id, organization_id, learner_id, class_id, subject_id, term_id, lesson_id, value, kind, weight, given_on)
            SELECT l.region_id, l.municipality_id, l.organization_id, e.learner_id, l.class_id, l.subject_id, l.term_id, l.id, 4, 'current', 1, l.held_on
            FROM eduql.lessons l JOIN eduql.enrollments e ON e.class_id = l.class_id AND e.status = 'active' WHERE l.id = \(lesson)
            ORDER BY e.learner_id LIMIT 2
            """, logger: self.logger).collect()
        try await connection.query("""
            INSERT INTO eduql.attendance (lesson_id, learner_id, region_id, municipality_id, organization_id, code)
            SELECT l.id, e.learner_id, l.region_id, l.municipality_id, l.organization_id, 'ill'
            FROM eduql.lessons l JOIN eduql.enrollments e ON e.class_id = l.class_id AND e.status = 'active' WHERE l.id = \(lesson)
            ORDER BY e.learner_id DESC LIMIT 1
            """, logger: self.logger).collect()
        let event = #"[{"request_id":"\#(requestID)","kind":"graphql","action":"mutation","outcome":"ok","region_id":1}]"#
        try await connection.query("SELECT eduql.stage_audit(\(event)::text::jsonb)", logger: self.logger).collect()
    }

    @Test("lesson entries of two classes never wait for each other: marks, attendance, rollups, change feed and audit staging share no lock")
    func differentClassesDoNotWait() async throws {
        try await self.entriesDoNotWait(otherLesson: "l.class_id <> own.class_id")
    }

    @Test("lesson entries of one class by two teachers never wait for each other: the rollups they both count in are pending rows, not shared ones")
    func oneClassDoesNotWait() async throws {
        try await self.entriesDoNotWait(otherLesson: "l.class_id = own.class_id AND l.term_id = own.term_id AND l.subject_id <> own.subject_id")
    }

    /// The teacher's entry held open while the school's administrator enters a lesson chosen by
    /// `otherLesson` (a condition on `l`, against the teacher's lesson `own`) and commits.
    func entriesDoNotWait(otherLesson condition: String) async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        // The teacher's own lesson, and a lesson of the school chosen by `condition`, which its administrator writes.
        let otherLesson = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(l.id)::int FROM eduql.lessons l JOIN eduql.lessons own ON own.id = \(fixture.lesson)
                WHERE l.organization_id = own.organization_id AND \(condition)
                """), as: Int.self)
        }
        let teacher = try await database.actingAs("teacher", logger: self.logger)
        let administrator = try await database.actingAs("school.admin", logger: self.logger)
        let (first, second) = (UUID().uuidString, UUID().uuidString)
        let before = try await self.marks(database)
        try await database.server.withConnection(logger: self.logger) { held in
            // The teacher's entry, written and staged, not yet committed: everything it locks stays locked.
            try await held.query("BEGIN", logger: self.logger).collect()
            try await self.enter(fixture.lesson, as: teacher, requestID: first, on: held)
            try await database.server.withConnection(logger: self.logger) { other in
                // The other entry commits at once; a lock shared with the open entry would
                // make it wait, and the lock timeout would fail it.
                try await other.query("BEGIN", logger: self.logger).collect()
                try await other.query("SET LOCAL lock_timeout = '2s'", logger: self.logger).collect()
                try await self.enter(otherLesson, as: administrator, requestID: second, on: other)
                try await other.query("COMMIT", logger: self.logger).collect()
            }
            try await held.query("COMMIT", logger: self.logger).collect()
            // The next batch takes both staged events into the chain.
            try await held.query("SELECT eduql.append_audit('[]'::jsonb)", logger: self.logger).collect()
        }
        #expect(try await self.marks(database) == before + 4)
        try await database.owner.withConnection(logger: self.logger) { connection in
            let chained = try await connection.scalar("""
                SELECT count(*)::int FROM eduql.audit_events WHERE request_id IN (\(first), \(second))
                """, as: Int.self)
            #expect(chained == 2, "both entries' events are in the chain")
            #expect(try await connection.scalar("SELECT count(*)::int FROM eduql.audit_staged", as: Int.self) == 0)
            let differences = try await Rollups(logger: self.logger).differences(on: connection)
            #expect(differences.allSatisfy { $0.rows == 0 }, "\(differences)")
        }
        #expect(try await database.auditChainIntact())
    }
}
