import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// Corrections and removals of marks, kept in `mark_history`, and term and year marks.
extension RuleWriter {
    /// The history row of a change to mark `$1`, as the rule for `action` on marks sees it: the
    /// row carries the mark's own columns, so the rule reads it as it reads the mark.
    static func historySource(_ statement: WriteStatement, mark: Int, value: Int?, weight: Int?, reason: String) -> String {
        let newValue = statement.bind(value, "int2")
        let newWeight = weight.map { statement.bind($0, "int2") } ?? (value == nil ? "NULL::int2" : "m.weight")
        return """
            SELECT m.region_id, m.municipality_id, m.organization_id, m.id AS mark_id, m.learner_id, m.class_id, m.subject_id, \
            m.term_id, m.lesson_id, m.kind, m.value AS old_value, \(newValue) AS new_value, m.weight AS old_weight, \
            \(newWeight) AS new_weight, \(statement.bind(reason, "text")) AS reason, \(Self.changedBy) \
            FROM eduql.marks m WHERE m.id = \(statement.bind(mark, "int8"))
            """
    }

    static let historyColumns = [
        "region_id", "municipality_id", "organization_id", "mark_id", "learner_id", "class_id", "subject_id", "term_id", "lesson_id",
        "kind", "old_value", "new_value", "old_weight", "new_weight", "reason", "changed_by", "changed_by_name",
    ]

    static let refusedMark = "not yours to change — not a mark of your own lessons or class subjects within the edit window"

    /// `correctMark`: the history row first (it keeps the old value), then the mark.
    func correctMark(_ arguments: [String: Map]) async throws -> Written {
        let mark = try arguments.requiredID("markId", at: "")
        guard let value = try arguments.integer("value", at: "", in: 1...5) else { throw WriteRefusal.invalid("value is required") }
        let weight = try arguments.integer("weight", at: "", in: 1...3)
        let reason = try arguments.text("reason", at: "", lengths: 3...500)!
        let rule = try self.rule(.marks, .update)
        let history = try await self.recordHistory(of: mark, value: value, weight: weight, reason: reason, rule: rule)
        let update = WriteStatement()
        var changes: [String: Any] = ["value": value]
        if let weight { changes["weight"] = weight }
        let query = update.update(.marks, where: "w_old.id = \(update.bind(mark, "int8"))", set: try update.bind(json: changes),
                                  columns: ["value", "weight"], rule: rule, check: self.policy.writeRule(.marks)?.updateCheck ?? rule,
                                  learner: "x.learner_id")
        let written = try await self.run(query, "markId", notFound: "no such mark", refused: Self.refusedMark)
        return Written(type: "Mark", table: .marks, ids: written.ids, many: false, learnerIDs: history.learners, rows: 1)
    }

    /// `deleteMark`: the history row (no new value), then the mark is removed.
    func deleteMark(_ arguments: [String: Map]) async throws -> Written {
        let mark = try arguments.requiredID("markId", at: "")
        let reason = try arguments.text("reason", at: "", lengths: 3...500)!
        let rule = try self.rule(.marks, .delete)
        let history = try await self.recordHistory(of: mark, value: nil, weight: nil, reason: reason, rule: rule)
        let removal = WriteStatement()
        let removed = try await self.connection.guardedQuery(removal.query("""
            DELETE FROM eduql.marks m WHERE m.id = \(removal.bind(mark, "int8")) AND \(rule.sql(alias: "m")) RETURNING m.id
            """), logger: self.logger).collect()
        guard !removed.isEmpty else { throw WriteRefusal.forbidden("markId: \(Self.refusedMark)") }
        return Written(type: "MarkCorrection", table: .markHistory, ids: history.ids, many: false, learnerIDs: history.learners, rows: 1)
    }

    /// Inserts the history row of a change to `mark` under the marks rule of the change.
    func recordHistory(of mark: Int, value: Int?, weight: Int?, reason: String, rule: RowPredicate) async throws -> CheckedRows {
        let statement = WriteStatement()
        let source = Self.historySource(statement, mark: mark, value: value, weight: weight, reason: reason)
        let query = statement.insert(into: .markHistory, columns: Self.historyColumns, from: source, rule: rule, learner: "learner_id")
        return try await self.run(query, "markId", notFound: "no such mark", refused: Self.refusedMark)
    }

    /// `recordFinalMarks`: term or year marks of one class and subject, all or none.
    func recordFinalMarks(_ arguments: [String: Map]) async throws -> Written {
        let klass = try arguments.requiredID("classId", at: "")
        let subject = try arguments.requiredID("subjectId", at: "")
        let term = try arguments.requiredID("termId", at: "")
        let kind = (arguments["kind"]?.text ?? "TERM").lowercased()
        guard kind == "term" || kind == "year" else { throw WriteRefusal.invalid("kind must be TERM or YEAR") }
        guard case .array(let items)? = arguments["marks"], !items.isEmpty, items.count <= JournalInput.maximumRows else {
            throw WriteRefusal.invalid("marks must list 1 to \(JournalInput.maximumRows) rows")
        }
        var rows: [[String: Any]] = []
        var learners: Set<Int> = []
        for (index, item) in items.enumerated() {
            guard case .dictionary(let fields) = item else { throw WriteRefusal.invalid("marks[\(index)] must be an object") }
            let row = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) })
            let learner = try row.requiredID("learnerId", at: "marks[\(index)].")
            guard let value = try row.integer("value", at: "marks[\(index)].", in: 1...5) else {
                throw WriteRefusal.invalid("marks[\(index)].value is required")
            }
            guard learners.insert(learner).inserted else { throw WriteRefusal.invalid("marks[\(index)].learnerId is listed twice") }
            rows.append(["n": index, "learner_id": learner, "value": value])
        }
        let rule = try self.rule(.marks, .insert)
        let statement = WriteStatement()
        let input = statement.bind(String(decoding: try JSONSerialization.data(withJSONObject: rows), as: UTF8.self), "jsonb")
        let source = """
            SELECT i.n, k.region_id, k.municipality_id, k.organization_id, i.learner_id, k.id AS class_id, \
            \(statement.bind(subject, "int8")) AS subject_id, \(statement.bind(term, "int8")) AS term_id, NULL::bigint AS lesson_id, \
            i.value, \(statement.bind(kind, "text")) AS kind, 1::smallint AS weight, current_date AS given_on \
            FROM eduql.input_rows(\(input)) r, jsonb_to_record(r) AS i(n int, learner_id bigint, value smallint) \
            JOIN eduql.classes k ON k.id = \(statement.bind(klass, "int8"))
            """
        let query = statement.insert(
            into: .marks,
            columns: ["region_id", "municipality_id", "organization_id", "learner_id", "class_id", "subject_id", "term_id", "lesson_id",
                      "value", "kind", "weight", "given_on"],
            from: source, rule: rule, conflict: "ON CONFLICT DO NOTHING")
        let ids = try await self.run(query, "classId", notFound: "not a class you can see",
                                     refused: "not yours to mark — not your class subject in this term's window, a learner not enrolled "
                                         + "in the class during the term, or a year mark outside the year's last term", conflictsSkipped: true).ids
        guard ids.count == rows.count else {
            throw WriteRefusal.invalid("marks: a learner already has this \(kind) mark; change it with correctMark")
        }
        return Written(type: "Mark", table: .marks, ids: ids, many: true, learnerIDs: learners.sorted(), rows: ids.count)
    }
}
