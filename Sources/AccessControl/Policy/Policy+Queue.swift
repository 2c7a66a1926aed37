/// The write rules of the kindergarten queue (`../shared/domain.md`, «Kindergarten queue
/// rules»): a parent files, changes and withdraws its own applications and answers offers; the
/// municipality reviews its applications, decides claimed benefits and distributes places.
extension Policy {
    /// An application the caller filed, still waiting (new or queued).
    static let ownWaitingApplication: RowPredicate = """
        {t}.application_id IN (SELECT q.id FROM eduql.queue_applications q WHERE q.region_id = {region} AND q.applicant_guardian_id = {guardian} \
        AND q.status IN ('new', 'queued') AND q.municipality_id = {t}.municipality_id)
        """

    /// A kindergarten of the row's municipality that admits children.
    static let kindergartenOfMunicipality: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.organizations o WHERE o.region_id = {region} AND o.id = {t}.organization_id AND o.municipality_id = {t}.municipality_id \
        AND o.kind = 'kindergarten' AND o.status = 'active')
        """

    /// What a parent writes of the queue: its own applications only.
    static let parentQueueWrites: [Table: WriteRule] = [
        .queueApplications: WriteRule(
            rows: [.insert: "{t}.applicant_guardian_id = {guardian} AND {t}.status = 'new' AND {t}.priority_rank = 3",
                   .update: "{t}.applicant_guardian_id = {guardian} AND {t}.status IN ('new', 'queued', 'allocated')"],
            updatedRows: "{t}.applicant_guardian_id = {guardian} AND {t}.status IN ('queued', 'withdrawn')",
            columns: ["child_last_name", "child_first_name", "child_middle_name", "child_gender", "child_birth_date", "child_snils",
                      "desired_start_on", "benefit_category_id", "benefit_document"]),
        .queueChoices: WriteRule([.insert, .delete], rows: ownWaitingApplication.and(kindergartenOfMunicipality)),
        .queueStatusHistory: WriteRule([.insert], rows: "{t}.application_id IN (SELECT q.id FROM eduql.queue_applications q WHERE q.region_id = {region} AND q.applicant_guardian_id = {guardian})"),
        .allocations: WriteRule(rows: [.update: "{t}.application_id IN (SELECT q.id FROM eduql.queue_applications q WHERE q.region_id = {region} AND q.applicant_guardian_id = {guardian}) AND {t}.response IS NULL AND {t}.outcome = 'allocated'"],
                                updatedRows: "{t}.response IN ('refused')"),
    ]

    /// What a municipality writes of the queue: its own applications, runs and protocols.
    static let municipalityQueueWrites: [Table: WriteRule] = [
        .queueApplications: WriteRule([.update], rows: "{t}.municipality_id = {municipality}", columns: ["status", "benefit_status", "priority_rank"]),
        .queueStatusHistory: WriteRule([.insert], rows: "{t}.municipality_id = {municipality}"),
        .distributionRuns: WriteRule([.insert], rows: """
            {t}.municipality_id = {municipality} AND EXISTS (SELECT 1 FROM eduql.academic_years y WHERE y.region_id = {region} AND y.id = {t}.academic_year_id AND y.region_id = {region})
            """),
        .allocations: WriteRule([.insert, .update], rows: "{t}.municipality_id = {municipality}"),
    ]

    /// The queue mutations of a parent, and of a municipality.
    static let parentQueueMutations: Set<String> = ["fileQueueApplication", "changeQueueChoices", "withdrawQueueApplication", "respondToOffer"]
    static let municipalityQueueMutations: Set<String> = ["reviewQueueApplication", "decideBenefit", "transferQueueApplication", "runDistribution"]
}
