import EduQLAccessControl

/// `Diary.subjects`: for the term the diary's last day falls in (the learner's organization's
/// own terms where it has them), each subject the learner had lessons in, with the weighted
/// average of its lesson marks and the term and year marks. Every row is read under the
/// policy's predicates for lessons and marks.
extension Catalog {
    static let diarySubjects: FieldSource = .relation(Relation(
        "DiarySubject", table: nil,
        from: """
            (SELECT DISTINCT l.subject_id, tm.id AS term_id, tm.academic_year_id, {t}.id AS learner_id \
            FROM eduql.terms tm JOIN eduql.lessons l ON l.region_id = {region} AND l.term_id = tm.id \
            WHERE tm.region_id = {region} AND tm.id = eduql.term_on({region}, {t}.organization_id, {t}.diary_to) AND l.held_on <= {t}.diary_to AND {rows:lessons:l} \
            AND EXISTS (SELECT 1 FROM eduql.enrollments e WHERE e.region_id = {region} AND e.learner_id = {t}.id AND e.class_id = l.class_id \
            AND l.held_on >= e.enrolled_on AND (e.left_on IS NULL OR l.held_on <= e.left_on)))
            """,
        on: nil, many: true, orderBy: "{c}.subject_id"))

    static let diarySubject: [String: FieldSource] = [
        "subject": one("Subject", .subjects, "{c}.id = {t}.subject_id"),
        "term": one("Term", .terms, "{c}.id = {t}.term_id"),
        "weightedAverage": .custom { compilation, _, parent in
            let mark = compilation.sql.alias()
            return """
                (SELECT round(sum(\(mark).value * \(mark).weight)::numeric / nullif(sum(\(mark).weight), 0), 2) FROM eduql.marks \(mark) \
                WHERE \(mark).learner_id = \(parent).learner_id AND \(mark).subject_id = \(parent).subject_id \
                AND \(mark).term_id = \(parent).term_id AND \(mark).kind IN ('current', 'test') AND (\(compilation.policy.predicate(.marks, alias: mark))))
                """
        },
        "markCount": .custom { compilation, _, parent in
            let mark = compilation.sql.alias()
            return """
                (SELECT count(*)::int FROM eduql.marks \(mark) WHERE \(mark).learner_id = \(parent).learner_id \
                AND \(mark).subject_id = \(parent).subject_id AND \(mark).term_id = \(parent).term_id \
                AND \(mark).kind IN ('current', 'test') AND (\(compilation.policy.predicate(.marks, alias: mark))))
                """
        },
        "termMark": one("Mark", .marks, """
            {c}.learner_id = {t}.learner_id AND {c}.subject_id = {t}.subject_id AND {c}.term_id = {t}.term_id AND {c}.kind = 'term'
            """),
        "yearMark": one("Mark", .marks, """
            {c}.learner_id = {t}.learner_id AND {c}.subject_id = {t}.subject_id AND {c}.kind = 'year' \
            AND {c}.term_id IN (SELECT yt.id FROM eduql.terms yt WHERE yt.region_id = {region} AND yt.academic_year_id = {t}.academic_year_id)
            """),
    ]
}
