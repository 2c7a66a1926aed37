import EduQLAccessControl
import Foundation
import PostgresNIO

/// A writing statement under construction: SQL text in which every value is a bound
/// parameter, and the checks of the caller's ``WriteRule`` printed around the rows it writes.
/// Each statement answers one row: how many rows it found to write, how many of them the rule
/// refused, and the ids and learners it wrote — all of them, or none when one was refused.
/// A reference: the text that names a placeholder and the statement made from it see the same
/// bindings, in whatever order Swift evaluates them.
final class WriteStatement {
    private(set) var bindings = PostgresBindings()
    private var count = 0

    /// The placeholder of `value`, cast to the SQL `type`; nil binds NULL.
    func bind<Value: PostgresNonThrowingEncodable>(_ value: Value?, _ type: String) -> String {
        if let value { self.bindings.append(value) } else { self.bindings.appendNull() }
        self.count += 1
        return "$\(self.count)::\(type)"
    }

    /// The placeholder of a JSON object's text.
    func bind(json object: [String: Any]) throws -> String {
        self.bind(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self), "jsonb")
    }

    /// Inserts the rows `source` yields (a SELECT of `columns`) if `rule` lets every one of them;
    /// `id` and `learner` name what to report of each row written.
    func insert(into table: Table, columns: [String], from source: String, rule: RowPredicate, conflict: String = "",
                id: String = "id", learner: String = "NULL::bigint", orderBy: String? = nil) -> PostgresQuery {
        let list = columns.joined(separator: ", ")
        let order = orderBy.map { " ORDER BY \($0)" } ?? ""
        return self.query("""
            WITH t AS (\(source)), c AS (SELECT t.*, coalesce(\(rule.sql(alias: "t")), false) AS allowed FROM t), \
            w AS (INSERT INTO \(table.qualifiedName) (\(list)) SELECT \(list) FROM c \
            WHERE NOT EXISTS (SELECT 1 FROM c WHERE NOT allowed)\(order) \(conflict) RETURNING \(id) AS id, \(learner) AS learner_id) \
            \(Self.report)
            """)
    }

    /// Updates the rows of `table` that `condition` (over the old row `o`) finds, setting what the
    /// JSON object `changes` (a placeholder or SQL expression) names, if the rule lets every old
    /// row (`rule`) and every new one (`check`).
    func update(_ table: Table, where condition: String, set changes: String, columns: [String], rule: RowPredicate,
                check: RowPredicate, learner: String = "NULL::bigint") -> PostgresQuery {
        let assignments = columns.map { "\($0) = c.\($0)" }.joined(separator: ", ")
        return self.query("""
            WITH c AS (SELECT w_new.*, coalesce(\(rule.sql(alias: "w_old")), false) AND coalesce(\(check.sql(alias: "w_new")), false) AS allowed \
            FROM \(table.qualifiedName) w_old CROSS JOIN LATERAL jsonb_populate_record(w_old, \(changes)) w_new WHERE \(condition) FOR UPDATE OF w_old), \
            w AS (UPDATE \(table.qualifiedName) x SET \(assignments) FROM c WHERE x.id = c.id \
            AND NOT EXISTS (SELECT 1 FROM c WHERE NOT allowed) RETURNING x.id, \(learner) AS learner_id) \
            \(Self.report)
            """)
    }

    /// The one row of a checked statement: rows found, rows refused, ids and learners written.
    static let report = """
        SELECT (SELECT count(*) FROM c)::int, (SELECT count(*) FROM c WHERE NOT allowed)::int, \
        ARRAY(SELECT id FROM w WHERE id IS NOT NULL ORDER BY id), ARRAY(SELECT DISTINCT learner_id FROM w WHERE learner_id IS NOT NULL)
        """

    /// The statement with its values.
    func query(_ sql: String) -> PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: self.bindings)
    }
}

/// What one checked statement found, refused and wrote.
struct CheckedRows {
    var found: Int
    var refused: Int
    var ids: [Int]
    var learners: [Int]

    init(_ row: PostgresRow) throws {
        (self.found, self.refused, self.ids, self.learners) = try row.decode((Int, Int, [Int], [Int]).self)
    }
}
