import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// Classes of a school and age groups of a kindergarten, per academic year, with what the
/// federal statistical forms count: shift, programme (adapted and its variant, advanced,
/// profile; an adapted programme's length and first additional class; class-complexes), a
/// group's age band, orientation, stay and capacity.
extension RuleWriter {
    static let programmes: Set<String> = ["general", "adapted", "advanced", "profile"]
    static let orientations: Set<String> = ["general", "compensating", "combined", "health", "care", "family"]
    static let classColumns = ["region_id", "municipality_id", "organization_id", "academic_year_id", "kind"]

    /// The programme fields of a class: programme, adapted variant and profile, checked together.
    static func programme(_ input: [String: Map], into row: inout RowValues, path: String, creating: Bool) throws {
        let programme = try input.enumeration("programme", at: path, in: programmes)
        let variant = try input.text("adaptedVariant", at: path, lengths: 3...3, required: false)
        let profile = try input.text("profile", at: path, lengths: 1...200, required: false)
        if let variant, variant.wholeMatch(of: /[1-9]\.[1-4]/) == nil { throw WriteRefusal.invalid("\(path)adaptedVariant must read like 7.1") }
        let effective = programme ?? (creating ? "general" : nil)
        if let effective {
            if (effective == "adapted") != (variant != nil) { throw WriteRefusal.invalid("\(path)adaptedVariant is given with an ADAPTED programme, and only then") }
            if effective != "profile" && profile != nil { throw WriteRefusal.invalid("\(path)profile is given only with a PROFILE programme") }
            row.set("programme", effective, "text")
            row.set("adapted_variant", variant, "text")
            row.set("profile", profile, "text")
        } else if variant != nil || profile != nil {
            throw WriteRefusal.invalid("\(path)programme: give it with adaptedVariant or profile")
        }
        // Length and first additional class belong to an adapted programme; the database drops them
        // with it and gives a length the variant's usual one by default.
        let years = try input.integer("adaptedYears", at: path, in: 4...13)
        let additional = try input.integer("additionalYear", at: path, in: 1...2)
        if (years != nil || additional != nil), let effective, effective != "adapted" {
            throw WriteRefusal.invalid("\(path)adaptedYears and additionalYear belong to an ADAPTED programme")
        }
        if input["adaptedYears"] != nil || creating { row.set("adapted_years", years, "int2") }
        if input["additionalYear"] != nil || creating { row.set("additional_year", additional, "int2") }
    }

    /// A class's class-complex: the mark it shares with the classes taught together with it.
    static func combinedClass(_ input: [String: Map], into row: inout RowValues, path: String, creating: Bool) throws {
        guard input["combinedClass"] != nil || creating else { return }
        if input["combinedClass"]?.text == "" && !creating {
            row.set("combined_class", String?.none, "text")
        } else {
            row.set("combined_class", try input.text("combinedClass", at: path, lengths: 1...50, required: false), "text")
        }
    }

    /// Inserts a class or group of the caller's school in `year`.
    func insertClass(_ row: RowValues, kind: String, year: Int, path: String) async throws -> Int {
        let statement = row.statement
        let source = """
            SELECT y.region_id, o.municipality_id, o.id AS organization_id, y.id AS academic_year_id, \(statement.bind(kind, "text")) AS kind, \
            \(row.selectList()) FROM eduql.academic_years y JOIN eduql.organizations o ON o.id = eduql.current_organization_id() \
            WHERE y.id = \(statement.bind(year, "int8")) AND o.status = 'active'
            """
        let query = statement.insert(into: .classes, columns: Self.classColumns + row.columns, from: source, rule: try self.rule(.classes, .insert))
        return try await self.run(query, path + "academicYearId", notFound: "not an academic year of your region, or your organization is closed",
                                  refused: "not yours: the homeroom teacher is not on your school's staff, or the year is not your region's").ids[0]
    }

    /// `createClass`.
    func createClass(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let year = try input.requiredID("academicYearId", at: path)
        guard let grade = try input.integer("grade", at: path, in: 1...12) else { throw WriteRefusal.invalid("\(path)grade is required") }
        let letter = try input.text("letter", at: path, lengths: 1...3)!
        try await self.requireKind(["school", "vocational"], path: path, what: "classes")
        var row = RowValues(WriteStatement())
        row.set("grade", grade, "int2")
        row.set("letter", letter, "text")
        row.set("name", "\(grade)\(letter)", "text")
        row.set("homeroom_teacher_id", try input.optionalID("homeroomTeacherId", at: path), "int8")
        row.set("shift", try input.integer("shift", at: path, in: 1...3) ?? 1, "int2")
        try Self.programme(input, into: &row, path: path, creating: true)
        try Self.combinedClass(input, into: &row, path: path, creating: true)
        if row.changes["additional_year"] is Int && grade != 1 { throw WriteRefusal.invalid("\(path)additionalYear is for grade 1") }
        let id = try await self.insertClass(row, kind: "class", year: year, path: path)
        return Written(type: "Class", table: .classes, ids: [id], many: false, learnerIDs: [], rows: 1)
    }

    /// `createGroup`: a kindergarten's group, whose places join the queue's capacity of its age.
    func createGroup(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let year = try input.requiredID("academicYearId", at: path)
        guard let from = try input.integer("ageFrom", at: path, in: 0...8), let to = try input.integer("ageTo", at: path, in: 0...8) else {
            throw WriteRefusal.invalid("\(path)ageFrom and ageTo are required")
        }
        guard from <= to else { throw WriteRefusal.invalid("\(path)ageTo is below ageFrom") }
        guard let capacity = try input.integer("capacity", at: path, in: 1...60) else { throw WriteRefusal.invalid("\(path)capacity is required") }
        let orientation = try input.enumeration("orientation", at: path, in: Self.orientations) ?? "general"
        let compensating = try input.text("compensatingKind", at: path, lengths: 1...200, required: false)
        guard (orientation == "compensating") == (compensating != nil) else {
            throw WriteRefusal.invalid("\(path)compensatingKind is given with a COMPENSATING orientation, and only then")
        }
        try await self.requireKind(["kindergarten"], path: path, what: "groups")
        var row = RowValues(WriteStatement())
        row.set("name", try input.text("name", at: path, lengths: 1...200), "text")
        row.set("age_group", min(from, 7), "int2")
        row.set("age_to", to, "int2")
        row.set("orientation", orientation, "text")
        row.set("compensating_kind", compensating, "text")
        row.set("short_stay", input.flag("shortStay") ?? false, "bool")
        row.set("capacity", capacity, "int4")
        row.set("homeroom_teacher_id", try input.optionalID("homeroomTeacherId", at: path), "int8")
        let id = try await self.insertClass(row, kind: "group", year: year, path: path)
        try await self.addPlaces(group: id)
        return Written(type: "Class", table: .classes, ids: [id], many: false, learnerIDs: [], rows: 2)
    }

    /// Refuses unless the caller's organization is of one of `kinds`.
    func requireKind(_ kinds: [String], path: String, what: String) async throws {
        let statement = WriteStatement()
        let kind = try await self.connection.guardedQuery(statement.query(
            "SELECT o.kind FROM eduql.organizations o WHERE o.id = eduql.current_organization_id()"), logger: self.logger).collect().first?.decode(String.self)
        guard let kind, kinds.contains(kind) else { throw WriteRefusal.invalid("\(path): a \(kind ?? "caller without an organization") has no \(what)") }
    }

    /// A group's capacity joins the kindergarten's places of its age group for the queue.
    func addPlaces(group: Int) async throws {
        let statement = WriteStatement()
        let source = """
            SELECT k.region_id, k.municipality_id, k.organization_id, k.academic_year_id, k.age_group, k.capacity \
            FROM eduql.classes k WHERE k.id = \(statement.bind(group, "int8"))
            """
        let query = statement.insert(
            into: .kindergartenCapacities, columns: ["region_id", "municipality_id", "organization_id", "academic_year_id", "age_group", "capacity"],
            from: source, rule: try self.rule(.kindergartenCapacities, .insert),
            conflict: "ON CONFLICT (organization_id, academic_year_id, age_group) DO UPDATE SET capacity = eduql.kindergarten_capacities.capacity + excluded.capacity")
        try await self.run(query, "input", notFound: "no such group", refused: "not yours to add places to")
    }

    /// `updateClass`: the fields given change.
    func updateClass(_ arguments: [String: Map]) async throws -> Written {
        let klass = try arguments.requiredID("classId", at: "")
        guard let input = arguments.object("input") else { throw WriteRefusal.invalid("input is required") }
        let path = "input."
        let statement = WriteStatement()
        var row = RowValues(statement)
        if input["homeroomTeacherId"] != nil { row.set("homeroom_teacher_id", try input.optionalID("homeroomTeacherId", at: path), "int8") }
        row.change("shift", try input.integer("shift", at: path, in: 1...3), "int2")
        row.change("capacity", try input.integer("capacity", at: path, in: 1...60), "int4")
        try Self.programme(input, into: &row, path: path, creating: false)
        try Self.combinedClass(input, into: &row, path: path, creating: false)
        guard !row.columns.isEmpty else { throw WriteRefusal.invalid("input: name at least one field to change") }
        let capacity = row.changes["capacity"] as? Int
        let before = try await self.groupCapacity(klass)
        let rule = try self.rule(.classes, .update)
        let query = statement.update(.classes, where: "w_old.id = \(statement.bind(klass, "int8"))", set: try statement.bind(json: row.changes),
                                     columns: row.columns, rule: rule, check: self.policy.writeRule(.classes)?.updateCheck ?? rule)
        try await self.run(query, "classId", notFound: "not a class you can see",
                           refused: "not yours to change, or the homeroom teacher is not on your school's staff")
        if let capacity, let before, capacity != before {
            try await self.changePlaces(group: klass, by: capacity - before)
        }
        return Written(type: "Class", table: .classes, ids: [klass], many: false, learnerIDs: [], rows: 1)
    }

    /// A group's capacity now; nil for a class.
    func groupCapacity(_ klass: Int) async throws -> Int? {
        let statement = WriteStatement()
        let query = statement.query("""
            SELECT k.capacity FROM eduql.classes k WHERE k.id = \(statement.bind(klass, "int8")) AND k.kind = 'group' \
            AND \(self.policy.predicate(.classes, alias: "k"))
            """)
        return try await self.connection.guardedQuery(query, logger: self.logger).collect().first?.decode(Int?.self)
    }

    /// The kindergarten's places of the group's age change with its capacity.
    func changePlaces(group: Int, by change: Int) async throws {
        let statement = WriteStatement()
        let rule = try self.rule(.kindergartenCapacities, .update)
        let query = statement.update(
            .kindergartenCapacities,
            where: """
                (w_old.organization_id, w_old.academic_year_id, w_old.age_group) = (SELECT k.organization_id, k.academic_year_id, k.age_group \
                FROM eduql.classes k WHERE k.id = \(statement.bind(group, "int8")))
                """,
            set: "jsonb_build_object('capacity', greatest(w_old.capacity + \(statement.bind(change, "int4")), 0))", columns: ["capacity"],
            rule: rule, check: self.policy.writeRule(.kindergartenCapacities)?.updateCheck ?? rule)
        try await self.runAll(query, path: "input.capacity")
    }
}
