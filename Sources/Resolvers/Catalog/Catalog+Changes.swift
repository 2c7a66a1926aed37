import EduQLAccessControl

/// The change feed's rows: `{t}` is a row of `eduql.changes`; each node is read under the
/// policy's predicate for its own table, so a row the caller cannot read (any more) is null.
extension Catalog {
    static let changes: [String: [String: FieldSource]] = [
        "Change": [
            "cursor": .column(SQLTemplate(parsing: ChangeCursor.sql(transaction: "{t}.xid", sequence: "{t}.seq"))),
            "type": .column("upper({t}.entity)"),
            "operation": enumeration("operation"),
            "id": id("row_id"),
            "learnerId": id("learner_id"),
            "changedAt": column("changed_at"),
            "learner": node("Learner", .learners, .learner),
            "enrollment": node("Enrollment", .enrollments, .enrollment),
            "movement": node("Movement", .movements, .movement),
            "mark": node("Mark", .marks, .mark),
            "attendance": node("Attendance", .attendance, .attendance),
            "lesson": one("Lesson", .lessons, "{c}.id = {t}.row_id AND {t}.entity IN ('homework', 'attendance', 'lesson') AND {t}.operation <> 'delete'"),
            "queueApplication": node("QueueApplication", .queueApplications, .queueApplication),
            "organization": node("Organization", .organizations, .organization),
            "class": node("Class", .classes, .class),
            "staff": node("Staff", .staff, .staff),
            "teachingAssignment": node("TeachingAssignment", .teachingAssignments, .teachingAssignment),
            "guardianLink": node("GuardianLink", .guardianLearners, .guardianLink),
            "curriculumLine": node("CurriculumLine", .curriculumLines, .curriculumLine),
            "timetableEntry": node("TimetableEntry", .timetableEntries, .timetableEntry),
            "term": node("Term", .terms, .term),
            "guardian": node("Guardian", .guardians, .guardian),
            "statisticalReport": node("StatisticalReport", .formReports, .formReport),
        ],
    ]

    /// The row a change names, as it is now, unless the change deleted it.
    static func node(_ type: String, _ table: Table, _ kind: ChangeKind) -> FieldSource {
        one(type, table, SQLTemplate(parsing: kind.key(row: "{c}", change: "{t}") + " AND {t}.entity = '\(kind.rawValue)' AND {t}.operation <> 'delete'"))
    }
}
