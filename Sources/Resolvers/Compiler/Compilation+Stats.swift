import EduQLAccessControl
import GraphQL

/// Dashboard aggregates: one row per group (and term) over the classes the policy reaches,
/// measures withheld for groups below the privacy threshold or cutting a suppression block
/// (complementary suppression, migration 0014). They read only the rollups (kept current by
/// triggers, migrations 0012 and 0014), the suppression blocks and the small dimension tables
/// (classes, organizations, terms, capacities); every table is narrowed to the rows the policy
/// lets it count (``Policy/aggregatePredicate(_:alias:)``).
extension Compilation {
    mutating func stats(_ field: SelectedField) throws -> String {
        // The grouping and the terms choose the statement's text: the plan depends on their values.
        let grouping = try field.arguments.enumValue("groupBy")?.fixed ?? "REGION"
        let byTerm = try field.arguments.bool("byTerm")?.fixed ?? false
        let filter = field.arguments.object("filter") ?? Arguments(dependencies: field.arguments.dependencies)
        var query = try StatsQuery(grouping: grouping, byTerm: byTerm, filter: filter, policy: self.policy,
                                   privacyThreshold: self.limits.privacyThreshold, region: self.region, sql: &self.sql)
        let suppressed = "(coalesce(ln.n, 0) < th.n OR coalesce(ct.cut, false))"
        let measure: (String) -> String = { "CASE WHEN \(suppressed) THEN NULL ELSE \($0) END" }

        var pairs: [String] = []
        for selected in field.selections {
            let value: String
            switch selected.name {
            case "__typename": value = "'StatsRow'"
            case "group": value = try self.relation(Relation("ScopeRef", table: nil, from: "eduql.scope_ref(\(query.keys.scope))", on: nil),
                                                    field: selected, parent: "grp")
            case "term": value = try self.relation(Relation("Term", table: .terms, on: "{c}.id = {t}.term_id"), field: selected, parent: "tm")
            case "learners": value = measure("ln.n")
            case "attendanceRate":
                query.needs.insert(.attendance)
                value = measure("CASE WHEN ls.n > 0 THEN round((1 - coalesce(ab.n, 0)::numeric / ls.n), 4)::float8 END")
            case "averageMark":
                query.needs.insert(.marks)
                value = measure("round(mk.average, 3)::float8")
            case "qualityRate":
                query.needs.insert(.marks)
                value = measure("round(mk.quality, 4)::float8")
            case "markDistribution":
                query.needs.insert(.marks)
                value = measure(try Self.statsObject("MarkDistribution", selected.selections, [
                    "one": "coalesce(mk.v1, 0)", "two": "coalesce(mk.v2, 0)", "three": "coalesce(mk.v3, 0)",
                    "four": "coalesce(mk.v4, 0)", "five": "coalesce(mk.v5, 0)",
                ]))
            case "contingent": value = try query.contingent(selected)
            case "movements": value = measure(try query.movements(selected))
            case "attendance": value = measure(try query.attendance(selected, sql: &self.sql))
            case "queueDemand":
                query.needs.insert(.queue)
                value = measure(grouping == "CLASS" ? "NULL::int" : "coalesce(qt.n, 0)")
            case "freePlaces":
                query.needs.insert(.queue)
                value = measure(grouping == "CLASS" ? "NULL::int" : "coalesce(ft.n, 0)")
            case "queueByAgeGroup":
                query.needs.insert(.queue)
                value = measure(grouping == "CLASS" ? "NULL::json" : try query.queueByAgeGroup(selected))
            case "suppressed": value = suppressed
            case "suppressionReason":
                value = "CASE WHEN coalesce(ln.n, 0) < th.n THEN 'BELOW_THRESHOLD' WHEN coalesce(ct.cut, false) THEN 'COMPLEMENTARY' END"
            default:
                throw QueryError.validation("Cannot query field \"\(selected.name)\" on type \"StatsRow\".", line: selected.line, column: selected.column)
            }
            pairs.append("'\(selected.key)', \(value)")
        }
        let joins = query.needs.contains(.attendance)
            ? " LEFT JOIN ls ON ls.gkey = grp.gkey AND ls.term_id IS NOT DISTINCT FROM tm.term_id"
                + " LEFT JOIN ab ON ab.gkey = grp.gkey AND ab.term_id IS NOT DISTINCT FROM tm.term_id" : ""
        let marks = query.needs.contains(.marks) ? " LEFT JOIN mk ON mk.gkey = grp.gkey AND mk.term_id IS NOT DISTINCT FROM tm.term_id" : ""
        let queue = query.needs.contains(.queue) ? " LEFT JOIN qt ON qt.gkey = grp.gkey LEFT JOIN ft ON ft.gkey = grp.gkey" : ""
        return """
            (WITH \(query.commonTableExpressions()) \
            SELECT coalesce(json_agg(json_build_object(\(pairs.joined(separator: ", "))) ORDER BY grp.gkey, tm.term_id), '[]'::json) \
            FROM grp CROSS JOIN tm CROSS JOIN th LEFT JOIN ln ON ln.gkey = grp.gkey LEFT JOIN ct ON ct.gkey = grp.gkey\(joins)\(marks)\(queue))
            """
    }

    /// `json_build_object` of the selected fields of a dashboard part, each from its SQL (`nested`:
    /// from its own selection).
    static func statsObject(_ type: String, _ selections: [SelectedField], _ columns: [String: String],
                            nested: [String: (SelectedField) throws -> String] = [:]) throws -> String {
        let pairs = try selections.map { selected -> String in
            if selected.name == "__typename" { return "'\(selected.key)', '\(type)'" }
            if let value = columns[selected.name] { return "'\(selected.key)', \(value)" }
            if let value = nested[selected.name] { return "'\(selected.key)', \(try value(selected))" }
            throw QueryError.validation("Cannot query field \"\(selected.name)\" on type \"\(type)\".", line: selected.line, column: selected.column)
        }
        return "json_build_object(\(pairs.joined(separator: ", ")))"
    }
}
