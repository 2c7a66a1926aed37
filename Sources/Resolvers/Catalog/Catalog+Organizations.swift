import EduQLAccessControl
import Foundation
import GraphQL

/// Regions, municipalities, organizations, years, terms, subjects, classes, capacities.
extension Catalog {
    static let organizations: [String: [String: FieldSource]] = [
        "Region": [
            "id": id(), "code": column("code"), "name": column("name"),
            "municipalities": many("Municipality", .municipalities, "{c}.region_id = {t}.id", orderBy: "{c}.name"),
            "academicYears": many("AcademicYear", .academicYears, "{c}.region_id = {t}.id", orderBy: "{c}.starts_on"),
            "subjects": many("Subject", .subjects, "{c}.region_id = {t}.id", orderBy: "{c}.name"),
        ],
        "Municipality": [
            "id": id(), "name": column("name"), "oktmo": column("oktmo"), "kind": enumeration("kind"),
            "region": one("Region", .regions, "{c}.id = {t}.region_id"),
            "organizations": .connection(organizationConnection(on: "{c}.municipality_id = {t}.id")),
        ],
        "Organization": [
            "id": id(), "kind": enumeration("kind"), "status": enumeration("status"), "fullName": column("full_name"),
            "shortName": column("short_name"), "inn": column("inn"), "address": column("address"),
            "headName": column("head_name"), "phone": column("phone"), "email": column("email"),
            "kpp": column("kpp"), "ogrn": column("ogrn"), "oktmo": column("oktmo"), "licenceNumber": column("licence_number"),
            "licenceIssuedOn": column("licence_issued_on"), "settlement": enumeration("settlement"),
            "cardEffectiveOn": column("card_effective_on"), "closedOn": column("closed_on"),
            "parent": one("Organization", .organizations, "{c}.id = {t}.parent_organization_id"),
            "branches": many("Organization", .organizations, "{c}.parent_organization_id = {t}.id", orderBy: "{c}.short_name, {c}.id"),
            "mergedInto": one("Organization", .organizations, "{c}.id = {t}.merged_into_id"),
            "cardOn": .custom { compilation, field, parent in
                guard let date = try field.arguments.date("date") else { throw QueryError.badInput("date is required.") }
                let card = Relation("OrganizationCard", table: .organizationCards, on: """
                    {c}.id = (SELECT v.id FROM eduql.organization_cards v WHERE v.region_id = {region} AND v.organization_id = {t}.id \
                    AND v.effective_on <= \(compilation.sql.bind(date))::date ORDER BY v.effective_on DESC, v.id DESC LIMIT 1)
                    """)
                return try compilation.relation(card, field: field, parent: parent)
            },
            "cardHistory": many("OrganizationCard", .organizationCards, "{c}.organization_id = {t}.id", orderBy: "{c}.effective_on, {c}.id"),
            "curriculum": many("CurriculumLine", .curriculumLines, "{c}.organization_id = {t}.id", orderBy: "{c}.grade, {c}.subject_id",
                               filter: academicYearFilter),
            "ownTerms": many("Term", .terms, "{c}.organization_id = {t}.id", orderBy: "{c}.scheme DESC, {c}.number", filter: academicYearFilter),
            "bellSchedule": many("BellPeriod", .bellPeriods, "{c}.organization_id = {t}.id", orderBy: "{c}.shift, {c}.period",
                                 filter: academicYearFilter),
            "electives": many("Subject", .subjects, "{c}.organization_id = {t}.id", orderBy: "{c}.name"),
            "municipality": one("Municipality", .municipalities, "{c}.id = {t}.municipality_id"),
            "classes": many("Class", .classes, "{c}.organization_id = {t}.id", orderBy: "{c}.grade, {c}.age_group, {c}.name",
                            filter: academicYearFilter),
            "staff": many("Staff", .staff, "{c}.organization_id = {t}.id AND {c}.dismissed_on IS NULL",
                          orderBy: "{c}.last_name, {c}.first_name, {c}.id"),
            "learners": .connection(learnerConnection(on: "{c}.organization_id = {t}.id")),
            "capacities": many("KindergartenCapacity", .kindergartenCapacities, "{c}.organization_id = {t}.id",
                               orderBy: "{c}.age_group", filter: academicYearFilter),
        ],
        "AcademicYear": [
            "id": id(), "name": column("name"), "startsOn": column("starts_on"), "endsOn": column("ends_on"),
            "holidays": many("Holiday", .holidays, "{c}.academic_year_id = {t}.id", orderBy: "{c}.starts_on, {c}.id"),
            "terms": many("Term", .terms, "{c}.academic_year_id = {t}.id", orderBy: "{c}.scheme DESC, {c}.number") { arguments, builder, alias in
                guard let scheme = try arguments.enumValue("scheme") else { return [] }
                return ["\(alias).scheme = lower(\(builder.bind(scheme)))"]
            },
        ],
        "Term": [
            "id": id(), "scheme": enumeration("scheme"), "number": column("number"),
            "startsOn": column("starts_on"), "endsOn": column("ends_on"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
        ],
        "Subject": [
            "id": id(), "name": column("name"), "shortName": column("short_name"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
        ],
        "Holiday": [
            "id": id(), "name": column("name"), "startsOn": column("starts_on"), "endsOn": column("ends_on"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
        ],
        "OrganizationCard": [
            "effectiveOn": column("effective_on"), "status": enumeration("status"), "fullName": column("full_name"),
            "shortName": column("short_name"), "inn": column("inn"), "kpp": column("kpp"), "ogrn": column("ogrn"), "oktmo": column("oktmo"),
            "address": column("address"), "headName": column("head_name"), "licenceNumber": column("licence_number"),
            "licenceIssuedOn": column("licence_issued_on"), "settlement": enumeration("settlement"), "recordedAt": column("recorded_at"),
        ],
        "CurriculumLine": [
            "id": id(), "grade": column("grade"), "weeklyHours": column("weekly_hours"),
            "subject": one("Subject", .subjects, "{c}.id = {t}.subject_id"),
            "academicYear": one("AcademicYear", .academicYears, "{c}.id = {t}.academic_year_id"),
        ],
        "BellPeriod": [
            "shift": column("shift"), "period": column("period"),
            "startsAt": .column("to_char({t}.starts_at, 'HH24:MI')"), "endsAt": .column("to_char({t}.ends_at, 'HH24:MI')"),
        ],
        "TimetableEntry": [
            "id": id(), "weekday": column("weekday"), "period": column("period"), "room": column("room"),
            "subject": one("Subject", .subjects, "{c}.id = {t}.subject_id"),
            "teacher": one("Staff", .staff, "{c}.id = {t}.teacher_id"),
        ],
        "Class": [
            "id": id(), "kind": enumeration("kind"), "name": column("name"), "grade": column("grade"),
            "ageGroup": column("age_group"), "letter": column("letter"),
            "shift": column("shift"), "programme": enumeration("programme"), "adaptedVariant": column("adapted_variant"),
            "adaptedYears": column("adapted_years"), "additionalYear": column("additional_year"), "combinedClass": column("combined_class"),
            "profile": column("profile"), "ageTo": column("age_to"), "orientation": .column("CASE WHEN {t}.kind = 'group' THEN upper(coalesce({t}.orientation, 'general')) END"),
            "compensatingKind": column("compensating_kind"), "shortStay": column("short_stay"), "capacity": column("capacity"),
            "timetable": many("TimetableEntry", .timetableEntries, "{c}.class_id = {t}.id", orderBy: "{c}.weekday, {c}.period"),
            "lessons": lessonsBetween(of: "class_id"),
            "academicYear": one("AcademicYear", .academicYears, "{c}.id = {t}.academic_year_id"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
            "homeroomTeacher": one("Staff", .staff, "{c}.id = {t}.homeroom_teacher_id"),
            "learners": .custom { compilation, field, parent in
                // The composition on a date: enrolled by then and not yet left; by default, today's.
                let enrolled = if let on = try field.arguments.date("on") {
                    "e.enrolled_on <= \(compilation.sql.bind(on))::date AND (e.left_on IS NULL OR e.left_on > \(compilation.sql.bind(on))::date)"
                } else {
                    "e.status = 'active'"
                }
                let learners = Relation("Learner", table: .learners,
                                        on: "{c}.id IN (SELECT e.learner_id FROM eduql.enrollments e WHERE e.region_id = {region} AND e.class_id = {t}.id AND \(enrolled))",
                                        many: true, orderBy: "{c}.last_name, {c}.first_name, {c}.id")
                return try compilation.relation(learners, field: field, parent: parent)
            },
            "subjects": many("Subject", .subjects,
                             "{c}.id IN (SELECT ta.subject_id FROM eduql.teaching_assignments ta WHERE ta.region_id = {region} AND ta.class_id = {t}.id)",
                             orderBy: "{c}.name"),
            "teachers": many("TeachingAssignment", .teachingAssignments, "{c}.class_id = {t}.id",
                             orderBy: "{c}.subject_id, {c}.staff_id, {c}.starts_on") { arguments, _, alias in
                // By default the assignments open today; `all: true` lists ended ones too.
                // The SQL depends on the value: a plan serves only requests with the same `all`.
                try arguments.bool("all")?.fixed == true ? [] : ["(\(alias).ends_on IS NULL OR \(alias).ends_on > current_date)"]
            },
        ],
        "KindergartenCapacity": [
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
            "ageGroup": column("age_group"), "capacity": column("capacity"), "occupied": column("occupied"),
            "free": .column("greatest({t}.capacity - {t}.occupied, 0)"),
        ],
    ]

    static let academicYearFilter: ArgumentFilter = { arguments, builder, alias in
        guard let year = try arguments.id("academicYearId") else { return [] }
        return ["\(alias).academic_year_id = \(builder.bind(year))"]
    }

    static func organizationConnection(on: SQLTemplate?) -> Connection {
        Connection(
            nodeType: "Organization", table: .organizations, on: on,
            orders: ["NAME_ASC": "{c}.short_name, {c}.id", "NAME_DESC": "{c}.short_name DESC, {c}.id DESC", "ID_ASC": "{c}.id"]
        ) { arguments, builder, alias in
            guard let filter = arguments.object("filter") else { return [] }
            var conditions: [SQLTemplate] = []
            if let ids = try filter.ids("ids") { conditions.append("\(alias).id = ANY(\(builder.bind(ids)))") }
            if let municipality = try filter.id("municipalityId") { conditions.append("\(alias).municipality_id = \(builder.bind(municipality))") }
            if let kind = try filter.enumValue("kind") { conditions.append("\(alias).kind = lower(\(builder.bind(kind)))") }
            if let status = try filter.enumValue("status") { conditions.append("\(alias).status = lower(\(builder.bind(status)))") }
            if let name = try filter.string("nameContains") {
                conditions.append("\(alias).full_name ILIKE '%' || \(builder.bind(try name.map(Self.likeEscaped))) || '%'")
            }
            return conditions
        }
    }

    /// `text` with LIKE's wildcards escaped.
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    /// `lessons(from:to:)` of a class or a teacher: the lessons whose `column` is the parent
    /// row's id, between two dates (at most the diary's span), by day and period.
    static func lessonsBetween(of column: String) -> FieldSource {
        .custom { compilation, field, parent in
            let (from, to) = try dateSpan(field.arguments, maxDays: compilation.limits.maxDiaryDays)
            let lessons = Relation("Lesson", table: .lessons, on: """
                {c}.\(column) = {t}.id AND {c}.held_on BETWEEN \(compilation.sql.bind(from))::date AND \(compilation.sql.bind(to))::date
                """, many: true, orderBy: "{c}.held_on, {c}.period, {c}.id")
            return try compilation.relation(lessons, field: field, parent: parent)
        }
    }
}
