import EduQLAccessControl

/// The parts of one `stats` statement: its groups (`grp`, over the classes `cls` the policy and
/// the filter reach), the learners and suppression of each (`ln`, `ct`), and the measures a
/// selection asks for, each a `MATERIALIZED` common table expression read by the final SELECT.
/// Under the policy's predicates the planner expects one row from each part; computing each once
/// keeps it from re-running one inside a nested loop.
struct StatsQuery {
    /// What a selection needs beyond the groups, learners and suppression.
    enum Need: Hashable { case attendance, marks, queue }

    /// SQL per grouping: the group's key on classes (`k`) and on class-level rollups (`r`), the
    /// ids `eduql.scope_ref` names it by, and its key on the queue rollups and capacities.
    struct Keys {
        var group: String
        var column: String
        var scope: String
        var queue: String
        var places: String
    }

    let keys: Keys
    let grouping: String
    let byTerm: Bool
    let policy: Policy
    let thresholdFallback: Int
    var needs: Set<Need> = []
    /// Expressions of the selection's own parts (per-selection attendance, contingent, movements).
    var extra: [String: String] = [:]
    private let municipality: String?
    private let organization: String?
    private let kind: String?
    /// The grade the statement is narrowed to, if any.
    let grade: String?
    private let year: String?
    /// The subject the marks measures are narrowed to, if any.
    let subject: String?
    /// The principal's region (``Compilation/region``): every table read is narrowed to it.
    let region: String

    init(grouping: String, byTerm: Bool, filter: Arguments, policy: Policy, privacyThreshold: Int, region: String,
         sql: inout SQLBuilder) throws {
        self.region = region
        self.grouping = grouping
        self.byTerm = byTerm
        self.policy = policy
        self.thresholdFallback = privacyThreshold
        self.keys = switch grouping {
        case "MUNICIPALITY": Keys(group: "k.municipality_id", column: "r.municipality_id", scope: "grp.region_id, grp.gkey, NULL, NULL",
                                  queue: "q.municipality_id", places: "kc.municipality_id")
        case "ORGANIZATION": Keys(group: "k.organization_id", column: "r.organization_id", scope: "grp.region_id, grp.municipality_id, grp.gkey, NULL",
                                  queue: "q.organization_id", places: "kc.organization_id")
        case "CLASS": Keys(group: "k.id", column: "r.class_id", scope: "grp.region_id, grp.municipality_id, grp.organization_id, grp.gkey",
                           queue: "NULL::bigint", places: "NULL::bigint")
        default: Keys(group: "k.region_id", column: "r.region_id", scope: "grp.gkey, NULL, NULL, NULL", queue: "q.region_id", places: "kc.region_id")
        }
        self.municipality = try filter.id("municipalityId").map { sql.bind($0) }
        self.organization = try filter.id("organizationId").map { sql.bind($0) }
        self.kind = try filter.enumValue("organizationKind").map { "lower(\(sql.bind($0)))" }
        self.grade = try filter.int("grade").map { sql.bind($0) }
        self.year = try filter.id("academicYearId").map { sql.bind($0) }
        self.subject = try filter.id("subjectId").map { sql.bind($0) }
    }

    /// The region's condition and the policy's predicate on `table` for rows aliased `alias`.
    func counts(_ table: Table, _ alias: String) -> String {
        "\(alias).\(table == .regions ? "id" : "region_id") = \(self.region) AND (\(self.policy.aggregatePredicate(table, alias: alias)))"
    }

    /// The filter's conditions on a row carrying a class's place (`row`), its kind in `kindColumn`.
    func filters(_ row: String, _ kindColumn: String) -> String {
        var conditions: [String] = []
        if let municipality { conditions.append("\(row).municipality_id = \(municipality)") }
        if let organization { conditions.append("\(row).organization_id = \(organization)") }
        if let kind { conditions.append("\(kindColumn) = \(kind)") }
        if let grade { conditions.append("\(row).grade = \(grade)") }
        if let year { conditions.append("\(row).academic_year_id = \(year)") }
        return conditions.map { " AND " + $0 }.joined()
    }

    /// A class-level rollup aliased `r`, narrowed by the policy and the filters.
    func rollup(_ table: Table) -> String {
        "\(table.readName) r WHERE \(self.counts(table, "r"))\(self.filters("r", "r.organization_kind"))"
    }

    /// The term column of a per-term rollup row: its term, or one row for all terms.
    var term: String { self.byTerm ? "r.term_id" : "NULL::bigint" }
}
