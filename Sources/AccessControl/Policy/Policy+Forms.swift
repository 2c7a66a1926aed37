/// Statistical forms (`../shared/forms.md`): official forms carry exact counts — no small-group
/// suppression — so only the organization's administrators and the authorities above it read
/// them. A school computes and submits its own; the municipality returns or accepts its
/// organizations' submitted forms; the region reads and consolidates.
extension Policy {
    /// The types of the forms, their definitions and consolidated forms.
    static let statisticalForms: [String: FieldSet] = [
        "StatisticalFormDefinition": .all, "FormSectionDefinition": .all, "FormLine": .all, "StatisticalReport": .all,
        "FormProblem": .all, "FormUnit": .all, "FormCell": .all, "StatisticalReportStep": .all, "ConsolidatedForm": .all,
    ]

    /// The mutations of an organization's administrators, and of the municipality.
    static let formMutationsOfOrganization: Set<String> = ["computeStatisticalForm", "submitStatisticalForm"]
    static let formMutationsOfMunicipality: Set<String> = ["returnStatisticalForm", "acceptStatisticalForm"]

    /// An organization computes (again, until it submits) and submits its own forms.
    static let organizationFormWrites: [Table: WriteRule] = [
        .formReports: WriteRule(rows: [.insert: "{t}.organization_id = {organization}",
                                       .update: "{t}.organization_id = {organization} AND {t}.status IN ('computed', 'returned')"],
                                updatedRows: "{t}.organization_id = {organization} AND {t}.status IN ('computed', 'submitted')"),
        .formReportHistory: WriteRule([.insert], rows: "{t}.organization_id = {organization}"),
    ]

    /// The municipality returns or accepts the submitted forms of its organizations.
    static let municipalityFormWrites: [Table: WriteRule] = [
        .formReports: WriteRule(rows: [.update: "{t}.municipality_id = {municipality} AND {t}.status = 'submitted'"],
                                updatedRows: "{t}.municipality_id = {municipality} AND {t}.status IN ('returned', 'accepted')",
                                columns: ["status", "comment"]),
        .formReportHistory: WriteRule([.insert], rows: "{t}.municipality_id = {municipality}"),
    ]
}
