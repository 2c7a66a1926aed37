import EduQLAccessControl
import Foundation
import GraphQL

/// Compiles the root fields of one operation into SQL that builds each field's JSON inside
/// PostgreSQL, printing the policy's row predicate into every relation it reads.
struct Compilation {
    let policy: Policy
    let limits: QueryLimits
    var sql = SQLBuilder()

    /// The FROM item that checks the token and sets the tenancy (its values bound first).
    let preamble: String
    /// How many of the statement's first values are the principal's own.
    let preambleSlots: Int
    /// The principal's region, bound once: every tenant table is read with `region_id` equal to
    /// it (``regionCondition(_:alias:)``), the key a deployment may distribute the tables by.
    let region: String

    /// `checked`: the statement runs in a transaction whose tenancy ``ActingAs/check`` already
    /// set (a mutation's read-back), so it confirms that tenancy instead of checking the session again.
    init(policy: Policy, limits: QueryLimits, actingAs: ActingAs, checked: Bool = false) {
        self.policy = policy
        self.limits = limits
        self.preamble = checked ? actingAs.checkedPreamble(&self.sql) : actingAs.preamble(&self.sql)
        self.preambleSlots = self.sql.slots.count
        self.region = actingAs.region(&self.sql)
    }

    /// `alias`'s row is in the principal's region (a region's own row: it is the region).
    func regionCondition(_ table: Table, alias: String) -> String {
        table == .regions ? "\(alias).id = \(self.region)" : "\(alias).region_id = \(self.region)"
    }

    /// The statement answering one root field: its JSON, read only once the database has checked
    /// the token and set the tenancy — NULL when the token no longer holds. One text column, read
    /// alike whether the statement was prepared or not.
    func statement(key: String, _ value: String, shareable: Bool = false) -> CompiledStatement {
        var sql = "SELECT CASE WHEN a.ok THEN coalesce((\(value))::text, 'null') END FROM \(self.preamble) AS a(ok)"
        // A parameter bound for a part of the selection that was not asked for still needs its
        // type named once in the text, or the statement cannot be prepared.
        let unused = self.sql.placeholders.filter { !sql.contains($0) }
        if !unused.isEmpty { sql += ", (VALUES (\(unused.joined(separator: ", ")))) AS unused" }
        var statement = CompiledStatement(key: key, sql: sql, slots: self.sql.slots, preparable: self.sql.preparable)
        statement.shareable = shareable
        statement.preambleSlots = self.preambleSlots
        return statement
    }

    /// `json_build_object` of the selected fields of a `type` row aliased `alias`.
    mutating func object(_ type: String, alias: String, _ fields: [SelectedField]) throws -> String {
        guard fields.count <= 50 else { throw QueryError.badInput("A selection may ask for at most 50 fields of \(type).") }
        var pairs: [String] = []
        if let learner = LearnerMarkers.learnerOf[type] {
            pairs.append("'\(LearnerMarkers.key)', \(learner.replacingOccurrences(of: "{t}", with: alias))")
        }
        for field in fields {
            pairs.append("'\(field.key)', \(try self.value(of: field, on: type, parent: alias))")
        }
        return "json_build_object(\(pairs.joined(separator: ", ")))"
    }

    /// The SQL of one field of a `type` row aliased `parent`.
    mutating func value(of field: SelectedField, on type: String, parent: String) throws -> String {
        if field.name == "__typename" { return "'\(type)'" }
        guard self.policy.allows(type, field.name), let source = Catalog.types[type]?[field.name] else {
            throw QueryError.validation("Cannot query field \"\(field.name)\" on type \"\(type)\".", line: field.line, column: field.column)
        }
        return try self.compile(source, field: field, parent: parent)
    }

    mutating func compile(_ source: FieldSource, field: SelectedField, parent: String) throws -> String {
        switch source {
        case .column(let expression):
            return self.expand(expression.replacingOccurrences(of: "{t}", with: parent))
        case .relation(let relation):
            return try self.relation(relation, field: field, parent: parent)
        case .connection(let connection):
            return try self.connection(connection, field: field, parent: parent)
        case .custom(let compile):
            // A custom field's SQL may hold catalog templates (their `{region}`) too.
            return self.expand(try compile(&self, field, parent))
        }
    }

    /// A related row (or a JSON array of rows) of another type.
    mutating func relation(_ relation: Relation, field: SelectedField, parent: String) throws -> String {
        let alias = self.sql.alias()
        let conditions = try self.conditions(table: relation.table, on: relation.on, filter: relation.filter, field: field,
                                             alias: alias, parent: parent)
        let from = self.expand(relation.from.replacingOccurrences(of: "{t}", with: parent))
        let object = try self.object(relation.type, alias: alias, field.selections)
        let predicate = conditions.isEmpty ? "true" : conditions.joined(separator: " AND ")
        guard relation.many else {
            return "(SELECT \(object) FROM \(from) \(alias) WHERE \(predicate) LIMIT 1)"
        }
        let order = relation.orderBy.map { " ORDER BY " + $0.replacingOccurrences(of: "{c}", with: alias) } ?? ""
        return "coalesce((SELECT json_agg(\(object)\(order)) FROM \(from) \(alias) WHERE \(predicate)), '[]'::json)"
    }

    /// The join, the policy's predicate and the argument filters for a row aliased `alias`.
    mutating func conditions(table: Table?, on: String?, filter: ArgumentFilter?, field: SelectedField, alias: String,
                             parent: String) throws -> [String] {
        var conditions: [String] = []
        if let on {
            conditions.append(self.expand(on.replacingOccurrences(of: "{c}", with: alias).replacingOccurrences(of: "{t}", with: parent)))
        }
        if let table {
            conditions.append(self.regionCondition(table, alias: alias))
            conditions.append("(\(self.policy.predicate(table, alias: alias)))")
        }
        if let filter { conditions += try filter(field.arguments, &self.sql, alias).map { self.expand($0) } }
        return conditions
    }

    /// Replaces `{rows:table:alias}` in a template with the region's condition and the policy's
    /// predicate for that table, and `{region}` with the principal's region.
    func expand(_ template: String) -> String {
        var text = template
        while let start = text.range(of: "{rows:"), let end = text[start.upperBound...].firstIndex(of: "}") {
            let parts = text[start.upperBound..<end].split(separator: ":").map(String.init)
            let table = parts.count == 2 ? Table(rawValue: parts[0]) : nil
            precondition(table != nil, "unknown table in the template \(template)")
            let predicate = table.map { "\(self.regionCondition($0, alias: parts[1])) AND (\(self.policy.predicate($0, alias: parts[1])))" }
            text.replaceSubrange(start.lowerBound...end, with: "(\(predicate ?? "false"))")
        }
        return text.replacingOccurrences(of: "{region}", with: self.region)
    }
}
