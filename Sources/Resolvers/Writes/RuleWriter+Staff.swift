import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// Staff: hiring (the card the forms count, the post and its rate), dismissal (accounts
/// disabled at once, teaching assignments ended on the day), and teaching assignments.
extension RuleWriter {
    static let staffPosts: Set<String> = [
        "head", "deputy_head", "teacher", "educator", "psychologist", "speech_therapist", "defectologist", "social_pedagogue",
        "additional_education", "tutor", "music_director", "physical_instructor", "teacher_organizer", "counsellor", "other_pedagogical",
        "support", "service",
    ]
    static let educationLevels: Set<String> = ["higher", "higher_pedagogical", "secondary_vocational", "secondary_vocational_pedagogical", "secondary"]

    /// A staff member's card: the fields the input names (every one when `creating`), checked.
    static func staffCard(_ input: [String: Map], into row: inout RowValues, path: String, creating: Bool) throws {
        func given(_ field: String) -> Bool { creating || input[field] != nil }
        let birth = given("birthDate") ? try input.date("birthDate", at: path) : nil
        if let birth, birth > Self.today || birth <= "1900-01-01" { throw WriteRefusal.invalid("\(path)birthDate must be a past date after 1900") }
        let experience = try input.optionalDate("experienceSince", at: path)
        if let experience, experience > Self.today || experience < (birth ?? "1900-01-01") {
            throw WriteRefusal.invalid("\(path)experienceSince is before birth or in the future")
        }
        let snils = try input.text("snils", at: path, lengths: 14...14, required: false)
        if let snils, !RegistryCode.isValidSNILS(snils) { throw WriteRefusal.invalid("\(path)snils must read NNN-NNN-NNN NN with a valid checksum") }
        for (field, column, lengths, required) in [("lastName", "last_name", 1...100, true), ("firstName", "first_name", 1...100, true),
                                                   ("middleName", "middle_name", 1...100, false), ("email", "email", 3...200, false),
                                                   ("phone", "phone", 1...50, false), ("position", "position", 1...200, true)]
        where given(field) {
            row.set(column, try input.text(field, at: path, lengths: lengths, required: required), "text")
        }
        if given("gender") { row.set("gender", try input.enumeration("gender", at: path, in: ["male", "female"], required: true), "text") }
        if let birth { row.set("birth_date", birth, "date") }
        if given("snils") { row.set("snils", snils, "text") }
        // Not given (or cleared): the database reads it from the position's wording.
        if given("post") { row.set("post_category", try input.enumeration("post", at: path, in: Self.staffPosts), "text") }
        if given("educationLevel") {
            row.set("education_level", try input.enumeration("educationLevel", at: path, in: Self.educationLevels, required: true), "text")
        }
        if given("qualificationCategory") {
            let category = try input.enumeration("qualificationCategory", at: path, in: ["none", "first", "highest"], required: !creating)
            row.set("qualification_category", category ?? "none", "text")
        }
        if given("experienceSince") { row.set("experience_since", experience, "date") }
        if given("rate") {
            guard let rate = try input.number("rate", at: path, in: 0.05...2) ?? (creating ? 1 : nil) else {
                throw WriteRefusal.invalid("\(path)rate must be a number from 0.05 to 2")
            }
            row.set("rate", rate, "float8")
        }
        if given("employment") {
            let employment = try input.enumeration("employment", at: path, in: ["main", "part_time"], required: !creating)
            row.set("employment", employment ?? "main", "text")
        }
    }

    /// `hireStaff`.
    func hireStaff(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let birth = try input.date("birthDate", at: path), hired = try input.date("hiredOn", at: path)
        guard birth < hired else { throw WriteRefusal.invalid("\(path)birthDate is not before hiredOn") }
        let statement = WriteStatement()
        var row = RowValues(statement)
        try Self.staffCard(input, into: &row, path: path, creating: true)
        row.set("hired_on", hired, "date")
        let source = """
            SELECT o.region_id, o.municipality_id, o.id AS organization_id, \(row.selectList()) FROM eduql.organizations o \
            WHERE o.id = eduql.current_organization_id() AND o.status = 'active'
            """
        let query = statement.insert(into: .staff, columns: ["region_id", "municipality_id", "organization_id"] + row.columns, from: source,
                                     rule: try self.rule(.staff, .insert))
        let id = try await self.run(query, "input", notFound: "your organization is closed or you act for none", refused: "not yours to hire into").ids[0]
        return Written(type: "Staff", table: .staff, ids: [id], many: false, learnerIDs: [], rows: 1)
    }

    /// `updateStaff`: the fields given change, on a member of the caller's organization's staff.
    func updateStaff(_ arguments: [String: Map]) async throws -> Written {
        try await self.updateCard(.staff, arguments, idName: "staffId", type: "Staff", notFound: "not a staff member you can see",
                                  refused: "not on your organization's staff, or dismissed") { input, row in
            try Self.staffCard(input, into: &row, path: "input.", creating: false)
        }
    }

    /// `dismissStaff`: the dismissal, the end of the person's teaching assignments and homeroom
    /// classes, and their accounts disabled (a disabled account's sessions stop at once).
    func dismissStaff(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let staff = try input.requiredID("staffId", at: path)
        let on = try input.date("on", at: path)
        let order = try input.text("orderNumber", at: path, lengths: 1...50)!
        // First what needs the person still on the staff: assignments end on the day (or, started later, on
        // their first day), and their classes lose their homeroom teacher.
        let ending = WriteStatement()
        let assignments = try self.rule(.teachingAssignments, .update)
        let ended = ending.update(
            .teachingAssignments, where: "w_old.staff_id = \(ending.bind(staff, "int8")) AND w_old.ends_on IS NULL",
            set: "jsonb_build_object('ends_on', greatest(\(ending.bind(on, "date")), w_old.starts_on))", columns: ["ends_on"],
            rule: assignments, check: self.policy.writeRule(.teachingAssignments)?.updateCheck ?? assignments)
        try await self.runAll(ended, path: "input.staffId")
        let homeroom = WriteStatement()
        let classes = try self.rule(.classes, .update)
        let cleared = homeroom.update(
            .classes, where: "w_old.homeroom_teacher_id = \(homeroom.bind(staff, "int8"))", set: "'{\"homeroom_teacher_id\": null}'::jsonb",
            columns: ["homeroom_teacher_id"], rule: classes, check: self.policy.writeRule(.classes)?.updateCheck ?? classes)
        try await self.runAll(cleared, path: "input.staffId")
        let statement = WriteStatement()
        let rule = try self.rule(.staff, .update)
        let query = statement.update(
            .staff, where: "w_old.id = \(statement.bind(staff, "int8")) AND \(statement.bind(on, "date")) >= w_old.hired_on",
            set: try statement.bind(json: ["dismissed_on": on, "dismissal_order": order]), columns: ["dismissed_on", "dismissal_order"],
            rule: rule, check: self.policy.writeRule(.staff)?.updateCheck ?? rule)
        try await self.run(query, "input.staffId", notFound: "not a member of staff you can see, or the date is before the hiring",
                           refused: "not yours to dismiss, or dismissed already")
        let accounts = WriteStatement()
        let users = try self.rule(.users, .update)
        let disabled = accounts.update(
            .users, where: "w_old.staff_id = \(accounts.bind(staff, "int8")) AND w_old.disabled_at IS NULL",
            set: "jsonb_build_object('disabled_at', now())", columns: ["disabled_at"], rule: users, check: users)
        try await self.runAll(disabled, path: "input.staffId")
        return Written(type: "Staff", table: .staff, ids: [staff], many: false, learnerIDs: [], rows: 1)
    }

    /// Runs a checked statement that may find nothing to write; refused when the rule refused a row.
    func runAll(_ query: PostgresQuery, path: String) async throws {
        guard let row = try await self.connection.guardedQuery(query, logger: self.logger).collect().first else { return }
        let checked = try CheckedRows(row)
        if checked.refused > 0 { throw WriteRefusal.forbidden("\(path): a row it would change is not yours to write") }
    }

    /// `assignTeaching`.
    func assignTeaching(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let staff = try input.requiredID("staffId", at: path)
        let klass = try input.requiredID("classId", at: path)
        let subject = try input.requiredID("subjectId", at: path)
        let starts = try input.date("startsOn", at: path)
        let ends = try input.optionalDate("endsOn", at: path)
        if let ends, ends < starts { throw WriteRefusal.invalid("\(path)endsOn is before startsOn") }
        let statement = WriteStatement()
        var row = RowValues(statement)
        row.set("staff_id", staff, "int8")
        row.set("subject_id", subject, "int8")
        row.set("weekly_hours", try input.number("weeklyHours", at: path, in: 0.5...40), "float8")
        row.set("starts_on", starts, "date")
        row.set("ends_on", ends, "date")
        let source = """
            SELECT k.region_id, k.municipality_id, k.organization_id, k.id AS class_id, k.academic_year_id, \(row.selectList()) FROM eduql.classes k \
            JOIN eduql.academic_years y ON y.id = k.academic_year_id WHERE k.id = \(statement.bind(klass, "int8")) \
            AND \(self.policy.predicate(.classes, alias: "k")) AND \(statement.bind(starts, "date")) BETWEEN y.starts_on AND y.ends_on
            """
        let query = statement.insert(into: .teachingAssignments,
                                     columns: ["region_id", "municipality_id", "organization_id", "class_id", "academic_year_id"] + row.columns,
                                     from: source, rule: try self.rule(.teachingAssignments, .insert))
        let id = try await self.run(query, "input.classId", notFound: "not a class you can see, or startsOn is outside its academic year",
                                    refused: "the teacher is not on your school's active staff, or the class or subject is not your school's").ids[0]
        return Written(type: "TeachingAssignment", table: .teachingAssignments, ids: [id], many: false, learnerIDs: [], rows: 1)
    }

    /// `endTeaching`.
    func endTeaching(_ arguments: [String: Map]) async throws -> Written {
        let assignment = try arguments.requiredID("assignmentId", at: "")
        let on = try arguments.date("on", at: "")
        let statement = WriteStatement()
        let rule = try self.rule(.teachingAssignments, .update)
        let query = statement.update(
            .teachingAssignments, where: "w_old.id = \(statement.bind(assignment, "int8")) AND \(statement.bind(on, "date")) >= w_old.starts_on",
            set: try statement.bind(json: ["ends_on": on]), columns: ["ends_on"], rule: rule,
            check: self.policy.writeRule(.teachingAssignments)?.updateCheck ?? rule)
        try await self.run(query, "assignmentId", notFound: "not an assignment you can see, or the date is before its start",
                           refused: "not yours to end, or ended already")
        return Written(type: "TeachingAssignment", table: .teachingAssignments, ids: [assignment], many: false, learnerIDs: [], rows: 1)
    }
}
