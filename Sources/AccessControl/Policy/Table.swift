/// A table the query engine reads, as the policy names it.
public enum Table: String, Sendable, CaseIterable, Hashable {
    case regions, municipalities, organizations
    case academicYears = "academic_years"
    case terms, subjects, classes
    case kindergartenCapacities = "kindergarten_capacities"
    case learners, guardians
    case guardianLearners = "guardian_learners"
    case staff
    case teachingAssignments = "teaching_assignments"
    case enrollments, movements, lessons, homework, marks, attendance
    case markHistory = "mark_history"
    case transfers
    case benefitCategories = "benefit_categories"
    case queueApplications = "queue_applications"
    case queueChoices = "queue_application_choices"
    case queueStatusHistory = "queue_status_history"
    case distributionRuns = "distribution_runs"
    case allocations, users
    case roleAssignments = "role_assignments"
    case federatedIdentities = "federated_identities"
    case auditEvents = "audit_events"
    case integrationClients = "integration_clients"
    case integrationGrants = "integration_grants"
    /// The change feed: one row per captured insert, update or deletion (migration 0022).
    case changes
    // Rollups: the dashboards' counts, kept current by triggers on the tables above.
    case rollupMarks = "rollup_marks"
    case rollupLessons = "rollup_lessons"
    case rollupAttendance = "rollup_attendance"
    case rollupContingent = "rollup_contingent"
    case rollupMovements = "rollup_movements"
    case rollupQueue = "rollup_queue"
    case rollupQueueChoices = "rollup_queue_choices"
    case rollupLessonDays = "rollup_lesson_days"
    case rollupAttendanceDays = "rollup_attendance_days"
    case rollupSubjectMarks = "rollup_subject_marks"
    // The rollups per organization (views over stored rows and the class level, migration 0042).
    case rollupOrganizationYears = "rollup_organization_years"
    case rollupOrganizationTerms = "rollup_organization_terms"
    case rollupOrganizationBlocks = "rollup_organization_blocks"
    /// Which classes complementary suppression withholds together (migration 0014).
    case suppressionBlocks = "suppression_blocks"
    // The school year (migration 0024).
    case organizationCards = "organization_cards"
    case holidays
    case curriculumLines = "curriculum_lines"
    case bellPeriods = "bell_periods"
    case timetableEntries = "timetable_entries"
    // Statistical forms (migration 0035).
    case formReports = "form_reports"
    case formReportCells = "form_report_cells"
    case formReportHistory = "form_report_history"

    /// The qualified name to print in SQL.
    public var qualifiedName: String { "eduql.\(self.rawValue)" }

    /// The relation a dashboard reads this rollup from: the journal's rollups (migration 0043)
    /// through their views, which add the pending rows to the stored ones; others as they are.
    public var readName: String {
        switch self {
        case .rollupMarks, .rollupSubjectMarks, .rollupAttendance, .rollupAttendanceDays: "eduql.\(self.rawValue)_now"
        default: self.qualifiedName
        }
    }
}

extension Table {
    /// Whether rows carry `municipality_id` (the municipality they belong to).
    public var hasMunicipality: Bool {
        switch self {
        case .regions, .academicYears, .terms, .subjects, .holidays, .guardians, .guardianLearners, .users, .integrationClients,
             .integrationGrants, .federatedIdentities: false
        case .municipalities: false
        default: true
        }
    }

    /// Whether rows carry `organization_id` (the organization they belong to).
    public var hasOrganization: Bool {
        switch self {
        case .classes, .kindergartenCapacities, .learners, .staff, .teachingAssignments, .enrollments, .movements,
             .lessons, .homework, .marks, .markHistory, .transfers, .attendance, .queueChoices, .roleAssignments, .auditEvents,
             .rollupMarks, .rollupLessons, .rollupAttendance, .rollupContingent, .rollupMovements, .rollupQueueChoices,
             .rollupLessonDays, .rollupAttendanceDays, .rollupSubjectMarks, .rollupOrganizationYears, .rollupOrganizationTerms,
             .rollupOrganizationBlocks, .suppressionBlocks, .changes,
             .organizationCards, .curriculumLines, .bellPeriods, .timetableEntries, .terms, .subjects, .holidays,
             .formReports, .formReportCells, .formReportHistory:
            true
        default: false
        }
    }

    /// Whether the table holds dashboard counts (a rollup, or the suppression blocks) rather than
    /// rows of its own.
    public var isDashboardCount: Bool {
        self.rawValue.hasPrefix("rollup_") || self == .suppressionBlocks
    }

    /// Whether an unset municipality or organization means the row belongs to the whole region
    /// (federal and regional benefit categories, region-wide assignments, the region's terms,
    /// holidays and subject directory beside an organization's own).
    public var scopeIsNullable: Bool {
        switch self {
        case .benefitCategories, .roleAssignments, .terms, .subjects, .holidays: true
        default: false
        }
    }
}
