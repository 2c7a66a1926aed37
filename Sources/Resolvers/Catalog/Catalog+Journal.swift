import EduQLAccessControl
import GraphQL

/// Lessons, homework, marks and attendance.
extension Catalog {
    static let journal: [String: [String: FieldSource]] = [
        "Lesson": [
            "id": id(), "heldOn": column("held_on"), "period": column("period"), "topic": column("topic"),
            "subject": one("Subject", .subjects, "{c}.id = {t}.subject_id"),
            "teacher": one("Staff", .staff, "{c}.id = {t}.teacher_id"),
            "class": one("Class", .classes, "{c}.id = {t}.class_id"),
            "term": one("Term", .terms, "{c}.id = {t}.term_id"),
            "homework": one("Homework", .homework, "{c}.lesson_id = {t}.id"),
            "room": column("room"),
            "substitutedTeacher": one("Staff", .staff, "{c}.id = {t}.substituted_teacher_id"),
            "marks": many("Mark", .marks, "{c}.lesson_id = {t}.id", orderBy: "{c}.learner_id, {c}.id"),
            "attendance": many("Attendance", .attendance, "{c}.lesson_id = {t}.id", orderBy: "{c}.learner_id"),
        ],
        "Homework": ["assignment": column("assignment"), "dueOn": column("due_on")],
        "Mark": [
            "id": id(), "value": column("value"), "kind": enumeration("kind"), "weight": column("weight"),
            "givenOn": column("given_on"),
            "subject": one("Subject", .subjects, "{c}.id = {t}.subject_id"),
            "term": one("Term", .terms, "{c}.id = {t}.term_id"),
            "lesson": one("Lesson", .lessons, "{c}.id = {t}.lesson_id"),
            "learner": one("Learner", .learners, "{c}.id = {t}.learner_id"),
            "history": many("MarkCorrection", .markHistory, "{c}.mark_id = {t}.id", orderBy: "{c}.changed_at, {c}.id"),
        ],
        "MarkCorrection": [
            "markId": id("mark_id"), "changedAt": column("changed_at"), "changedBy": column("changed_by_name"),
            "oldValue": column("old_value"), "newValue": column("new_value"), "oldWeight": column("old_weight"),
            "newWeight": column("new_weight"), "reason": column("reason"), "kind": enumeration("kind"),
            "subject": one("Subject", .subjects, "{c}.id = {t}.subject_id"),
            "lesson": one("Lesson", .lessons, "{c}.id = {t}.lesson_id"),
        ],
        "Attendance": [
            "code": enumeration("code"),
            "lesson": one("Lesson", .lessons, "{c}.id = {t}.lesson_id"),
            "learner": one("Learner", .learners, "{c}.id = {t}.learner_id"),
        ],
    ]
}
