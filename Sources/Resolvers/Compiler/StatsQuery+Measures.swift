import EduQLAccessControl

/// The measures of a dashboard row that are lists or objects of their own: each adds its common
/// table expressions and returns the row's value, correlated to the group (`grp.gkey`).
extension StatsQuery {
    /// Learners now per grade and gender; each grade is a group of its own, withheld as one.
    mutating func contingent(_ field: SelectedField) throws -> String {
        self.extra["gc"] = "SELECT \(self.keys.column) AS gkey, r.grade, sum(r.learners)::int AS n, "
            + "coalesce(sum(r.learners) FILTER (WHERE r.gender = 'female'), 0)::int AS f, "
            + "coalesce(sum(r.learners) FILTER (WHERE r.gender = 'male'), 0)::int AS m FROM \(self.rollup(.rollupContingent)) GROUP BY 1, 2"
        self.extra["gx"] = self.cuts(by: ["gkey", "grade"])
        let shown = { (value: String) in "CASE WHEN g.suppressed THEN NULL ELSE \(value) END" }
        let object = try Compilation.statsObject("GradeContingent", field.selections, [
            "grade": "g.grade", "learners": shown("g.n"), "female": shown("g.f"), "male": shown("g.m"),
            "suppressed": "g.suppressed",
            "suppressionReason": "CASE WHEN g.below THEN 'BELOW_THRESHOLD' WHEN g.suppressed THEN 'COMPLEMENTARY' END",
        ])
        return "coalesce((SELECT json_agg(\(object) ORDER BY g.grade NULLS LAST) FROM (SELECT gc.grade, gc.n, gc.f, gc.m, gc.n < th.n AS below, "
            + "gc.n < th.n OR coalesce(gx.cut, false) AS suppressed FROM gc LEFT JOIN gx ON gx.gkey = gc.gkey AND gx.grade IS NOT DISTINCT FROM gc.grade "
            + "WHERE gc.gkey = grp.gkey) g), '[]'::json)"
    }

    /// Movements per calendar month, by kind.
    mutating func movements(_ field: SelectedField) throws -> String {
        let kinds = ["admitted", "transferred", "expelled", "graduated"]
        self.extra["mv"] = "SELECT \(self.keys.column) AS gkey, r.month, "
            + kinds.map { "coalesce(sum(r.movements) FILTER (WHERE r.kind = '\($0)'), 0)::int AS \($0)" }.joined(separator: ", ")
            + " FROM \(self.rollup(.rollupMovements)) GROUP BY 1, 2"
        var columns = ["month": "mv.month"]
        for kind in kinds { columns[kind] = "mv.\(kind)" }
        let object = try Compilation.statsObject("MonthMovements", field.selections, columns)
        return "coalesce((SELECT json_agg(\(object) ORDER BY mv.month) FROM mv WHERE mv.gkey = grp.gkey), '[]'::json)"
    }

    /// The attendance rate per day or week from `from` to `to` (at most 366 days after `from`).
    mutating func attendance(_ field: SelectedField, sql: inout SQLBuilder) throws -> String {
        guard let from = try field.arguments.date("from"), let to = try field.arguments.date("to") else {
            throw QueryError.badInput("attendance needs from and to")
        }
        // The period chooses the statement's text: the plan depends on its value.
        let period = try field.arguments.enumValue("per")?.fixed == "DAY" ? "r.day" : "date_trunc('week', r.day)::date"
        let first = "\(sql.bind(from))::date"
        let days = "r.day BETWEEN \(first) AND least(\(sql.bind(to))::date, \(first) + 366)"
        let name = sql.alias()
        let lessons = "al_\(name)", absences = "aa_\(name)"
        self.extra[lessons] = "SELECT size.gkey, r.p, sum(r.lessons)::int AS lessons, sum(r.lessons * size.n) AS n FROM (SELECT r.class_id, \(period) AS p, "
            + "sum(r.lessons) AS lessons FROM \(self.rollup(.rollupLessonDays)) AND \(days) GROUP BY 1, 2) r JOIN size ON size.class_id = r.class_id GROUP BY 1, 2"
        self.extra[absences] = "SELECT \(self.keys.column) AS gkey, \(period) AS p, sum(r.absent + r.ill + r.excused) AS n "
            + "FROM \(self.rollup(.rollupAttendanceDays)) AND \(days) GROUP BY 1, 2"
        let object = try Compilation.statsObject("AttendanceInPeriod", field.selections, [
            "startsOn": "x.p", "lessons": "x.lessons",
            "attendanceRate": "CASE WHEN x.n > 0 THEN round((1 - coalesce(y.n, 0)::numeric / x.n), 4)::float8 END",
        ])
        return "coalesce((SELECT json_agg(\(object) ORDER BY x.p) FROM \(lessons) x LEFT JOIN \(absences) y ON y.gkey = x.gkey AND y.p = x.p "
            + "WHERE x.gkey = grp.gkey), '[]'::json)"
    }

    /// Queued applications and free places per age group, applications also per priority class.
    func queueByAgeGroup(_ field: SelectedField) throws -> String {
        let object = try Compilation.statsObject("QueueAgeGroup", field.selections, [
            "ageGroup": "a.age_group",
            "queued": "coalesce((SELECT sum(qa.n) FROM qa WHERE qa.gkey = grp.gkey AND qa.age_group = a.age_group), 0)::int",
            "freePlaces": "coalesce((SELECT sum(fa.n) FROM fa WHERE fa.gkey = grp.gkey AND fa.age_group = a.age_group), 0)::int",
        ], nested: [
            "byPriority": { selected in
                let count = try Compilation.statsObject("QueuePriorityCount", selected.selections, [
                    "priorityClass": "(ARRAY['OUT_OF_TURN', 'FIRST_TURN', 'PREFERENTIAL', 'GENERAL'])[qa.priority_rank + 1]",
                    "queued": "qa.n",
                ])
                return "coalesce((SELECT json_agg(\(count) ORDER BY qa.priority_rank) FROM qa WHERE qa.gkey = grp.gkey AND qa.age_group = a.age_group), '[]'::json)"
            },
        ])
        return "coalesce((SELECT json_agg(\(object) ORDER BY a.age_group) FROM (SELECT qa.age_group FROM qa WHERE qa.gkey = grp.gkey "
            + "UNION SELECT fa.age_group FROM fa WHERE fa.gkey = grp.gkey) a), '[]'::json)"
    }
}
