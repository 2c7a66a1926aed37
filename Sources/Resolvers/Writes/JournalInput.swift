import EduQLAccessControl
import GraphQL
import OrderedCollections

/// The input rows of a journal mutation, checked before any SQL: each becomes a JSON object
/// with its position `n` and the columns it sets. A value out of range, an unknown kind or code,
/// a field the caller's rule does not let it set, or one learner twice in one attendance batch
/// is `BAD_USER_INPUT` naming the field (`marks[3].value`).
enum JournalInput {
    /// At most this many rows in one mutation field.
    static let maximumRows = 200

    /// One checked input row: its position, its learner and what it sets.
    struct Row: Equatable {
        var n: Int
        var learnerID: Int
        var value: Int? = nil
        var weight: Int? = nil
        /// A mark kind or an attendance code: one of the fixed lowercase words `rows` checks.
        var kind: String? = nil
        var code: String? = nil

        /// The row as the statement's `jsonb_to_record` reads it. Every value is a number or
        /// one of the fixed words, so nothing in it needs escaping.
        var json: String {
            var members = ["\"n\":\(self.n)", "\"learner_id\":\(self.learnerID)"]
            if let value { members.append("\"value\":\(value)") }
            if let weight { members.append("\"weight\":\(weight)") }
            if let kind { members.append("\"kind\":\"\(kind)\"") }
            if let code { members.append("\"code\":\"\(code)\"") }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    /// The rows as one JSON array, the statement's first parameter.
    static func json(_ rows: [Row]) -> String {
        "[" + rows.map(\.json).joined(separator: ",") + "]"
    }

    static func rows(_ value: Map?, name: String, table: Table, columns: Set<String>) throws -> [Row] {
        guard case .array(let items)? = value, !items.isEmpty else { throw Self.invalid("\(name) must list at least one row") }
        guard items.count <= Self.maximumRows else { throw Self.invalid("\(name) may list at most \(Self.maximumRows) rows") }
        var learners: Set<Int> = []
        return try items.enumerated().map { index, item in
            guard case .dictionary(let fields) = item else { throw Self.invalid("\(name)[\(index)] must be an object") }
            let at = { (field: String) in "\(name)[\(index)].\(field)" }
            for (field, given) in fields where given != .null {
                guard columns.contains(Self.column(field)) else { throw Self.invalid("\(at(field)) cannot be set by you") }
            }
            guard let learner = fields["learnerId"]?.text.flatMap({ Int($0) }), learner > 0 else {
                throw Self.invalid("\(at("learnerId")) is not a valid id")
            }
            var row = Row(n: index, learnerID: learner)
            if table == .marks {
                guard case .number(let value)? = fields["value"], (1...5).contains(value.intValue) else {
                    throw Self.invalid("\(at("value")) must be between 1 and 5")
                }
                let weight = fields["weight"].flatMap { if case .number(let w) = $0 { w.intValue } else { nil } } ?? 1
                guard (1...3).contains(weight) else { throw Self.invalid("\(at("weight")) must be between 1 and 3") }
                let kind = (fields["kind"]?.text ?? "CURRENT").lowercased()
                guard ["current", "test", "term", "year", "exam"].contains(kind) else { throw Self.invalid("\(at("kind")) is not a mark kind") }
                row.value = value.intValue
                row.weight = weight
                row.kind = kind
            } else {
                guard learners.insert(learner).inserted else { throw Self.invalid("\(at("learnerId")) is listed twice") }
                if let code = fields["code"]?.text {
                    guard ["absent", "ill", "excused", "late"].contains(code.lowercased()) else {
                        throw Self.invalid("\(at("code")) is not an attendance code")
                    }
                    row.code = code.lowercased()
                }
            }
            return row
        }
    }

    /// The column an input field sets.
    static func column(_ field: String) -> String {
        field == "learnerId" ? "learner_id" : field
    }

    static func invalid(_ message: String) -> JournalWrite.Refusal {
        JournalWrite.Refusal(code: "BAD_USER_INPUT", message: message)
    }
}
