import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// The timetable: the bell schedule, a class's weekly pattern, the lessons it generates, and
/// single changes — a lesson moved, cancelled or given by a substitute. A lesson with marks or
/// attendance is never moved or deleted.
extension RuleWriter {
    /// `setBellSchedule`: a year's and shift's periods, replacing them.
    func setBellSchedule(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let year = try input.requiredID("academicYearId", at: path)
        let shift = try input.integer("shift", at: path, in: 1...3) ?? 1
        let periods = try input.objects("periods", at: path, count: 1...10).map { fields, at in
            guard let period = try fields.integer("period", at: at, in: 1...10) else { throw WriteRefusal.invalid("\(at)period is required") }
            let (starts, ends) = (try Self.clock(fields, "startsAt", at: at), try Self.clock(fields, "endsAt", at: at))
            guard starts < ends else { throw WriteRefusal.invalid("\(at)endsAt is not after startsAt") }
            return (period: period, starts: starts, ends: ends, path: at)
        }.sorted { $0.period < $1.period }
        guard Set(periods.map(\.period)).count == periods.count else { throw WriteRefusal.invalid("\(path)periods names a period twice") }
        for (earlier, later) in zip(periods, periods.dropFirst()) where later.starts < earlier.ends {
            throw WriteRefusal.invalid("\(later.path)startsAt: before period \(earlier.period) ends")
        }
        let delete = WriteStatement()
        let rule = try self.rule(.bellPeriods, .delete)
        _ = try await self.connection.guardedQuery(delete.query("""
            WITH c AS (SELECT x.id, coalesce(\(rule.sql(alias: "x")), false) AS allowed FROM eduql.bell_periods x \
            WHERE x.organization_id = eduql.current_organization_id() AND x.academic_year_id = \(delete.bind(year, "int8")) \
            AND x.shift = \(delete.bind(shift, "int2"))) \
            DELETE FROM eduql.bell_periods x USING c WHERE x.id = c.id AND c.allowed
            """), logger: self.logger).collect()
        let statement = WriteStatement()
        let source = """
            SELECT y.region_id, o.municipality_id, o.id AS organization_id, y.id AS academic_year_id, \(statement.bind(shift, "int2")) AS shift, \
            p.period, p.starts_at, p.ends_at FROM eduql.academic_years y JOIN eduql.organizations o ON o.id = eduql.current_organization_id() \
            CROSS JOIN unnest(\(statement.bind(periods.map(\.period), "int2[]")), \(statement.bind(periods.map(\.starts), "time[]")), \
            \(statement.bind(periods.map(\.ends), "time[]"))) AS p(period, starts_at, ends_at) WHERE y.id = \(statement.bind(year, "int8"))
            """
        let query = statement.insert(into: .bellPeriods,
                                     columns: ["region_id", "municipality_id", "organization_id", "academic_year_id", "shift", "period", "starts_at", "ends_at"],
                                     from: source, rule: try self.rule(.bellPeriods, .insert))
        let ids = try await self.run(query, "input.academicYearId", notFound: "not an academic year you can see", refused: "not your region's year").ids
        return Written(type: "BellPeriod", table: .bellPeriods, ids: ids, many: true, learnerIDs: [], rows: ids.count)
    }

    /// A time of day `HH:MM`.
    static func clock(_ fields: [String: Map], _ name: String, at path: String) throws -> String {
        guard let text = fields[name]?.text, let match = text.wholeMatch(of: /([01][0-9]|2[0-3]):([0-5][0-9])/) else {
            throw WriteRefusal.invalid("\(path)\(name) must read HH:MM")
        }
        return String(match.output.0)
    }

    /// `setTimetable`: a class's weekly pattern, replacing it. Each teacher must teach the
    /// subject in the class (an open teaching assignment).
    func setTimetable(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let klass = try input.requiredID("classId", at: path)
        let entries = try input.objects("entries", at: path, count: 1...70).map { fields, at in
            guard let weekday = try fields.integer("weekday", at: at, in: 1...6), let period = try fields.integer("period", at: at, in: 1...10) else {
                throw WriteRefusal.invalid("\(at)weekday and period are required")
            }
            return (weekday: weekday, period: period, subject: try fields.requiredID("subjectId", at: at),
                    teacher: try fields.requiredID("teacherId", at: at), room: try fields.text("room", at: at, lengths: 1...50, required: false), path: at)
        }
        try await self.requireVisible(.classes, klass, path: "input.classId", what: "a class")
        var seen = Set<Int>()
        for entry in entries where !seen.insert(entry.weekday * 16 + entry.period).inserted {
            throw WriteRefusal.invalid("\(entry.path): weekday \(entry.weekday) period \(entry.period) is given twice")
        }
        // Which entries name a teacher who does not teach the subject in the class.
        let check = WriteStatement()
        let unassigned = try await self.connection.guardedQuery(check.query("""
            SELECT e.n::int FROM unnest(\(check.bind(entries.map(\.teacher), "int8[]")), \(check.bind(entries.map(\.subject), "int8[]"))) \
            WITH ORDINALITY AS e(teacher_id, subject_id, n) WHERE NOT EXISTS (SELECT 1 FROM eduql.teaching_assignments ta \
            WHERE ta.staff_id = e.teacher_id AND ta.subject_id = e.subject_id AND ta.class_id = \(check.bind(klass, "int8")) \
            AND (ta.ends_on IS NULL OR ta.ends_on > current_date)) ORDER BY e.n LIMIT 1
            """), logger: self.logger).collect().first?.decode(Int.self)
        if let unassigned {
            throw WriteRefusal.invalid("\(entries[unassigned - 1].path)teacherId: does not teach this subject in the class (assignTeaching first)")
        }
        let delete = WriteStatement()
        let rule = try self.rule(.timetableEntries, .delete)
        _ = try await self.connection.guardedQuery(delete.query("""
            WITH c AS (SELECT x.id, coalesce(\(rule.sql(alias: "x")), false) AS allowed FROM eduql.timetable_entries x \
            WHERE x.class_id = \(delete.bind(klass, "int8"))) \
            DELETE FROM eduql.timetable_entries x USING c WHERE x.id = c.id AND c.allowed
            """), logger: self.logger).collect()
        let statement = WriteStatement()
        let source = """
            SELECT k.region_id, k.municipality_id, k.organization_id, k.id AS class_id, e.weekday, e.period, e.subject_id, e.teacher_id, nullif(e.room, '') AS room \
            FROM eduql.classes k CROSS JOIN unnest(\(statement.bind(entries.map(\.weekday), "int2[]")), \(statement.bind(entries.map(\.period), "int2[]")), \
            \(statement.bind(entries.map(\.subject), "int8[]")), \(statement.bind(entries.map(\.teacher), "int8[]")), \
            \(statement.bind(entries.map { $0.room ?? "" }, "text[]"))) AS e(weekday, period, subject_id, teacher_id, room) \
            WHERE k.id = \(statement.bind(klass, "int8")) AND \(self.policy.predicate(.classes, alias: "k"))
            """
        let query = statement.insert(into: .timetableEntries,
                                     columns: ["region_id", "municipality_id", "organization_id", "class_id", "weekday", "period", "subject_id", "teacher_id", "room"],
                                     from: source, rule: try self.rule(.timetableEntries, .insert))
        let ids = try await self.run(query, "input.classId", notFound: "not a class you can see",
                                     refused: "not yours: the class, a subject or a teacher is not your school's (or the teacher is dismissed)").ids
        return Written(type: "TimetableEntry", table: .timetableEntries, ids: ids, many: true, learnerIDs: [], rows: ids.count)
    }

    /// Refuses unless the caller's read policy sees row `id` of `table`: a write aimed outside its
    /// scope is FORBIDDEN before any input of it is judged.
    func requireVisible(_ table: Table, _ id: Int, path: String, what: String) async throws {
        try await self.requireRow(table, id, meeting: self.policy.rows[table] ?? "false", path: path, refusal: "not \(what) you can see")
    }

    /// Refuses (FORBIDDEN, naming `path`) unless row `id` of `table` meets `predicate`.
    func requireRow(_ table: Table, _ id: Int, meeting predicate: RowPredicate, path: String, refusal: String) async throws {
        let statement = WriteStatement()
        let query = statement.query("SELECT 1 FROM \(table.qualifiedName) x WHERE x.id = \(statement.bind(id, "int8")) AND \(predicate.sql(alias: "x"))")
        guard try await self.connection.guardedQuery(query, logger: self.logger).collect().first != nil else {
            throw WriteRefusal.forbidden("\(path): \(refusal)")
        }
    }

    /// `generateLessons`: the class's timetable over a date range, skipping holidays.
    func generateLessons(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let klass = try input.requiredID("classId", at: path)
        let from = try input.date("from", at: path), to = try input.date("to", at: path)
        guard from <= to else { throw WriteRefusal.invalid("\(path)to is before from") }
        guard DateScalar.days(from: from, to: to) < 366 else { throw WriteRefusal.invalid("\(path)to: at most a year of lessons at once") }
        try await self.requireVisible(.classes, klass, path: "input.classId", what: "a class")
        let statement = WriteStatement()
        let source = """
            SELECT g.* FROM eduql.classes k CROSS JOIN LATERAL eduql.generate_lesson_rows(k.id, \(statement.bind(from, "date")), \
            \(statement.bind(to, "date"))) g WHERE k.id = \(statement.bind(klass, "int8")) AND \(self.policy.predicate(.classes, alias: "k"))
            """
        let query = statement.insert(into: .lessons, columns: Self.lessonColumns, from: source, rule: try self.rule(.lessons, .insert),
                                     conflict: "ON CONFLICT (class_id, held_on, period) DO NOTHING", orderBy: "held_on, period")
        guard let row = try await self.connection.guardedQuery(query, logger: self.logger).collect().first else {
            throw WriteRefusal.forbidden("input.classId: not a class you can see")
        }
        let checked = try CheckedRows(row)
        if checked.refused > 0 { throw WriteRefusal.forbidden("input.classId: not yours — a teacher of the timetable is dismissed, or a day is outside the class's year") }
        return Written(type: "Lesson", table: .lessons, ids: checked.ids, many: true, learnerIDs: [], rows: checked.ids.count)
    }

    static let lessonColumns = ["region_id", "municipality_id", "organization_id", "class_id", "subject_id", "teacher_id", "term_id", "held_on",
                                "period", "topic", "room"]

    /// Refuses a lesson with marks or attendance, naming how many of each.
    func refuseRecordedLesson(_ lesson: Int, doing: String) async throws {
        let statement = WriteStatement()
        let row = try await self.connection.guardedQuery(statement.query("""
            SELECT (SELECT count(*) FROM eduql.marks m WHERE m.lesson_id = l.id)::int, (SELECT count(*) FROM eduql.attendance a WHERE a.lesson_id = l.id)::int, \
            l.held_on::text, l.period::int FROM eduql.lessons l WHERE l.id = \(statement.bind(lesson, "int8")) AND \(self.policy.predicate(.lessons, alias: "l"))
            """), logger: self.logger).collect().first
        guard let row else { throw WriteRefusal.forbidden("lessonId: not a lesson you can see") }
        let (marks, attendance, day, period) = try row.decode((Int, Int, String, Int).self)
        if marks + attendance > 0 {
            throw WriteRefusal.invalid("lessonId: the lesson of \(day), period \(period) has \(marks) marks and \(attendance) attendance records; it is not \(doing)")
        }
    }

    /// Updates one lesson with `changes`, under the lessons' update rule.
    func changeLesson(_ lesson: Int, _ changes: String, columns: [String], statement: WriteStatement, refused: String) async throws {
        let rule = try self.rule(.lessons, .update)
        let query = statement.update(.lessons, where: "w_old.id = \(statement.bind(lesson, "int8"))", set: changes, columns: columns, rule: rule,
                                     check: self.policy.writeRule(.lessons)?.updateCheck ?? rule)
        try await self.run(query, "lessonId", notFound: "not a lesson you can see", refused: refused)
    }

    /// `moveLesson`.
    func moveLesson(_ arguments: [String: Map]) async throws -> Written {
        let lesson = try arguments.requiredID("lessonId", at: "")
        let to = try arguments.date("to", at: "")
        guard let period = try arguments.integer("period", at: "", in: 1...10) else { throw WriteRefusal.invalid("period is required") }
        let reason = try arguments.text("reason", at: "", lengths: 1...500)!
        try await self.refuseRecordedLesson(lesson, doing: "moved")
        let statement = WriteStatement()
        let changes = """
            jsonb_build_object('held_on', \(statement.bind(to, "date")), 'period', \(statement.bind(period, "int2")), \
            'change_reason', \(statement.bind(reason, "text")), 'term_id', eduql.term_on(w_old.organization_id, \(statement.bind(to, "date"))))
            """
        try await self.changeLesson(lesson, changes, columns: ["held_on", "period", "change_reason", "term_id"], statement: statement,
                                    refused: "not yours to move, or the date is outside the class's academic year")
        return Written(type: "Lesson", table: .lessons, ids: [lesson], many: false, learnerIDs: [], rows: 1)
    }

    /// `substituteTeacher`: another active teacher of the school gives the lesson.
    func substituteTeacher(_ arguments: [String: Map]) async throws -> Written {
        let lesson = try arguments.requiredID("lessonId", at: "")
        let teacher = try arguments.requiredID("teacherId", at: "")
        let reason = try arguments.text("reason", at: "", lengths: 1...500)!
        let check = WriteStatement()
        let active = try await self.connection.guardedQuery(check.query("""
            SELECT 1 FROM eduql.staff s WHERE s.id = \(check.bind(teacher, "int8")) AND s.organization_id = eduql.current_organization_id() \
            AND s.dismissed_on IS NULL
            """), logger: self.logger).collect().first
        guard active != nil else { throw WriteRefusal.invalid("teacherId: not a teacher on your school's active staff") }
        let statement = WriteStatement()
        let changes = """
            jsonb_build_object('teacher_id', \(statement.bind(teacher, "int8")), 'change_reason', \(statement.bind(reason, "text")), \
            'substituted_teacher_id', CASE WHEN \(statement.bind(teacher, "int8")) = coalesce(w_old.substituted_teacher_id, w_old.teacher_id) THEN NULL \
            ELSE coalesce(w_old.substituted_teacher_id, w_old.teacher_id) END)
            """
        try await self.changeLesson(lesson, changes, columns: ["teacher_id", "change_reason", "substituted_teacher_id"], statement: statement,
                                    refused: "not yours to change")
        return Written(type: "Lesson", table: .lessons, ids: [lesson], many: false, learnerIDs: [], rows: 1)
    }

    /// `cancelLesson`: the lesson and its homework go; one with marks or attendance stays.
    func cancelLesson(_ arguments: [String: Map]) async throws -> Written {
        let lesson = try arguments.requiredID("lessonId", at: "")
        _ = try arguments.text("reason", at: "", lengths: 1...500)
        try await self.refuseRecordedLesson(lesson, doing: "cancelled")
        let statement = WriteStatement()
        let rule = try self.rule(.lessons, .delete)
        let query = statement.query("""
            WITH c AS (SELECT x.id, x.class_id, coalesce(\(rule.sql(alias: "x")), false) AS allowed FROM eduql.lessons x \
            WHERE x.id = \(statement.bind(lesson, "int8")) AND \(self.policy.predicate(.lessons, alias: "x"))), \
            h AS (DELETE FROM eduql.homework hw USING c WHERE hw.lesson_id = c.id AND c.allowed RETURNING hw.lesson_id), \
            w AS (DELETE FROM eduql.lessons x USING c WHERE x.id = c.id AND c.allowed \
            RETURNING c.class_id AS id, NULL::bigint AS learner_id) \
            \(WriteStatement.report)
            """)
        let checked = try await self.run(query, "lessonId", notFound: "not a lesson you can see", refused: "not yours to cancel")
        return Written(type: "Class", table: .classes, ids: checked.ids, many: false, learnerIDs: [], rows: 1)
    }
}
