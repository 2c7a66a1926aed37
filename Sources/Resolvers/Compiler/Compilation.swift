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
        // A custom field's SQL is printed by its own code, not from a template: it must not
        // hand PostgreSQL a place to fill (a `{region}` it should have printed as `self.region`).
        precondition(!TemplatePlaces.hasPlaces(value),
                     "a place left unfilled in the SQL of \(key)")
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
            pairs.append("'\(LearnerMarkers.key)', \(self.printed(learner, parent: alias))")
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
            return self.printed(expression, parent: parent)
        case .relation(let relation):
            return try self.relation(relation, field: field, parent: parent)
        case .connection(let connection):
            return try self.connection(connection, field: field, parent: parent)
        case .custom(let compile):
            return try compile(&self, field, parent)
        }
    }

    /// A related row (or a JSON array of rows) of another type.
    mutating func relation(_ relation: Relation, field: SelectedField, parent: String) throws -> String {
        let alias = self.sql.alias()
        let conditions = try self.conditions(table: relation.table, on: relation.on, filter: relation.filter, field: field,
                                             alias: alias, parent: parent)
        let from = self.printed(relation.from, parent: parent)
        let object = try self.object(relation.type, alias: alias, field.selections)
        let predicate = conditions.isEmpty ? "true" : conditions.joined(separator: " AND ")
        guard relation.many else {
            return "(SELECT \(object) FROM \(from) \(alias) WHERE \(predicate) LIMIT 1)"
        }
        let order = relation.orderBy.map { " ORDER BY " + self.printed($0, parent: parent, child: alias) } ?? ""
        return "coalesce((SELECT json_agg(\(object)\(order)) FROM \(from) \(alias) WHERE \(predicate)), '[]'::json)"
    }

    /// The join, the policy's predicate and the argument filters for a row aliased `alias`.
    mutating func conditions(table: Table?, on: SQLTemplate?, filter: ArgumentFilter?, field: SelectedField, alias: String,
                             parent: String) throws -> [String] {
        var conditions: [String] = []
        if let on {
            conditions.append(self.printed(on, parent: parent, child: alias))
        }
        if let table {
            conditions.append(self.regionCondition(table, alias: alias))
            conditions.append("(\(self.policy.predicate(table, alias: alias)))")
        }
        if let filter { conditions += try filter(field.arguments, &self.sql, alias).map { self.printed($0, parent: parent, child: alias) } }
        return conditions
    }

    /// The SQL of a catalog template over the parent row `parent` and the row `child` it reads.
    func printed(_ template: SQLTemplate, parent: String, child: String? = nil) -> String {
        var text = ""
        for part in template.parts {
            switch part {
            case .text(let sql): text += sql
            case .parent: text += parent
            case .child:
                guard let child else { preconditionFailure("a catalog template names {c} where it reads no row of its own") }
                text += child
            case .region: text += self.region
            case .rows(let table, let alias): text += self.rows(table, alias: alias)
            }
        }
        return text
    }

    /// `alias`'s row of `table` is in the principal's region and the policy lets it through.
    func rows(_ table: Table, alias: String) -> String {
        "(\(self.regionCondition(table, alias: alias)) AND (\(self.policy.predicate(table, alias: alias))))"
    }
}
