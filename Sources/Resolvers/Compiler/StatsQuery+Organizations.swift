import EduQLAccessControl

/// The parts of a `stats` statement read from the organization rollups (migration 0042): one row
/// per organization and year or term instead of one per class, so a region's dashboard reads
/// hundreds of rows rather than a hundred thousand. They hold what the class-level parts compute
/// whenever every filter and grouping is an organization's (its place, kind and the academic
/// year): not for classes, grades or one subject, nor for the per-grade, per-month and per-day
/// parts, which keep the class level.
extension StatsQuery {
    /// The organization rollups the coarse parts read.
    static let organizationRollups: [Table] = [.rollupOrganizationYears, .rollupOrganizationTerms, .rollupOrganizationBlocks]

    /// Whether this statement reads the organization rollups: its grouping and filters stop at an
    /// organization, it asks for no part of its own, and the policy counts those rollups' rows.
    var readsOrganizationRollups: Bool {
        self.grouping != "CLASS" && self.grade == nil && self.subject == nil && self.extra.isEmpty
            && Self.organizationRollups.allSatisfy { self.policy.counts($0) }
    }

    /// The organizations and years counted, each with its group (`yr`); the groups; the learners
    /// now per group (`ln`).
    func organizationGroups() -> [String] {
        [
            "yr AS MATERIALIZED (SELECT \(self.keys.column) AS gkey, r.region_id, r.municipality_id, r.organization_id, r.academic_year_id, "
                + "r.learners FROM \(self.rollup(.rollupOrganizationYears)))",
            "grp AS MATERIALIZED (SELECT gkey, min(region_id) AS region_id, min(municipality_id) AS municipality_id, "
                + "min(organization_id) AS organization_id FROM yr GROUP BY gkey)",
            "ln AS MATERIALIZED (SELECT gkey, sum(learners)::int AS n FROM yr GROUP BY gkey)",
        ]
    }

    /// Per group: whether it holds some classes of a suppression block but not all of them.
    func organizationCuts() -> String {
        "SELECT gkey, bool_or(n < size) AS cut FROM (SELECT \(self.keys.column) AS gkey, r.block_id, sum(r.classes) AS n, "
            + "min(r.block_classes) AS size FROM \(self.rollup(.rollupOrganizationBlocks)) GROUP BY 1, 2) s GROUP BY gkey"
    }

    /// The organization terms per group and term (`tt`), read once for the attendance and marks parts.
    func organizationTerms() -> String {
        "tt AS MATERIALIZED (SELECT \(self.keys.column) AS gkey, \(self.term) AS term_id, sum(r.lesson_seats) AS lesson_seats, "
            + "sum(r.absences) AS absences, sum(r.marks) AS marks, sum(r.value_1) AS value_1, sum(r.value_2) AS value_2, sum(r.value_3) AS value_3, "
            + "sum(r.value_4) AS value_4, sum(r.value_5) AS value_5, sum(r.value_sum) AS value_sum "
            + "FROM \(self.rollup(.rollupOrganizationTerms)) GROUP BY 1, 2)"
    }

    /// Lesson seats (`ls`) and absences (`ab`) per group and term, from `tt`.
    func organizationAttendance() -> [String] {
        ["ls AS MATERIALIZED (SELECT gkey, term_id, lesson_seats AS n FROM tt)", "ab AS MATERIALIZED (SELECT gkey, term_id, absences AS n FROM tt)"]
    }
}
