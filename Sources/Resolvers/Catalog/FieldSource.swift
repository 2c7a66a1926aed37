import EduQLAccessControl
import Foundation
import GraphQL

/// How the engine reads one GraphQL field: a column expression, a relation to rows of another
/// type, a connection (a paged relation), or a compiler of its own.
enum FieldSource: Sendable {
    /// A JSON-ready SQL expression over the parent row `{t}`.
    case column(SQLTemplate)
    /// Rows of another type related to the parent.
    case relation(Relation)
    /// A Relay connection over rows of another type.
    case connection(Connection)
    /// A field with its own SQL (diaries, journals, positions, aggregates).
    case custom(@Sendable (inout Compilation, SelectedField, _ parent: String) throws -> String)
}

/// Rows of `type` read from `from`, joined to the parent by `on`, narrowed by the policy's
/// predicate for `table` and by the field's arguments.
struct Relation: Sendable {
    var type: String
    var table: Table?
    /// The FROM item; `{t}` is the parent alias (for table functions).
    var from: SQLTemplate
    /// Join condition: `{c}` the child alias, `{t}` the parent alias.
    var on: SQLTemplate?
    var many: Bool
    /// ORDER BY over `{c}`, for lists.
    var orderBy: SQLTemplate?
    var filter: ArgumentFilter?

    init(_ type: String, table: Table?, from: SQLTemplate? = nil, on: SQLTemplate?, many: Bool = false, orderBy: SQLTemplate? = nil,
         filter: ArgumentFilter? = nil) {
        self.type = type
        self.table = table
        self.from = from ?? SQLTemplate(verbatim: table?.qualifiedName ?? "")
        self.on = on
        self.many = many
        self.orderBy = orderBy
        self.filter = filter
    }
}

/// A paged list with `edges`, `pageInfo` and `totalCount`.
struct Connection: Sendable {
    var nodeType: String
    var table: Table
    /// Join condition to the parent, `{c}` the row and `{t}` the parent; nil at the root.
    var on: SQLTemplate?
    /// ORDER BY over `{c}` for each value of the `orderBy` argument.
    var orders: [String: SQLTemplate]
    var filter: ArgumentFilter?
}

/// Turns a field's arguments into SQL conditions over the child alias, binding every value.
typealias ArgumentFilter = @Sendable (_ arguments: Arguments, _ builder: inout SQLBuilder, _ alias: String) throws -> [SQLTemplate]
