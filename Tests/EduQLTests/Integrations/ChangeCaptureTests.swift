import EduQLSchema
import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// What the change feed's capture records for every captured table, checked against a
/// specification written here (not read from the triggers): the entity, the operation, the row's
/// id, learner, organization and municipality, and the old row of an update or deletion.
@Suite("Change capture", .timeLimit(.minutes(5)))
struct ChangeCaptureTests {
    let logger = Logger(label: "eduql-tests")

    /// Where a captured row's organization or municipality comes from.
    enum Source { case own, id, learner, none }

    /// One captured table, as the change feed documents it.
    struct Captured {
        var table: String
        var entity: String
        var id: String
        var learner: String? = nil
        var organization: Source = .own
        var municipality: Source = .own
        /// The operation recorded whatever the statement (a choice's change updates its application).
        var operation: String? = nil
        /// Whether a row can be deleted and put back in one test (no other row refers to it).
        var leaf = false
    }

    static let captured: [Captured] = [
        Captured(table: "learners", entity: "learner", id: "id", learner: "id"),
        Captured(table: "enrollments", entity: "enrollment", id: "id", learner: "learner_id"),
        Captured(table: "movements", entity: "movement", id: "id", learner: "learner_id", leaf: true),
        Captured(table: "marks", entity: "mark", id: "id", learner: "learner_id", leaf: true),
        Captured(table: "attendance", entity: "attendance", id: "lesson_id", learner: "learner_id", leaf: true),
        Captured(table: "homework", entity: "homework", id: "lesson_id", leaf: true),
        Captured(table: "queue_applications", entity: "queue_application", id: "id", learner: "learner_id", organization: .none),
        Captured(table: "queue_application_choices", entity: "queue_application", id: "application_id", organization: .none,
                 operation: "update", leaf: true),
        Captured(table: "organizations", entity: "organization", id: "id", organization: .id),
        Captured(table: "classes", entity: "class", id: "id"),
        Captured(table: "staff", entity: "staff", id: "id"),
        Captured(table: "teaching_assignments", entity: "teaching_assignment", id: "id"),
        Captured(table: "lessons", entity: "lesson", id: "id"),
        Captured(table: "guardian_learners", entity: "guardian_link", id: "guardian_id", learner: "learner_id", organization: .learner,
                 municipality: .learner, leaf: true),
        Captured(table: "guardians", entity: "guardian", id: "id", organization: .none, municipality: .none),
        Captured(table: "terms", entity: "term", id: "id", municipality: .none),
        Captured(table: "curriculum_lines", entity: "curriculum_line", id: "id"),
        Captured(table: "timetable_entries", entity: "timetable_entry", id: "id"),
        Captured(table: "form_reports", entity: "form_report", id: "id"),
    ]

    /// A recorded change, as compared.
    struct Change: Equatable, CustomStringConvertible {
        var entity: String, operation: String, rowID: Int, learnerID: Int?, organizationID: Int?, municipalityID: Int?, regionID: Int
        var oldRow: Bool
        var description: String {
            "\(entity) \(operation) \(rowID) learner \(learnerID.map(String.init) ?? "-") organization \(organizationID.map(String.init) ?? "-") "
                + "municipality \(municipalityID.map(String.init) ?? "-") region \(regionID) old row \(oldRow)"
        }
    }

    @Test("every captured table records an update, and every leaf table a deletion and an insert, as specified")
    func everyTable() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            // The specification names every table under capture, and nothing else.
            let tables = try await connection.query("""
                SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname LIKE '%\\_capture\\_%'
                """, logger: self.logger).collect().map { try $0.decode(String.self) }
            #expect(Set(tables) == Set(Self.captured.map(\.table)))
            try await connection.query("BEGIN", logger: self.logger)
            var tried = 0
            for spec in Self.captured {
                // A form report may not be in the demo data: one is written for the test.
                if spec.table == "form_reports", try await connection.scalar("SELECT count(*)::int FROM eduql.form_reports", as: Int.self) == 0 {
                    continue
                }
                let before = try await self.lastSeq(connection)
                let updated = try await self.row(connection, """
                    UPDATE eduql.\(spec.table) t SET region_id = t.region_id
                    WHERE t.ctid = (SELECT ctid FROM eduql.\(spec.table) ORDER BY ctid LIMIT 1) RETURNING to_jsonb(t)::text
                    """)
                let row = try #require(updated, "eduql.\(spec.table) has a row in the demo data")
                #expect(try await self.changes(connection, after: before) == [try await self.expected(spec, row, "update", connection)],
                        "eduql.\(spec.table)")
                tried += 1
                guard spec.leaf else { continue }
                let deletedAt = try await self.lastSeq(connection)
                let deleted = try #require(try await self.row(connection, """
                    DELETE FROM eduql.\(spec.table) t WHERE t.ctid = (SELECT ctid FROM eduql.\(spec.table) ORDER BY ctid LIMIT 1)
                    RETURNING to_jsonb(t)::text
                    """))
                let insertedAt = try await self.lastSeq(connection)
                let json = deleted.replacingOccurrences(of: "'", with: "''")
                _ = try await self.row(connection, """
                    INSERT INTO eduql.\(spec.table) SELECT * FROM jsonb_populate_record(NULL::eduql.\(spec.table), '\(json)'::jsonb)
                    RETURNING 'x'
                    """)
                #expect(try await self.changes(connection, after: deletedAt, before: insertedAt)
                        == [try await self.expected(spec, deleted, "delete", connection)], "eduql.\(spec.table)")
                #expect(try await self.changes(connection, after: insertedAt)
                        == [try await self.expected(spec, deleted, "insert", connection)], "eduql.\(spec.table)")
            }
            try await connection.query("ROLLBACK", logger: self.logger)
            #expect(tried >= Self.captured.count - 1)
        }
    }

    /// The change a statement of `event` over `row` records, by the specification.
    func expected(_ spec: Captured, _ row: String, _ event: String, _ connection: PostgresConnection) async throws -> Change {
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(row.utf8)) as? [String: Any])
        func int(_ name: String) -> Int? { (fields[name] as? NSNumber)?.intValue }
        var organization: Int?
        var municipality: Int?
        if spec.organization == .learner || spec.municipality == .learner {
            let learner = try #require(int("learner_id"))
            let rows = try await connection.query("SELECT organization_id::int, municipality_id::int FROM eduql.learners WHERE id = \(learner)",
                                                  logger: self.logger).collect()
            let (own, area) = try #require(rows.first).decode((Int?, Int?).self)
            organization = spec.organization == .learner ? own : nil
            municipality = spec.municipality == .learner ? area : nil
        }
        switch spec.organization {
        case .own: organization = int("organization_id")
        case .id: organization = int("id")
        case .learner, .none: break
        }
        if spec.municipality == .own { municipality = int("municipality_id") }
        let operation = spec.operation ?? event
        return Change(entity: spec.entity, operation: operation, rowID: try #require(int(spec.id)), learnerID: spec.learner.flatMap(int),
                      organizationID: organization, municipalityID: municipality, regionID: try #require(int("region_id")),
                      oldRow: event != "insert" && spec.operation == nil)
    }

    /// The changes recorded in this transaction after `after` (and up to `before`), in order.
    func changes(_ connection: PostgresConnection, after: Int, before: Int = .max) async throws -> [Change] {
        try await connection.query("""
            SELECT entity, operation, row_id::int, learner_id::int, organization_id::int, municipality_id::int, region_id::int, old_row IS NOT NULL
            FROM eduql.changes WHERE xid = pg_current_xact_id() AND seq > \(after) AND seq <= \(before) ORDER BY seq
            """, logger: self.logger).collect().map { row in
            let (entity, operation, id, learner, organization, municipality, region, old) =
                try row.decode((String, String, Int, Int?, Int?, Int?, Int, Bool).self)
            return Change(entity: entity, operation: operation, rowID: id, learnerID: learner, organizationID: organization,
                          municipalityID: municipality, regionID: region, oldRow: old)
        }
    }

    /// The last change number handed out (this transaction's changes come after it).
    func lastSeq(_ connection: PostgresConnection) async throws -> Int {
        try await connection.scalar("SELECT coalesce(max(seq), 0)::int FROM eduql.changes WHERE xid = pg_current_xact_id()", as: Int.self)
    }

    /// The first column of the first row `sql` returns, as text.
    func row(_ connection: PostgresConnection, _ sql: String) async throws -> String? {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: self.logger).collect().first?.decode(String.self)
    }
}
