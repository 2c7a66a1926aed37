import EduQLAccessControl

/// What the change feed carries: each kind of row with the table and GraphQL type it is read
/// by (a caller sees a kind's changes only where its policy reads both).
enum ChangeKind: String, CaseIterable, Sendable {
    case learner, enrollment, movement, mark, attendance, homework
    case queueApplication = "queue_application"
    case organization, `class`, staff
    case teachingAssignment = "teaching_assignment"
    case lesson
    case guardianLink = "guardian_link"
    case curriculumLine = "curriculum_line"
    case timetableEntry = "timetable_entry"
    case term, guardian
    case formReport = "form_report"

    /// The `ChangeType` value.
    var typeName: String { self.rawValue.uppercased() }

    var table: Table {
        switch self {
        case .learner: .learners
        case .enrollment: .enrollments
        case .movement: .movements
        case .mark: .marks
        case .attendance: .attendance
        case .homework: .homework
        case .queueApplication: .queueApplications
        case .organization: .organizations
        case .class: .classes
        case .staff: .staff
        case .teachingAssignment: .teachingAssignments
        case .lesson: .lessons
        case .guardianLink: .guardianLearners
        case .curriculumLine: .curriculumLines
        case .timetableEntry: .timetableEntries
        case .term: .terms
        case .guardian: .guardians
        case .formReport: .formReports
        }
    }

    /// The GraphQL type its rows are read as.
    var type: String {
        switch self {
        case .learner: "Learner"
        case .enrollment: "Enrollment"
        case .movement: "Movement"
        case .mark: "Mark"
        case .attendance: "Attendance"
        case .homework: "Homework"
        case .queueApplication: "QueueApplication"
        case .organization: "Organization"
        case .class: "Class"
        case .staff: "Staff"
        case .teachingAssignment: "TeachingAssignment"
        case .lesson: "Lesson"
        case .guardianLink: "GuardianLink"
        case .curriculumLine: "CurriculumLine"
        case .timetableEntry: "TimetableEntry"
        case .term: "Term"
        case .guardian: "Guardian"
        case .formReport: "StatisticalReport"
        }
    }

    /// The condition that row `row` is the one change `change` names.
    func key(row: String, change: String) -> String {
        switch self {
        case .attendance: "\(row).lesson_id = \(change).row_id AND \(row).learner_id = \(change).learner_id"
        case .guardianLink: "\(row).guardian_id = \(change).row_id AND \(row).learner_id = \(change).learner_id"
        case .homework: "\(row).lesson_id = \(change).row_id"
        default: "\(row).id = \(change).row_id"
        }
    }

    /// The kinds `policy` reads.
    static func readable(by policy: Policy) -> [ChangeKind] {
        Self.allCases.filter { policy.rows[$0.table] != nil && policy.types[$0.type] != nil && !policy.answersOnly.contains($0.table) }
    }
}
