import EduQLAccessControl
import GraphQL

/// Dashboard aggregates: one row per group (and term) over the classes the policy reaches,
/// measures withheld for groups below the privacy threshold. They read only the rollups (kept
/// current by triggers, migration 0012) and the small dimension tables (classes,
/// organizations, capacities); every table is narrowed to the rows the policy lets it count
/// (``Policy/aggregatePredicate(_:alias:)``).
extension Compilation {
    mutating func stats(_ field: SelectedField) throws -> String {
        // The grouping and the terms choose the statement's text: the plan depends on their values.
        let grouping = try field.arguments.enumValue("groupBy")?.fixed ?? "REGION"
        let byTerm = try field.arguments.bool("byTerm")?.fixed ?? false
        let filter = field.arguments.object("filter") ?? Arguments(dependencies: field.arguments.dependencies)
        // The group's column on classes (`k`) and on the class-level rollups (`r`).
        let keys: (group: String, column: String, scope: String, queue: String, places: String) =
            switch grouping {
            case "MUNICIPALITY": ("k.municipality_id", "r.municipality_id", "grp.region_id, grp.gkey, NULL, NULL", "q.municipality_id", "kc.municipality_id")
            case "ORGANIZATION": ("k.organization_id", "r.organization_id", "grp.region_id, grp.municipality_id, grp.gkey, NULL", "q.organization_id", "kc.organization_id")
            case "CLASS": ("k.id", "r.class_id", "grp.region_id, grp.municipality_id, grp.organization_id, grp.gkey", "NULL::bigint", "NULL::bigint")
            default: ("k.region_id", "r.region_id", "grp.gkey, NULL, NULL, NULL", "q.region_id", "kc.region_id")
            }
        let policy = self.policy
        let counts = { (table: Table, alias: String) in "(\(policy.aggregatePredicate(table, alias: alias)))" }
        // The filters, over classes (`k`, its organization `o`) and over a class-level rollup, which
        // carries the class's attributes itself.
        let municipality = try filter.id("municipalityId").map { self.sql.bind($0) }
        let organization = try filter.id("organizationId").map { self.sql.bind($0) }
        let kind = try filter.enumValue("organizationKind").map { "lower(\(self.sql.bind($0)))" }
        let grade = try filter.int("grade").map { self.sql.bind($0) }
        let year = try filter.id("academicYearId").map { self.sql.bind($0) }
        let filters = { (row: String, kindColumn: String) -> String in
            var conditions: [String] = []
            if let municipality { conditions.append("\(row).municipality_id = \(municipality)") }
            if let organization { conditions.append("\(row).organization_id = \(organization)") }
            if let kind { conditions.append("\(kindColumn) = \(kind)") }
            if let grade { conditions.append("\(row).grade = \(grade)") }
            if let year { conditions.append("\(row).academic_year_id = \(year)") }
            return conditions.map { " AND " + $0 }.joined()
        }
        /// A class-level rollup aliased `r`, narrowed by the policy and the filters.
        let rollup = { (table: Table) in
            "\(table.qualifiedName) r WHERE \(counts(table, "r"))\(filters("r", "r.organization_kind"))"
        }
        let term = byTerm ? "r.term_id" : "NULL::bigint"
        // Queue demand: applications of the territory, or naming the kindergarten among their choices.
        let queue: Table = grouping == "ORGANIZATION" ? .rollupQueueChoices : .rollupQueue
        // The caller's region sets the threshold (`regions.privacy_threshold`); the engine's limit
        // stands in should the region row not be readable.
        let suppressed = "(coalesce(ln.n, 0) < th.n)"

        var pairs: [String] = []
        for selected in field.selections {
            let measure: (String) -> String = { "CASE WHEN \(suppressed) THEN NULL ELSE \($0) END" }
            let value: String
            switch selected.name {
            case "__typename": value = "'StatsRow'"
            case "group": value = try self.relation(Relation("ScopeRef", table: nil, from: "eduql.scope_ref(\(keys.scope))", on: nil),
                                                    field: selected, parent: "grp")
            case "term": value = try self.relation(Relation("Term", table: .terms, on: "{c}.id = {t}.term_id"), field: selected, parent: "tm")
            case "learners": value = measure("ln.n")
            case "attendanceRate": value = measure("CASE WHEN ls.n > 0 THEN round((1 - coalesce(ab.n, 0)::numeric / ls.n), 4)::float8 END")
            case "averageMark": value = measure("round(mk.average, 3)::float8")
            case "qualityRate": value = measure("round(mk.quality, 4)::float8")
            case "queueDemand": value = measure(grouping == "CLASS" ? "NULL::int" : "coalesce(qd.n, 0)")
            case "freePlaces": value = measure(grouping == "CLASS" ? "NULL::int" : "coalesce(fp.n, 0)")
            case "suppressed": value = suppressed
            default:
                throw QueryError.validation("Cannot query field \"\(selected.name)\" on type \"StatsRow\".", line: selected.line, column: selected.column)
            }
            pairs.append("'\(selected.key)', \(value)")
        }
        // Under the policy's predicates the planner expects one row from each part: each is
        // computed once (MATERIALIZED) rather than re-run inside a nested loop.
        return """
            (WITH cls AS MATERIALIZED (SELECT k.id AS class_id, \(keys.group) AS gkey, k.region_id, k.municipality_id, \
            k.organization_id, k.academic_year_id FROM eduql.classes k JOIN eduql.organizations o ON o.id = k.organization_id \
            WHERE \(counts(.classes, "k"))\(filters("k", "o.kind"))), \
            grp AS MATERIALIZED (SELECT gkey, min(region_id) AS region_id, min(municipality_id) AS municipality_id, min(organization_id) AS organization_id \
            FROM cls GROUP BY gkey), \
            size AS MATERIALIZED (SELECT r.class_id, \(keys.column) AS gkey, sum(r.learners) AS n FROM \(rollup(.rollupContingent)) GROUP BY 1, 2), \
            ln AS MATERIALIZED (SELECT gkey, sum(n)::int AS n FROM size GROUP BY gkey), \
            th AS MATERIALIZED (SELECT coalesce((SELECT p.privacy_threshold FROM eduql.regions p WHERE p.id = (SELECT eduql.current_region_id())), \
            \(self.limits.privacyThreshold)) AS n), \
            tm AS MATERIALIZED (\(byTerm ? "SELECT DISTINCT t.id AS term_id FROM eduql.terms t WHERE t.academic_year_id IN (SELECT academic_year_id FROM cls)" : "SELECT NULL::bigint AS term_id")), \
            ls AS MATERIALIZED (SELECT size.gkey, r.term_id, sum(r.lessons * size.n) AS n FROM (SELECT r.class_id, \(term) AS term_id, \
            sum(r.lessons) AS lessons FROM \(rollup(.rollupLessons)) GROUP BY 1, 2) r JOIN size ON size.class_id = r.class_id GROUP BY 1, 2), \
            ab AS MATERIALIZED (SELECT \(keys.column) AS gkey, \(term) AS term_id, sum(r.absent + r.ill + r.excused) AS n \
            FROM \(rollup(.rollupAttendance)) GROUP BY 1, 2), \
            mk AS MATERIALIZED (SELECT \(keys.column) AS gkey, \(term) AS term_id, sum(r.value_sum)::numeric / nullif(sum(r.marks), 0) AS average, \
            sum(r.value_4 + r.value_5)::numeric / nullif(sum(r.marks), 0) AS quality \
            FROM \(rollup(.rollupMarks)) AND r.kind IN ('current', 'test') GROUP BY 1, 2), \
            qd AS MATERIALIZED (SELECT \(keys.queue) AS gkey, sum(q.applications)::int AS n FROM \(queue.qualifiedName) q WHERE q.status = 'queued' \
            AND \(counts(queue, "q")) GROUP BY 1), \
            fp AS MATERIALIZED (SELECT \(keys.places) AS gkey, sum(greatest(kc.capacity - kc.occupied, 0))::int AS n FROM eduql.kindergarten_capacities kc \
            WHERE kc.academic_year_id IN (SELECT academic_year_id FROM cls) AND \(counts(.kindergartenCapacities, "kc")) GROUP BY 1) \
            SELECT coalesce(json_agg(json_build_object(\(pairs.joined(separator: ", "))) ORDER BY grp.gkey, tm.term_id), '[]'::json) \
            FROM grp CROSS JOIN tm CROSS JOIN th LEFT JOIN ln ON ln.gkey = grp.gkey \
            LEFT JOIN ls ON ls.gkey = grp.gkey AND ls.term_id IS NOT DISTINCT FROM tm.term_id \
            LEFT JOIN ab ON ab.gkey = grp.gkey AND ab.term_id IS NOT DISTINCT FROM tm.term_id \
            LEFT JOIN mk ON mk.gkey = grp.gkey AND mk.term_id IS NOT DISTINCT FROM tm.term_id \
            LEFT JOIN qd ON qd.gkey = grp.gkey LEFT JOIN fp ON fp.gkey = grp.gkey)
            """
    }
}
