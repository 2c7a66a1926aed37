import EduQLAccessControl
import Foundation
import GraphQL

/// The kindergarten queue: applications, choices, history, distribution runs and allocations.
extension Catalog {
    static let queue: [String: [String: FieldSource]] = [
        "BenefitCategory": [
            "id": id(), "code": column("code"), "name": column("name"), "level": enumeration("level"),
            "priority": enumeration("priority"), "legalBasis": column("legal_basis"),
        ],
        "QueueApplication": [
            "id": id(), "number": column("number"), "status": enumeration("status"), "registeredAt": column("registered_at"),
            "statusChangedAt": column("status_changed_at"), "desiredStartOn": column("desired_start_on"),
            "ageGroup": column("age_group"),
            "priority": .column("(ARRAY['OUT_OF_TURN', 'FIRST_TURN', 'PREFERENTIAL', 'GENERAL'])[{t}.priority_rank + 1]"),
            "childLastName": column("child_last_name"), "childFirstName": column("child_first_name"),
            "childMiddleName": column("child_middle_name"), "childBirthDate": column("child_birth_date"),
            "childSnils": column("child_snils"), "portalNumber": column("portal_number"),
            "benefit": one("BenefitCategory", .benefitCategories, "{c}.id = {t}.benefit_category_id"),
            "municipality": one("Municipality", .municipalities, "{c}.id = {t}.municipality_id"),
            "applicant": one("Guardian", .guardians, "{c}.id = {t}.applicant_guardian_id"),
            "choices": many("QueueChoice", .queueChoices, "{c}.application_id = {t}.id", orderBy: "{c}.rank"),
            "history": many("QueueStatusChange", .queueStatusHistory, "{c}.application_id = {t}.id", orderBy: "{c}.changed_at, {c}.id"),
            "allocations": many("Allocation", .allocations, "{c}.application_id = {t}.id", orderBy: "{c}.id"),
            "benefitStatus": enumeration("benefit_status"), "benefitDocument": column("benefit_document"),
            "offerExpiresOn": column("offer_expires_on"),
        ],
        "QueueChoice": [
            "rank": column("rank"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
        ],
        "QueueStatusChange": [
            "fromStatus": enumeration("from_status"), "toStatus": enumeration("to_status"), "changedAt": column("changed_at"),
            "reason": column("reason"), "changedBy": column("changed_by_name"),
        ],
        "DistributionRun": [
            "id": id(), "runOn": column("run_on"), "startedAt": column("started_at"), "finishedAt": column("finished_at"),
            "municipality": one("Municipality", .municipalities, "{c}.id = {t}.municipality_id"),
            "lines": many("Allocation", .allocations, "{c}.run_id = {t}.id", orderBy: "{c}.id"),
        ],
        "Allocation": [
            "outcome": enumeration("outcome"), "choiceRank": column("choice_rank"), "voucherNumber": column("voucher_number"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
            "run": one("DistributionRun", .distributionRuns, "{c}.id = {t}.run_id"),
            "application": one("QueueApplication", .queueApplications, "{c}.id = {t}.application_id"),
            "response": enumeration("response"), "respondedAt": column("responded_at"),
        ],
    ]

    static func queueConnection() -> Connection {
        Connection(
            nodeType: "QueueApplication", table: .queueApplications, on: nil,
            orders: ["QUEUE_ORDER": "{c}.municipality_id, {c}.age_group, {c}.priority_rank, {c}.registered_at, {c}.id",
                     "REGISTERED_AT_DESC": "{c}.registered_at DESC, {c}.id DESC"]
        ) { arguments, builder, alias in
            guard let filter = arguments.object("filter") else { return [] }
            var conditions: [SQLTemplate] = []
            if let municipality = try filter.id("municipalityId") { conditions.append("\(alias).municipality_id = \(builder.bind(municipality))") }
            if let status = try filter.enumValue("status") { conditions.append("\(alias).status = lower(\(builder.bind(status)))") }
            if let ageGroup = try filter.int("ageGroup") { conditions.append("\(alias).age_group = \(builder.bind(ageGroup))") }
            if let organization = try filter.id("organizationId") {
                conditions.append("\(alias).id IN (SELECT ch.application_id FROM eduql.queue_application_choices ch WHERE ch.region_id = {region} AND ch.organization_id = \(builder.bind(organization)))")
            }
            if let from = try filter.dateTime("registeredFrom") { conditions.append("\(alias).registered_at >= \(builder.bind(from))::timestamptz") }
            if let to = try filter.dateTime("registeredTo") { conditions.append("\(alias).registered_at <= \(builder.bind(to))::timestamptz") }
            return conditions
        }
    }
}
