import EduQLAccessControl

extension StatsQuery {
    /// The statement's common table expressions: the groups, their learners, threshold, terms
    /// and suppression, then the measures the selection needs.
    func commonTableExpressions() -> String {
        let organizations = self.readsOrganizationRollups
        // The years the statement's classes belong to.
        let years = organizations ? "yr" : "cls"
        var parts = organizations ? self.organizationGroups() : self.classGroups()
        parts += [
            // The caller's region sets the threshold; the engine's limit stands in should its row not be readable.
            "th AS MATERIALIZED (SELECT coalesce((SELECT p.privacy_threshold FROM eduql.regions p WHERE p.id = \(self.region) AND p.id = (SELECT eduql.current_region_id())), "
                + "\(self.thresholdFallback)) AS n)",
            "tm AS MATERIALIZED (\(self.byTerm ? "SELECT DISTINCT t.id AS term_id FROM eduql.terms t WHERE t.region_id = \(self.region) AND t.academic_year_id IN (SELECT academic_year_id FROM \(years))" : "SELECT NULL::bigint AS term_id"))",
            // A group that holds some classes of a suppression block but not all of them.
            "ct AS MATERIALIZED (\(organizations ? self.organizationCuts() : self.cuts(by: ["gkey"])))",
        ]
        if organizations && !self.needs.isDisjoint(with: [.attendance, .marks]) {
            parts.append(self.organizationTerms())
        }
        if self.needs.contains(.attendance) {
            parts += organizations ? self.organizationAttendance() : [
                "ls AS MATERIALIZED (SELECT size.gkey, r.term_id, sum(r.lessons * size.n) AS n FROM (SELECT r.class_id, \(self.term) AS term_id, "
                    + "sum(r.lessons) AS lessons FROM \(self.rollup(.rollupLessons)) GROUP BY 1, 2) r JOIN size ON size.class_id = r.class_id GROUP BY 1, 2)",
                "ab AS MATERIALIZED (SELECT \(self.keys.column) AS gkey, \(self.term) AS term_id, sum(r.absent + r.ill + r.excused) AS n "
                    + "FROM \(self.rollup(.rollupAttendance)) GROUP BY 1, 2)",
            ]
        }
        if self.needs.contains(.marks) {
            // From the organization terms, each group's one row per term already summed.
            let (key, term, source) = organizations ? ("r.gkey", "r.term_id", "tt r") : (self.keys.column, self.term, "\(self.marks) AND r.kind IN ('current', 'test')")
            parts.append("mk AS MATERIALIZED (SELECT \(key) AS gkey, \(term) AS term_id, "
                + "sum(r.value_sum)::numeric / nullif(sum(r.marks), 0) AS average, sum(r.value_4 + r.value_5)::numeric / nullif(sum(r.marks), 0) AS quality, "
                + "sum(r.value_1)::int AS v1, sum(r.value_2)::int AS v2, sum(r.value_3)::int AS v3, sum(r.value_4)::int AS v4, sum(r.value_5)::int AS v5 "
                + "FROM \(source) GROUP BY 1, 2)")
        }
        if self.needs.contains(.queue) {
            // Queued applications of the territory, or naming the kindergarten among their choices.
            let queue: Table = self.grouping == "ORGANIZATION" ? .rollupQueueChoices : .rollupQueue
            parts.append("qa AS MATERIALIZED (SELECT \(self.keys.queue) AS gkey, q.age_group, q.priority_rank, sum(q.applications)::int AS n "
                + "FROM \(queue.qualifiedName) q WHERE q.status = 'queued' AND \(self.counts(queue, "q")) GROUP BY 1, 2, 3)")
            parts.append("fa AS MATERIALIZED (SELECT \(self.keys.places) AS gkey, kc.age_group, sum(greatest(kc.capacity - kc.occupied, 0))::int AS n "
                + "FROM eduql.kindergarten_capacities kc WHERE kc.academic_year_id IN (SELECT academic_year_id FROM \(years)) "
                + "AND \(self.counts(.kindergartenCapacities, "kc")) GROUP BY 1, 2)")
            // Each group's totals, joined by the final SELECT rather than summed again per row.
            parts.append("qt AS MATERIALIZED (SELECT gkey, sum(n)::int AS n FROM qa GROUP BY gkey)")
            parts.append("ft AS MATERIALIZED (SELECT gkey, sum(n)::int AS n FROM fa GROUP BY gkey)")
        }
        parts += self.extra.sorted { $0.key < $1.key }.map { "\($0.key) AS MATERIALIZED (\($0.value))" }
        return parts.joined(separator: ", ")
    }

    /// The classes counted, each with its group (`cls`); the groups; the learners now per class
    /// (`size`) and per group (`ln`).
    private func classGroups() -> [String] {
        [
            "cls AS MATERIALIZED (SELECT k.id AS class_id, \(self.keys.group) AS gkey, k.region_id, k.municipality_id, "
                + "k.organization_id, k.academic_year_id, k.grade FROM eduql.classes k JOIN eduql.organizations o ON o.region_id = \(self.region) AND o.id = k.organization_id "
                + "WHERE \(self.counts(.classes, "k"))\(self.filters("k", "o.kind")))",
            "grp AS MATERIALIZED (SELECT gkey, min(region_id) AS region_id, min(municipality_id) AS municipality_id, "
                + "min(organization_id) AS organization_id FROM cls GROUP BY gkey)",
            "size AS MATERIALIZED (SELECT r.class_id, \(self.keys.column) AS gkey, sum(r.learners) AS n FROM \(self.rollup(.rollupContingent)) GROUP BY 1, 2)",
            "ln AS MATERIALIZED (SELECT gkey, sum(n)::int AS n FROM size GROUP BY gkey)",
        ]
    }

    /// The marks rollup, narrowed by the policy and the filters: per subject when the filter names one.
    var marks: String {
        guard let subject else { return self.rollup(.rollupMarks) }
        return "\(self.rollup(.rollupSubjectMarks)) AND r.subject_id = \(subject)"
    }

    /// Per value of `columns` of `cls`: whether its classes cut a suppression block.
    func cuts(by columns: [String]) -> String {
        let list = columns.map { "cls.\($0)" }.joined(separator: ", ")
        let names = columns.joined(separator: ", ")
        return "SELECT \(names), bool_or(n < size) AS cut FROM (SELECT \(list), b.block_id, count(*) AS n, min(b.block_classes) AS size "
            + "FROM cls JOIN eduql.suppression_blocks b ON b.class_id = cls.class_id WHERE \(self.counts(.suppressionBlocks, "b")) "
            + "GROUP BY \(list), b.block_id) s GROUP BY \(names)"
    }
}
