/// The write rules of the roles that keep the journal (`../shared/domain.md`, «Journal rules»):
/// marks, attendance, topics and homework of lessons, and term and year marks. Every predicate
/// reads the row as it would be written (`{t}`: its `lesson_id`, `learner_id`, `kind`, `class_id`,
/// `subject_id`, `term_id`); the lesson, term and class are joined by id.
extension Policy {
    /// The learner was enrolled in the lesson's class on the lesson's date — for every role.
    static let enrolledOnLessonDate: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.lessons l JOIN eduql.enrollments e ON e.region_id = {region} AND e.class_id = l.class_id \
        WHERE l.id = {t}.lesson_id AND e.learner_id = {t}.learner_id AND e.enrolled_on <= l.held_on \
        AND (e.left_on IS NULL OR e.left_on > l.held_on))
        """

    /// The region's edit window in days (`regions.journal_edit_days`, default 3).
    static let editDays = "(SELECT r.journal_edit_days FROM eduql.regions r WHERE r.id = {region})"

    /// A lesson of the caller's own teaching assignments, held no longer ago than its region's
    /// edit window and not in the future.
    static let ownRecentLesson: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.lessons l WHERE l.region_id = {region} AND l.id = {t}.lesson_id AND (\(taughtLesson("l").template) OR l.teacher_id = {staff}) \
        AND l.held_on <= current_date AND l.held_on >= current_date - \(editDays))
        """

    /// A lesson of the caller's organization in the academic year under way, held by today.
    static let schoolLessonThisYear: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.lessons l JOIN eduql.classes k ON k.region_id = {region} AND k.id = l.class_id \
        JOIN eduql.academic_years y ON y.region_id = {region} AND y.id = k.academic_year_id \
        WHERE l.id = {t}.lesson_id AND l.organization_id = {organization} AND l.held_on <= current_date \
        AND current_date BETWEEN y.starts_on AND y.ends_on)
        """

    /// A lesson (`{t}.lesson_id`, or the lesson itself: `{t}.id`) of the caller's own teaching
    /// assignments, not older than its region's edit window: its topic and homework may be set
    /// ahead of it too.
    static func ownLessonInWindow(_ lesson: String) -> RowPredicate {
        RowPredicate("""
            EXISTS (SELECT 1 FROM eduql.lessons l WHERE l.region_id = {region} AND l.id = {t}.\(lesson) AND (\(taughtLesson("l").template) OR l.teacher_id = {staff}) \
            AND l.held_on >= current_date - \(editDays))
            """)
    }

    /// A lesson of the caller's organization in the academic year under way.
    static func schoolLessonOfThisYear(_ lesson: String) -> RowPredicate {
        RowPredicate("""
            EXISTS (SELECT 1 FROM eduql.lessons l JOIN eduql.classes k ON k.region_id = {region} AND k.id = l.class_id \
            JOIN eduql.academic_years y ON y.region_id = {region} AND y.id = k.academic_year_id \
            WHERE l.id = {t}.\(lesson) AND l.organization_id = {organization} AND current_date BETWEEN y.starts_on AND y.ends_on)
            """)
    }

    /// Marks given in a lesson: current and test marks.
    static let lessonMarkKinds: RowPredicate = "{t}.kind IN ('current', 'test') AND {t}.lesson_id IS NOT NULL"

    /// Term and year marks, which belong to no lesson; a year mark is given in the year's last term.
    static let finalMarkKinds: RowPredicate = """
        {t}.kind IN ('term', 'year') AND {t}.lesson_id IS NULL AND ({t}.kind = 'term' OR NOT EXISTS (\
        SELECT 1 FROM eduql.terms tm JOIN eduql.terms later ON later.region_id = {region} AND later.academic_year_id = tm.academic_year_id \
        AND later.scheme = tm.scheme AND later.organization_id IS NOT DISTINCT FROM tm.organization_id AND later.number > tm.number \
        WHERE tm.id = {t}.term_id))
        """

    /// The term belongs to the class's academic year, the subject is taught in the class, and the
    /// learner was enrolled in the class at some time during the term.
    static let enrolledInTermOfClass: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.classes k JOIN eduql.terms tm ON tm.region_id = {region} AND tm.academic_year_id = k.academic_year_id \
        AND (tm.organization_id = k.organization_id OR (tm.organization_id IS NULL AND NOT EXISTS (SELECT 1 FROM eduql.terms own \
        WHERE own.region_id = {region} AND own.academic_year_id = tm.academic_year_id AND own.organization_id = k.organization_id))) \
        JOIN eduql.enrollments e ON e.region_id = {region} AND e.class_id = k.id WHERE k.id = {t}.class_id AND tm.id = {t}.term_id \
        AND e.learner_id = {t}.learner_id AND e.enrolled_on <= tm.ends_on AND (e.left_on IS NULL OR e.left_on > tm.starts_on)) \
        AND EXISTS (SELECT 1 FROM eduql.teaching_assignments ta WHERE ta.region_id = {region} AND ta.class_id = {t}.class_id AND ta.subject_id = {t}.subject_id)
        """

    /// A term and subject the caller teaches the class, from the term's start to its region's edit
    /// window after its end.
    static let ownTermInWindow: RowPredicate = """
        \(taughtLesson("{t}").template) AND EXISTS (SELECT 1 FROM eduql.terms tm WHERE tm.region_id = {region} AND tm.id = {t}.term_id \
        AND current_date BETWEEN tm.starts_on AND tm.ends_on + \(editDays))
        """

    /// A class of the caller's organization in the academic year under way.
    static let schoolClassThisYear: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.classes k JOIN eduql.academic_years y ON y.region_id = {region} AND y.id = k.academic_year_id \
        WHERE k.id = {t}.class_id AND k.organization_id = {organization} AND current_date BETWEEN y.starts_on AND y.ends_on)
        """

    /// A teacher (homeroom teachers too: only their own subjects) writes, corrects and removes the
    /// marks and attendance of its own lessons within the edit window, and the term and year marks
    /// of its own class subjects from the term's start to the window after its end.
    static let teacherWrites: [Table: WriteRule] = [
        .marks: WriteRule([.insert, .update, .delete],
                          rows: lessonMarkKinds.and(ownRecentLesson).and(enrolledOnLessonDate)
                              .or(finalMarkKinds.and(ownTermInWindow).and(enrolledInTermOfClass)),
                          columns: ["learner_id", "value", "kind", "weight"]),
        .attendance: WriteRule([.insert, .update, .delete], rows: ownRecentLesson.and(enrolledOnLessonDate), columns: ["learner_id", "code"]),
        .lessons: WriteRule([.update], rows: ownLessonInWindow("id"), columns: ["topic"]),
        .homework: WriteRule([.insert, .update], rows: ownLessonInWindow("lesson_id"), columns: ["assignment", "due_on"]),
    ]

    /// A school administrator writes any lesson and any final mark of its school in the current
    /// academic year.
    static let schoolWrites: [Table: WriteRule] = [
        .marks: WriteRule([.insert, .update, .delete],
                          rows: lessonMarkKinds.and(schoolLessonThisYear).and(enrolledOnLessonDate)
                              .or(finalMarkKinds.and(schoolClassThisYear).and(enrolledInTermOfClass)),
                          columns: ["learner_id", "value", "kind", "weight"]),
        .attendance: WriteRule([.insert, .update, .delete], rows: schoolLessonThisYear.and(enrolledOnLessonDate), columns: ["learner_id", "code"]),
        .lessons: WriteRule([.update], rows: schoolLessonOfThisYear("id"), columns: ["topic"]),
        .homework: WriteRule([.insert, .update], rows: schoolLessonOfThisYear("lesson_id"), columns: ["assignment", "due_on"]),
    ]

    /// The journal mutations, for the roles that keep the journal.
    static let journalMutations: [String: FieldSet] = [
        "Mutation": .only(["recordMarks", "recordAttendance", "setLessonTopic", "setHomework", "correctMark", "deleteMark", "recordFinalMarks"]),
    ]
}
