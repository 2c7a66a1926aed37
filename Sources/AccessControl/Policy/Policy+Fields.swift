/// Field sets shared by the role tables: the public registry, and the sensitive personal fields
/// of `../shared/domain.md` (visible only to the school, the learner, its guardians and, for
/// queue work, the municipality).
extension Policy {
    static let sensitiveLearnerFields: Set<String> = [
        "birthDate", "snils", "address", "healthGroup", "citizenship", "secondCitizenship", "healthLimitation", "disabled",
    ]
    static let sensitiveGuardianFields: Set<String> = ["phone", "snils", "address"]
    static let sensitiveStaffFields: Set<String> = ["birthDate", "snils"]
    static let sensitiveApplicationFields: Set<String> = ["childBirthDate", "childSnils", "benefit", "benefitStatus", "benefitDocument"]

    /// Organizations, years, subjects, classes, staff and the plumbing every role reads.
    static let registry: [String: FieldSet] = [
        "Me": .all, "RoleAssignment": .all, "ScopeRef": .all,
        "Region": .all, "Municipality": .all, "Organization": .all, "AcademicYear": .all, "Term": .all,
        "Subject": .all, "Class": .all, "Staff": .allExcept(sensitiveStaffFields), "TeachingAssignment": .all, "KindergartenCapacity": .all,
        "Holiday": .all, "OrganizationCard": .all, "CurriculumLine": .all, "BellPeriod": .all, "TimetableEntry": .all,
        "BenefitCategory": .all, "PageInfo": .all,
        "OrganizationConnection": .all, "OrganizationEdge": .all, "LearnerConnection": .all, "LearnerEdge": .all,
    ]

    /// The kindergarten queue, whole.
    static let queue: [String: FieldSet] = [
        "QueueApplication": .all, "QueueChoice": .all, "QueueStatusChange": .all, "DistributionRun": .all,
        "Allocation": .all, "QueuePosition": .all, "ChoicePosition": .all,
        "QueueApplicationConnection": .all, "QueueApplicationEdge": .all,
    ]

    /// Journal and diary types.
    static let journal: [String: FieldSet] = [
        "Lesson": .all, "Homework": .all, "Mark": .all, "MarkCorrection": .all, "Attendance": .all, "Journal": .all,
        "Diary": .all, "DiaryDay": .all, "DiaryLesson": .all, "DiarySubject": .all,
    ]

    /// Dashboard rows and their parts.
    static let dashboards: [String: FieldSet] = [
        "StatsRow": .all, "MarkDistribution": .all, "GradeContingent": .all, "MonthMovements": .all,
        "AttendanceInPeriod": .all, "QueueAgeGroup": .all, "QueuePriorityCount": .all,
    ]

    /// The audit log of an administrator's scope.
    static let auditLog: [String: FieldSet] = [
        "AuditEvent": .all, "AuditEventConnection": .all, "AuditEventEdge": .all, "AuditChainVerification": .all,
    ]

    /// The change feed (`Query.changes`): the administrations and integration clients sync by it.
    static let changeFeed: [String: FieldSet] = ["Change": .all, "ChangePage": .all]

    /// Integration clients and their grants: the region's to administer.
    static let clientAdministration: [String: FieldSet] = [
        "IntegrationClient": .all, "IntegrationGrant": .all, "GrantedWrite": .all, "ClientCredentials": .all,
    ]

    /// The mutations of client administration.
    static let clientMutations: Set<String> = ["createIntegrationClient", "grantAccess", "rotateClientSecret", "revokeClient"]

    /// Account administration: the mutations and what they return.
    static let administration: [String: FieldSet] = [
        "Mutation": .only(accountMutations), "User": .all, "CreatedCredentials": .all, "FederatedIdentity": .all,
    ]

    /// The mutations of account administration (`AccountAdministration` checks who may grant what).
    static let accountMutations: Set<String> = ["createUser", "assignRole", "revokeRole", "resetPassword", "disableUser", "enableUser",
                                                "unlinkFederatedIdentity", "approveFederatedLink"]

    /// The municipality's say on a transfer between two of its schools.
    static let transferDecisions: Set<String> = ["confirmTransfer", "declineTransfer"]
}

extension Dictionary where Key == String, Value == FieldSet {
    /// Both tables, the right one winning.
    func merging(_ other: [String: FieldSet]) -> [String: FieldSet] {
        self.merging(other) { _, new in new }
    }

    /// This table without the types named.
    func removing(_ types: Set<String>) -> [String: FieldSet] {
        self.filter { !types.contains($0.key) }
    }
}
