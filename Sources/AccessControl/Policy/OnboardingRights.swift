/// What a role may do in bulk, as data beside its read and write rules: the sheets an import
/// may bring in, whether it may export its scope's records as those sheets, and whether it may
/// roll its scope's academic year over. The database's tenancy bounds all three to the role's
/// scope (region, municipality or organization).
public struct OnboardingRights: Sendable, Equatable {
    public var importSheets: Set<String>
    public var exports: Bool
    public var rollover: Bool

    public init(importSheets: Set<String> = [], exports: Bool = false, rollover: Bool = false) {
        self.importSheets = importSheets
        self.exports = exports
        self.rollover = rollover
    }

    /// Nothing in bulk (teachers, parents, students, integration clients).
    public static let none = OnboardingRights()

    /// The sheets of an organization's own records.
    static let organizationSheets: Set<String> = ["staff", "classes", "learners", "guardians", "guardian_links", "enrollments",
                                                  "teaching_assignments", "timetable"]

    /// A region: everything, its municipalities, years and subject directory too.
    static let region = OnboardingRights(importSheets: organizationSheets.union(["municipalities", "years", "subjects", "organizations"]),
                                         exports: true, rollover: true)
    /// A municipality: its organizations and their records.
    static let municipality = OnboardingRights(importSheets: organizationSheets.union(["organizations"]), exports: true, rollover: true)
    /// A school or kindergarten: its own records.
    static let organization = OnboardingRights(importSheets: organizationSheets, exports: true, rollover: true)
}
