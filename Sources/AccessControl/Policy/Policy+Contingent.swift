/// The write rules of the contingent (`../shared/domain.md`, «contingent»): a school admits,
/// moves between its classes, expels and graduates its learners, and starts and completes
/// transfers; the municipality confirms a transfer between two of its schools. Nothing is
/// deleted: enrollments end and movements accumulate.
extension Policy {
    /// A class of the caller's organization whose academic year holds the enrollment's first day.
    static let ownClassOnEnrollmentDate: RowPredicate = """
        {t}.organization_id = {organization} AND EXISTS (SELECT 1 FROM eduql.classes k \
        JOIN eduql.academic_years y ON y.region_id = {region} AND y.id = k.academic_year_id WHERE k.id = {t}.class_id AND k.organization_id = {organization} \
        AND k.academic_year_id = {t}.academic_year_id AND {t}.enrolled_on BETWEEN y.starts_on AND y.ends_on)
        """

    /// A date no more than a month ahead: orders are not dated further.
    static func notFarAhead(_ column: String) -> RowPredicate {
        RowPredicate("{t}.\(column) <= current_date + 31")
    }

    /// A learner's card: what a school enters on admission and corrects later.
    static let learnerCard: Set<String> = [
        "last_name", "first_name", "middle_name", "gender", "birth_date", "snils", "address", "health_group", "citizenship",
        "second_citizenship", "health_limitation", "disabled",
    ]

    /// What a school administrator writes of the contingent.
    static let contingentWrites: [Table: WriteRule] = [
        .learners: WriteRule([.insert, .update], rows: "{t}.organization_id = {organization}", columns: learnerCard),
        .guardians: WriteRule([.insert], rows: "{t}.region_id = {region}",
                              columns: ["last_name", "first_name", "middle_name", "phone", "email", "snils", "address", "birth_date"]),
        .guardianLearners: WriteRule([.insert], rows: "{t}.learner_id IN (SELECT l.id FROM eduql.learners l WHERE l.region_id = {region} AND l.organization_id = {organization})",
                                     columns: ["relation"]),
        .enrollments: WriteRule(rows: [.insert: ownClassOnEnrollmentDate.and(notFarAhead("enrolled_on")),
                                       .update: "{t}.organization_id = {organization} AND {t}.status = 'active'"],
                                updatedRows: RowPredicate("{t}.organization_id = {organization}").and(notFarAhead("left_on")),
                                columns: ["class_id", "enrolled_on", "left_on", "status"]),
        .movements: WriteRule([.insert], rows: "{t}.organization_id = {organization}", columns: ["occurred_on", "order_number", "reason"]),
        .transfers: WriteRule(rows: [.insert: RowPredicate("{t}.organization_id = {organization}").and(notFarAhead("transfer_on")),
                                     .update: "{t}.to_organization_id = {organization} AND {t}.status = 'awaiting_arrival'"],
                              updatedRows: "{t}.to_organization_id = {organization} AND {t}.status IN ('completed', 'declined')",
                              columns: ["to_organization_id", "transfer_on", "order_number", "reason"]),
    ]

    /// The municipality confirms or declines a transfer between two of its own organizations.
    static let transferConfirmation: [Table: WriteRule] = [
        .transfers: WriteRule(rows: [.update: "{t}.municipality_id = {municipality} AND {t}.to_municipality_id = {municipality} AND {t}.status = 'awaiting_confirmation'"],
                              updatedRows: "{t}.municipality_id = {municipality} AND {t}.status IN ('awaiting_arrival', 'declined')",
                              columns: ["status"]),
    ]

    /// The contingent mutations of a school.
    static let contingentMutations: Set<String> = [
        "admitLearner", "updateLearner", "transferToClass", "transferToOrganization", "acceptTransfer", "declineTransfer", "expelLearner", "graduateLearner",
    ]
}
