import EduQLAccessControl

/// `Query.changes`: one page of the change feed, read after the cursor and below the horizon
/// `eduql.change_window` gives (the oldest transaction still in progress), in (transaction,
/// sequence) order. A change is listed when the policy reads its kind and the row it names —
/// as it is now, or as it was before the update or deletion (kept in `old_row`) — so a caller
/// also learns of rows that left its reach and of deletions it could have seen.
extension Compilation {
    mutating func changes(_ field: SelectedField) throws -> String {
        let maxPageSize = self.limits.maxPageSize
        let first = try (field.arguments.int("first") ?? .constant(100)).map { first in
            guard first >= 0, first <= maxPageSize else { throw QueryError.badInput("first must be between 0 and \(maxPageSize).") }
            return first
        }
        let after = try field.arguments.string("after")?.map { text in
            guard let cursor = ChangeCursor(text) else { throw QueryError.badInput("after is not a cursor of the change feed.") }
            return cursor
        }
        let window = self.sql.alias()
        let change = self.sql.alias()
        let page = self.sql.alias()
        var (transaction, sequence) = ("NULL::xid8", "NULL::bigint")
        if let after {
            transaction = "\(self.sql.bind(try after.map(\.transaction)))::xid8"
            sequence = "\(self.sql.bind(try after.map(\.sequence)))::bigint"
        }
        let limit = self.sql.bind(try first.map { $0 + 1 })
        let size = self.sql.bind(first)

        var conditions = [
            "(\(change).xid, \(change).seq) > (\(window).after_xid, \(window).after_seq)",
            "\(change).xid < \(window).horizon",
            "(\(self.policy.predicate(.changes, alias: change)))",
            self.visibleChanges(change),
        ]
        if let types = try field.arguments.enumValues("types") {
            let entities = try types.map { names in
                try names.map { name in
                    guard let kind = ChangeKind.allCases.first(where: { $0.typeName == name }) else { throw QueryError.badInput("Unknown change type \(name).") }
                    return kind.rawValue
                }
            }
            conditions.append("\(change).entity = ANY(\(self.sql.bind(entities))::text[])")
        }

        var pairs: [String] = []
        for selected in field.selections {
            let value: String
            switch selected.name {
            case "__typename": value = "'ChangePage'"
            case "changes":
                let object = try self.object("Change", alias: page, selected.selections)
                value = "coalesce(json_agg(\(object) ORDER BY \(page).n) FILTER (WHERE \(page).n <= \(size)), '[]'::json)"
            case "hasMore": value = "count(\(page).n) > \(size)"
            case "horizon": value = ChangeCursor.sql(transaction: "\(window).horizon", sequence: "0")
            case "endCursor":
                let last = ChangeCursor.sql(transaction: "\(page).xid", sequence: "\(page).seq")
                let start = ChangeCursor.sql(transaction: "\(window).after_xid", sequence: "\(window).after_seq")
                value = """
                    CASE WHEN count(\(page).n) FILTER (WHERE \(page).n <= \(size)) > 0 \
                    THEN (array_agg(\(last) ORDER BY \(page).n DESC) FILTER (WHERE \(page).n <= \(size)))[1] \
                    WHEN count(\(page).n) > 0 OR (\(window).after_xid, \(window).after_seq) >= (\(window).horizon, 0) THEN \(start) \
                    ELSE \(ChangeCursor.sql(transaction: "\(window).horizon", sequence: "0")) END
                    """
            default:
                throw QueryError.validation("Cannot query field \"\(selected.name)\" on type \"ChangePage\".", line: selected.line, column: selected.column)
            }
            pairs.append("'\(selected.key)', \(value)")
        }
        return """
            (SELECT json_build_object(\(pairs.joined(separator: ", "))) FROM eduql.change_window(\(transaction), \(sequence)) \(window) \
            LEFT JOIN LATERAL (SELECT \(change).*, row_number() OVER (ORDER BY \(change).xid, \(change).seq) AS n \
            FROM eduql.changes \(change) WHERE \(conditions.joined(separator: " AND ")) \
            ORDER BY \(change).xid, \(change).seq LIMIT \(limit)) \(page) ON true \
            GROUP BY \(window).after_xid, \(window).after_seq, \(window).horizon)
            """
    }

    /// Whether the policy reads the row a change names, now or before the change: one branch
    /// per kind it reads, `false` for the others. The row now is looked up by the change's key
    /// for each change (`OFFSET 0` keeps PostgreSQL from turning the lookup into a hash of every
    /// row of the table in the region, which a generic plan chose once the change table had
    /// grown: 46 ms a page instead of 2).
    private mutating func visibleChanges(_ change: String) -> String {
        var branches: [String] = []
        for kind in ChangeKind.readable(by: self.policy) {
            let now = self.sql.alias()
            let before = self.sql.alias()
            let table = kind.table.qualifiedName
            branches.append("""
                WHEN '\(kind.rawValue)' THEN EXISTS (SELECT 1 FROM \(table) \(now) WHERE \(kind.key(row: now, change: change)) \
                AND (\(self.policy.predicate(kind.table, alias: now))) OFFSET 0) OR (\(change).old_row IS NOT NULL AND EXISTS (SELECT 1 \
                FROM jsonb_populate_record(NULL::\(table), \(change).old_row) \(before) WHERE \(self.policy.predicate(kind.table, alias: before))))
                """)
        }
        guard !branches.isEmpty else { return "false" }
        return "CASE \(change).entity \(branches.joined(separator: " ")) ELSE false END"
    }
}
