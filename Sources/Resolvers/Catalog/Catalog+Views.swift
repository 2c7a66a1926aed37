import EduQLAccessControl
import GraphQL

/// Types that are views rather than tables: who is asking, a learner's diary, a class journal,
/// a queue position. Their rows come from the root compilers in `Catalog+Query.swift`.
extension Catalog {
    static let views: [String: [String: FieldSource]] = [
        "Me": [
            "kind": column("kind"), "name": column("name"), "role": column("role"),
            "scope": scopeRef("{t}.region_id, {t}.municipality_id, {t}.organization_id, {t}.class_id"),
            "roles": .relation(Relation("RoleAssignment", table: nil, on: "{c}.region_id = {region} AND {c}.user_id = {t}.user_id AND {c}.revoked_at IS NULL",
                                        many: true, orderBy: "{c}.id").from(SQLTemplate(verbatim: Table.roleAssignments.qualifiedName))),
            "staff": one("Staff", .staff, "{c}.id = {t}.staff_id"),
        ],
        "Diary": [
            "learner": one("Learner", .learners, "{c}.id = {t}.id"),
            "from": column("diary_from"), "to": column("diary_to"),
            "days": .relation(Relation(
                "DiaryDay", table: nil,
                from: """
                    (SELECT DISTINCT l.held_on, {t}.id AS learner_id FROM eduql.lessons l \
                    WHERE l.region_id = {region} AND l.held_on BETWEEN {t}.diary_from AND {t}.diary_to AND {rows:lessons:l} \
                    AND EXISTS (SELECT 1 FROM eduql.enrollments e WHERE e.region_id = {region} AND e.learner_id = {t}.id AND e.class_id = l.class_id \
                    AND l.held_on >= e.enrolled_on AND (e.left_on IS NULL OR l.held_on <= e.left_on)))
                    """,
                on: nil, many: true, orderBy: "{c}.held_on")),
            "subjects": diarySubjects,
        ],
        "DiarySubject": diarySubject,
        "DiaryDay": [
            "date": column("held_on"),
            "lessons": .relation(Relation(
                "DiaryLesson", table: .lessons,
                from: "(SELECT l.*, {t}.learner_id AS diary_learner_id FROM eduql.lessons l WHERE l.region_id = {region} AND l.held_on = {t}.held_on)",
                on: """
                    EXISTS (SELECT 1 FROM eduql.enrollments e WHERE e.region_id = {region} AND e.learner_id = {c}.diary_learner_id AND e.class_id = {c}.class_id \
                    AND {c}.held_on >= e.enrolled_on AND (e.left_on IS NULL OR {c}.held_on <= e.left_on))
                    """,
                many: true, orderBy: "{c}.period")),
        ],
        "DiaryLesson": [
            "period": column("period"), "topic": column("topic"),
            "subject": one("Subject", .subjects, "{c}.id = {t}.subject_id"),
            "teacher": one("Staff", .staff, "{c}.id = {t}.teacher_id"),
            "homework": one("Homework", .homework, "{c}.lesson_id = {t}.id"),
            "room": column("room"),
            "marks": many("Mark", .marks, "{c}.lesson_id = {t}.id AND {c}.learner_id = {t}.diary_learner_id", orderBy: "{c}.id"),
            "attendance": .custom { compilation, _, parent in
                let alias = compilation.sql.alias()
                return """
                    (SELECT upper(\(alias).code) FROM eduql.attendance \(alias) WHERE \(alias).lesson_id = \(parent).id \
                    AND \(alias).learner_id = \(parent).diary_learner_id AND (\(compilation.policy.predicate(.attendance, alias: alias))))
                    """
            },
        ],
        "Journal": [
            "class": one("Class", .classes, "{c}.id = {t}.class_id"),
            "subject": one("Subject", .subjects, "{c}.id = {t}.subject_id"),
            "from": column("journal_from"), "to": column("journal_to"),
            "lessons": many("Lesson", .lessons, """
                {c}.class_id = {t}.class_id AND {c}.subject_id = {t}.subject_id AND {c}.held_on BETWEEN {t}.journal_from AND {t}.journal_to
                """, orderBy: "{c}.held_on, {c}.period"),
            "learners": many("Learner", .learners,
                             "{c}.id IN (SELECT e.learner_id FROM eduql.enrollments e WHERE e.region_id = {region} AND e.class_id = {t}.class_id AND e.status = 'active')",
                             orderBy: "{c}.last_name, {c}.first_name, {c}.id"),
            "finalMarks": many("Mark", .marks, "{c}.class_id = {t}.class_id AND {c}.subject_id = {t}.subject_id AND {c}.kind IN ('term', 'year', 'exam')",
                               orderBy: "{c}.learner_id, {c}.term_id, {c}.id") { arguments, builder, alias in
                guard let term = try arguments.id("termId") else { return [] }
                return ["\(alias).term_id = \(builder.bind(term))"]
            },
        ],
        "QueuePosition": [
            "application": one("QueueApplication", .queueApplications, "{c}.id = {t}.id"),
            "overall": .column("""
                CASE WHEN {t}.status = 'queued' THEN (SELECT count(*) FROM eduql.queue_applications o WHERE o.region_id = {region} AND o.status = 'queued' \
                AND o.municipality_id = {t}.municipality_id AND o.age_group = {t}.age_group \
                AND (o.priority_rank, o.registered_at, o.id) <= ({t}.priority_rank, {t}.registered_at, {t}.id))::int ELSE 0 END
                """),
            "queued": .column("""
                (SELECT count(*) FROM eduql.queue_applications o WHERE o.region_id = {region} AND o.status = 'queued' \
                AND o.municipality_id = {t}.municipality_id AND o.age_group = {t}.age_group)::int
                """),
            "byChoice": .relation(Relation(
                "ChoicePosition", table: .queueChoices,
                from: """
                    (SELECT ch.*, q.status FROM eduql.queue_application_choices ch JOIN eduql.queue_applications q ON q.region_id = {region} AND q.id = ch.application_id WHERE ch.region_id = {region})
                    """,
                on: "{c}.application_id = {t}.id", many: true, orderBy: "{c}.rank")),
        ],
        "ChoicePosition": [
            "rank": column("rank"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
            "position": .column("""
                CASE WHEN {t}.status = 'queued' THEN (SELECT count(*) FROM eduql.queue_application_choices oc \
                WHERE oc.region_id = {region} AND oc.organization_id = {t}.organization_id AND oc.queued AND oc.age_group = {t}.age_group \
                AND (oc.priority_rank, oc.registered_at, oc.application_id) <= ({t}.priority_rank, {t}.registered_at, {t}.application_id))::int ELSE 0 END
                """),
            "freePlaces": .column("""
                (SELECT coalesce(sum(greatest(kc.capacity - kc.occupied - (SELECT count(*) FROM eduql.allocations l \
                JOIN eduql.queue_applications q ON q.region_id = {region} AND q.id = l.application_id JOIN eduql.distribution_runs r ON r.region_id = {region} AND r.id = l.run_id \
                WHERE l.region_id = {region} AND l.organization_id = kc.organization_id AND l.age_group = kc.age_group AND r.academic_year_id = kc.academic_year_id \
                AND l.outcome = 'allocated' AND l.response IS NULL AND q.status = 'allocated'), 0)), 0)::int FROM eduql.kindergarten_capacities kc \
                WHERE kc.region_id = {region} AND kc.organization_id = {t}.organization_id AND kc.age_group = {t}.age_group AND kc.academic_year_id = \
                (SELECT ay.id FROM eduql.academic_years ay WHERE ay.region_id = {region} ORDER BY (current_date BETWEEN ay.starts_on AND ay.ends_on) DESC, ay.starts_on DESC LIMIT 1))
                """),
        ],
    ]
}

extension Relation {
    /// The same relation read from another FROM item.
    func from(_ from: SQLTemplate) -> Relation {
        var copy = self
        copy.from = from
        return copy
    }
}
