import EduQLAccessControl
import Foundation
import GraphQL

/// Relay connections: one page of rows numbered in order, `pageInfo`, and `totalCount`.
/// Cursors are opaque (base64 of the row's position in the ordering).
extension Compilation {
    mutating func connection(_ connection: Connection, field: SelectedField, parent: String) throws -> String {
        let maxPageSize = self.limits.maxPageSize
        let first = try (field.arguments.int("first") ?? .constant(50)).map { first in
            guard first >= 0, first <= maxPageSize else { throw QueryError.badInput("first must be between 0 and \(maxPageSize).") }
            return first
        }
        let offset = try field.arguments.string("after")?.map(Self.position(of:)) ?? .constant(0)
        // The ordering chooses the statement's text: the plan depends on its value.
        let orderName = try field.arguments.enumValue("orderBy")?.fixed ?? connection.orders.keys.sorted().first!
        guard let order = connection.orders[orderName] else { throw QueryError.badInput("Unknown ordering \(orderName).") }

        let inner = self.sql.alias()
        let conditions = try self.conditions(table: connection.table, on: connection.on, filter: connection.filter,
                                             field: field, alias: inner, parent: parent).joined(separator: " AND ")
        let ordering = self.printed(order, parent: parent, child: inner)
        let page = self.sql.alias()
        // The page's bounds are parameters: one statement text serves every page.
        let last = self.sql.bind(try offset.and(first).map { $0 + $1 })
        let skipped = self.sql.bind(offset)
        let limit = self.sql.bind(try first.map { $0 + 1 })
        let cursor = { (position: String) in "encode(convert_to('cursor:' || \(position), 'UTF8'), 'base64')" }

        var pairs: [String] = []
        for selected in field.selections {
            switch selected.name {
            case "__typename":
                pairs.append("'\(selected.key)', '\(connection.nodeType)Connection'")
            case "totalCount":
                let counted = self.sql.alias()
                let countConditions = try self.conditions(table: connection.table, on: connection.on, filter: connection.filter,
                                                          field: field, alias: counted, parent: parent).joined(separator: " AND ")
                pairs.append("'\(selected.key)', (SELECT count(*) FROM \(connection.table.qualifiedName) \(counted) WHERE \(countConditions))")
            case "pageInfo":
                var info: [String] = []
                for item in selected.selections {
                    let value: String =
                        switch item.name {
                        case "hasNextPage": "coalesce(max(\(page).n) > \(last), false)"
                        case "hasPreviousPage": "(\(skipped)::bigint > 0)"
                        case "startCursor": "CASE WHEN count(*) > 0 THEN \(cursor("min(\(page).n)")) END"
                        case "endCursor": "CASE WHEN count(*) > 0 THEN \(cursor("least(max(\(page).n), \(last))")) END"
                        default: "'PageInfo'"
                        }
                    info.append("'\(item.key)', \(value)")
                }
                pairs.append("'\(selected.key)', json_build_object(\(info.joined(separator: ", ")))")
            case "edges":
                var edge: [String] = []
                for item in selected.selections {
                    let value: String =
                        switch item.name {
                        case "node": try self.object(connection.nodeType, alias: page, item.selections)
                        case "cursor": cursor("\(page).n")
                        default: "'\(connection.nodeType)Edge'"
                        }
                    edge.append("'\(item.key)', \(value)")
                }
                pairs.append("""
                    '\(selected.key)', coalesce(json_agg(json_build_object(\(edge.joined(separator: ", "))) ORDER BY \(page).n) \
                    FILTER (WHERE \(page).n <= \(last)), '[]'::json)
                    """)
            default:
                throw QueryError.validation("Cannot query field \"\(selected.name)\" on a connection.", line: selected.line, column: selected.column)
            }
        }
        return """
            (SELECT json_build_object(\(pairs.joined(separator: ", "))) FROM (SELECT \(inner).*, row_number() OVER (ORDER BY \(ordering)) AS n \
            FROM \(connection.table.qualifiedName) \(inner) WHERE \(conditions) ORDER BY \(ordering) LIMIT \(limit) OFFSET \(skipped)) \(page) GROUP BY ())
            """
    }

    /// The position a cursor stands for.
    @Sendable static func position(of cursor: String) throws -> Int {
        guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8), text.hasPrefix("cursor:"),
              let position = Int(text.dropFirst("cursor:".count)), position >= 0, position < 10_000_000 else {
            throw QueryError.badInput("after is not a cursor of this connection.")
        }
        return position
    }
}
