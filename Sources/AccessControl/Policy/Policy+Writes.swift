/// The write rules of the roles that keep the journal (`../shared/domain.md`, «Journal rules»):
/// marks and attendance of lessons. Every predicate reads the row as it would be written
/// (`{t}`: its `lesson_id`, `learner_id`, `kind`); the lesson itself is joined by id.
extension Policy {
    /// The learner was enrolled in the lesson's class on the lesson's date — for every role.
    static let enrolledOnLessonDate: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.lessons l JOIN eduql.enrollments e ON e.class_id = l.class_id \
        WHERE l.id = {t}.lesson_id AND e.learner_id = {t}.learner_id AND e.enrolled_on <= l.held_on \
        AND (e.left_on IS NULL OR e.left_on > l.held_on))
        """

    /// A lesson of the caller's own teaching assignments, held no longer ago than its region's
    /// edit window (`regions.journal_edit_days`, default 3) and not in the future.
    static let ownRecentLesson: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.lessons l WHERE l.id = {t}.lesson_id AND \(taughtLesson("l").template) \
        AND l.held_on <= current_date \
        AND l.held_on >= current_date - (SELECT r.journal_edit_days FROM eduql.regions r WHERE r.id = {region}))
        """

    /// A lesson of the caller's organization in the academic year under way, held by today.
    static let schoolLessonThisYear: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.lessons l JOIN eduql.classes k ON k.id = l.class_id \
        JOIN eduql.academic_years y ON y.id = k.academic_year_id \
        WHERE l.id = {t}.lesson_id AND l.organization_id = {organization} AND l.held_on <= current_date \
        AND current_date BETWEEN y.starts_on AND y.ends_on)
        """

    /// A lesson (`{t}.lesson_id`, or the lesson itself: `{t}.id`) of the caller's own teaching
    /// assignments, not older than its region's edit window: its topic and homework may be set
    /// ahead of it too.
    static func ownLessonInWindow(_ lesson: String) -> RowPredicate {
        RowPredicate("""
            EXISTS (SELECT 1 FROM eduql.lessons l WHERE l.id = {t}.\(lesson) AND \(taughtLesson("l").template) \
            AND l.held_on >= current_date - (SELECT r.journal_edit_days FROM eduql.regions r WHERE r.id = {region}))
            """)
    }

    /// A lesson of the caller's organization in the academic year under way.
    static func schoolLessonOfThisYear(_ lesson: String) -> RowPredicate {
        RowPredicate("""
            EXISTS (SELECT 1 FROM eduql.lessons l JOIN eduql.classes k ON k.id = l.class_id \
            JOIN eduql.academic_years y ON y.id = k.academic_year_id \
            WHERE l.id = {t}.\(lesson) AND l.organization_id = {organization} AND current_date BETWEEN y.starts_on AND y.ends_on)
            """)
    }

    /// Marks given in a lesson: current and test marks (term and year marks are not a lesson's).
    static let lessonMarkKinds: RowPredicate = "{t}.kind IN ('current', 'test')"

    /// A teacher (homeroom teachers too: only their own subjects) writes the marks and
    /// attendance of its own lessons within the edit window.
    static let teacherWrites: [Table: WriteRule] = [
        .marks: WriteRule(rows: ownRecentLesson.and(enrolledOnLessonDate).and(lessonMarkKinds),
                          columns: ["learner_id", "value", "kind", "weight"]),
        .attendance: WriteRule(rows: ownRecentLesson.and(enrolledOnLessonDate), columns: ["learner_id", "code"]),
        .lessons: WriteRule(rows: ownLessonInWindow("id"), columns: ["topic"]),
        .homework: WriteRule(rows: ownLessonInWindow("lesson_id"), columns: ["assignment", "due_on"]),
    ]

    /// A school administrator writes any lesson of its school in the current academic year.
    static let schoolWrites: [Table: WriteRule] = [
        .marks: WriteRule(rows: schoolLessonThisYear.and(enrolledOnLessonDate).and(lessonMarkKinds),
                          columns: ["learner_id", "value", "kind", "weight"]),
        .attendance: WriteRule(rows: schoolLessonThisYear.and(enrolledOnLessonDate), columns: ["learner_id", "code"]),
        .lessons: WriteRule(rows: schoolLessonOfThisYear("id"), columns: ["topic"]),
        .homework: WriteRule(rows: schoolLessonOfThisYear("lesson_id"), columns: ["assignment", "due_on"]),
    ]

    /// The journal mutations, for the roles that keep the journal.
    static let journalMutations: [String: FieldSet] = ["Mutation": .only(["recordMarks", "recordAttendance", "setLessonTopic", "setHomework"])]
}
