import EduQLAccessControl
import Foundation
import GraphQL

/// Learners, guardians, staff, teaching assignments, enrollments and movements.
extension Catalog {
    static let people: [String: [String: FieldSource]] = [
        "Learner": [
            "id": id(), "lastName": column("last_name"), "firstName": column("first_name"), "middleName": column("middle_name"),
            "gender": enumeration("gender"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
            "class": one("Class", .classes,
                         "{c}.id = (SELECT e.class_id FROM eduql.enrollments e WHERE e.region_id = {region} AND e.learner_id = {t}.id AND e.status = 'active')"),
            "birthDate": column("birth_date"), "snils": column("snils"), "address": column("address"),
            "healthGroup": column("health_group"), "citizenship": column("citizenship"),
            "secondCitizenship": column("second_citizenship"), "healthLimitation": enumeration("health_limitation"),
            "disabled": column("disabled"),
            "guardians": many("GuardianLink", .guardianLearners, "{c}.learner_id = {t}.id", orderBy: "{c}.guardian_id"),
            "enrollments": many("Enrollment", .enrollments, "{c}.learner_id = {t}.id", orderBy: "{c}.enrolled_on, {c}.id"),
            "movements": many("Movement", .movements, "{c}.learner_id = {t}.id", orderBy: "{c}.occurred_on, {c}.id"),
            "markHistory": many("MarkCorrection", .markHistory, "{c}.learner_id = {t}.id", orderBy: "{c}.changed_at, {c}.id"),
            "transfers": many("Transfer", .transfers, "{c}.learner_id = {t}.id", orderBy: "{c}.requested_at, {c}.id"),
            "marks": many("Mark", .marks, "{c}.learner_id = {t}.id", orderBy: "{c}.given_on, {c}.id") { arguments, builder, alias in
                var conditions = try dateRange("given_on")(arguments, &builder, alias)
                if let subject = try arguments.id("subjectId") { conditions.append("\(alias).subject_id = \(builder.bind(subject))") }
                if let kind = try arguments.enumValue("kind") { conditions.append("\(alias).kind = lower(\(builder.bind(kind)))") }
                return conditions
            },
            "attendance": many("Attendance", .attendance, "{c}.learner_id = {t}.id", orderBy: "{c}.lesson_id") { arguments, builder, alias in
                let range = try dateRange("held_on")(arguments, &builder, "l")
                guard !range.isEmpty else { return [] }
                return ["\(alias).lesson_id IN (SELECT l.id FROM eduql.lessons l WHERE l.region_id = {region} AND \(range.joined(separator: " AND ")))"]
            },
        ],
        "Guardian": [
            "id": id(), "lastName": column("last_name"), "firstName": column("first_name"), "middleName": column("middle_name"),
            "email": column("email"), "phone": column("phone"), "snils": column("snils"), "address": column("address"),
            "children": many("GuardianLink", .guardianLearners, "{c}.guardian_id = {t}.id", orderBy: "{c}.learner_id"),
        ],
        "GuardianLink": [
            "relation": enumeration("relation"), "consentOn": column("consent_on"),
            "guardian": one("Guardian", .guardians, "{c}.id = {t}.guardian_id"),
            "learner": one("Learner", .learners, "{c}.id = {t}.learner_id"),
        ],
        "Staff": [
            "id": id(), "lastName": column("last_name"), "firstName": column("first_name"), "middleName": column("middle_name"),
            "position": column("position"), "post": enumeration("post_category"), "email": column("email"), "phone": column("phone"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
            "gender": enumeration("gender"), "birthDate": column("birth_date"), "snils": column("snils"),
            "educationLevel": enumeration("education_level"), "qualificationCategory": enumeration("qualification_category"),
            "experienceSince": column("experience_since"), "rate": column("rate"), "employment": enumeration("employment"),
            "hiredOn": column("hired_on"), "dismissedOn": column("dismissed_on"),
            "lessons": lessonsBetween(of: "teacher_id"),
            // An employee may have had several accounts over time; the newest is its account.
            "account": one("User", .users, "{c}.id = (SELECT max(u.id) FROM eduql.users u WHERE u.region_id = {region} AND u.staff_id = {t}.id)"),
        ],
        "TeachingAssignment": [
            "id": id(), "weeklyHours": column("weekly_hours"), "endsOn": column("ends_on"),
            "startsOn": .column("coalesce({t}.starts_on, (SELECT y.starts_on FROM eduql.academic_years y WHERE y.region_id = {region} AND y.id = {t}.academic_year_id))"),
            "teacher": one("Staff", .staff, "{c}.id = {t}.staff_id"),
            "class": one("Class", .classes, "{c}.id = {t}.class_id"),
            "subject": one("Subject", .subjects, "{c}.id = {t}.subject_id"),
        ],
        "Enrollment": [
            "id": id(), "enrolledOn": column("enrolled_on"), "leftOn": column("left_on"), "status": enumeration("status"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
            "class": one("Class", .classes, "{c}.id = {t}.class_id"),
            "academicYear": one("AcademicYear", .academicYears, "{c}.id = {t}.academic_year_id"),
        ],
        "Movement": [
            "id": id(), "kind": enumeration("kind"), "occurredOn": column("occurred_on"), "orderNumber": column("order_number"),
            "reason": column("reason"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
            "otherOrganization": one("Organization", .organizations, "{c}.id = {t}.other_organization_id"),
            "class": one("Class", .classes, "{c}.id = {t}.class_id"),
            "otherClass": one("Class", .classes, "{c}.id = {t}.other_class_id"),
        ],
        "Transfer": [
            "id": id(), "status": enumeration("status"), "transferOn": column("transfer_on"), "orderNumber": column("order_number"),
            "reason": column("reason"), "learnerName": column("learner_name"), "requestedAt": column("requested_at"),
            "decidedAt": column("decided_at"),
            "learner": one("Learner", .learners, "{c}.id = {t}.learner_id"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
            "toOrganization": one("Organization", .organizations, "{c}.id = {t}.to_organization_id"),
            "arrival": one("Enrollment", .enrollments, "{c}.id = {t}.arrival_enrollment_id"),
        ],
    ]

    static func learnerConnection(on: SQLTemplate?) -> Connection {
        Connection(
            nodeType: "Learner", table: .learners, on: on,
            orders: ["NAME_ASC": "{c}.last_name, {c}.first_name, {c}.id", "NAME_DESC": "{c}.last_name DESC, {c}.first_name DESC, {c}.id DESC",
                     "ID_ASC": "{c}.id"]
        ) { arguments, builder, alias in
            guard let filter = arguments.object("filter") else { return [] }
            var conditions: [SQLTemplate] = []
            if let organization = try filter.id("organizationId") {
                conditions.append("\(alias).organization_id = \(builder.bind(organization))")
            }
            var enrollment: [SQLTemplate] = []
            if let klass = try filter.id("classId") { enrollment.append("e.class_id = \(builder.bind(klass))") }
            if let grade = try filter.int("grade") {
                enrollment.append("e.class_id IN (SELECT k.id FROM eduql.classes k WHERE k.region_id = {region} AND k.grade = \(builder.bind(grade)))")
            }
            if !enrollment.isEmpty {
                conditions.append("\(alias).id IN (SELECT e.learner_id FROM eduql.enrollments e WHERE e.region_id = {region} AND e.status = 'active' AND \(enrollment.joined(separator: " AND ")))")
            }
            if let name = try filter.string("nameContains") {
                conditions.append("(\(alias).last_name || ' ' || \(alias).first_name) ILIKE '%' || \(builder.bind(try name.map(Self.likeEscaped))) || '%'")
            }
            return conditions
        }
    }
}
