import EduQLAccessControl
import GraphQL

/// Where every field of the schema comes from in the database: the engine's map of types to
/// tables, fields to columns and relations. Access is not decided here but by the ``Policy``.
enum Catalog {
    /// Type name → field name → source.
    static let types: [String: [String: FieldSource]] = organizations
        .merging(people) { a, _ in a }
        .merging(journal) { a, _ in a }
        .merging(queue) { a, _ in a }
        .merging(accounts) { a, _ in a }
        .merging(views) { a, _ in a }
        .merging(audit) { a, _ in a }
        .merging(changes) { a, _ in a }
        .merging(clients) { a, _ in a }
        .merging(forms) { a, _ in a }
        .merging(["Query": query.merging(formQueries) { a, _ in a }, "StatsRow": [:]]) { a, _ in a }

    static func column(_ name: String) -> FieldSource { .column("{t}.\(name)") }
    static func id(_ name: String = "id") -> FieldSource { .column("{t}.\(name)::text") }
    static func enumeration(_ name: String) -> FieldSource { .column("upper({t}.\(name))") }

    static func one(_ type: String, _ table: Table, _ on: SQLTemplate, filter: ArgumentFilter? = nil) -> FieldSource {
        .relation(Relation(type, table: table, on: on, filter: filter))
    }

    static func many(_ type: String, _ table: Table, _ on: SQLTemplate, orderBy: SQLTemplate, filter: ArgumentFilter? = nil) -> FieldSource {
        .relation(Relation(type, table: table, on: on, many: true, orderBy: orderBy, filter: filter))
    }

    /// A `from`/`to` date range over a date column.
    static func dateRange(_ column: String) -> ArgumentFilter {
        { arguments, builder, alias in
            var conditions: [SQLTemplate] = []
            if let from = try arguments.date("from") { conditions.append("\(alias).\(column) >= \(builder.bind(from))::date") }
            if let to = try arguments.date("to") { conditions.append("\(alias).\(column) <= \(builder.bind(to))::date") }
            return conditions
        }
    }
}
