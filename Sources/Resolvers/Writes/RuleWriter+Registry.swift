import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// The organization registry: municipalities, organizations and their branches, card changes
/// (each versioned by a trigger with its effective date), reorganization and liquidation.
extension RuleWriter {
    static let organizationKinds: Set<String> = ["kindergarten", "school", "additional", "vocational"]

    /// `createMunicipality`.
    func createMunicipality(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let oktmo = try input.text("oktmo", at: path, lengths: 8...8)!
        guard RegistryCode.digits(oktmo) != nil else { throw WriteRefusal.invalid("\(path)oktmo must be 8 digits") }
        let statement = WriteStatement()
        var row = RowValues(statement)
        row.set("name", try input.text("name", at: path, lengths: 1...300), "text")
        row.set("oktmo", oktmo, "text")
        row.set("kind", try input.enumeration("kind", at: path, in: ["city_district", "municipal_district"], required: true), "text")
        let query = statement.insert(into: .municipalities, columns: ["region_id"] + row.columns,
                                     from: "SELECT eduql.current_region_id() AS region_id, \(row.selectList())",
                                     rule: try self.rule(.municipalities, .insert))
        let id = try await self.run(query, "input", notFound: "no region", refused: "not a municipality of your region").ids[0]
        return Written(type: "Municipality", table: .municipalities, ids: [id], many: false, learnerIDs: [], rows: 1)
    }

    /// The card fields of `input` (all of them for a new organization, those given for a change).
    func card(_ input: [String: Map], into row: inout RowValues, path: String, creating: Bool) throws {
        func text(_ field: String, _ column: String, _ lengths: ClosedRange<Int>, required: Bool = false) throws {
            let value = try input.text(field, at: path, lengths: lengths, required: required && creating)
            if creating { row.set(column, value, "text") } else { row.change(column, value, "text") }
        }
        try text("fullName", "full_name", 1...500, required: true)
        try text("shortName", "short_name", 1...200, required: true)
        try text("address", "address", 1...500, required: true)
        try text("headName", "head_name", 1...300, required: true)
        try text("licenceNumber", "licence_number", 1...100)
        try text("phone", "phone", 1...50)
        try text("email", "email", 3...200)
        for (field, column, valid, what) in [("kpp", "kpp", RegistryCode.isValidKPP, "9 digits"), ("ogrn", "ogrn", RegistryCode.isValidOGRN,
                                              "13 digits with a valid check digit"), ("oktmo", "oktmo", RegistryCode.isValidOKTMO, "8 or 11 digits")] {
            let value = try input.text(field, at: path, lengths: 1...20, required: false)
            if let value, !valid(value) { throw WriteRefusal.invalid("\(path)\(field) must be \(what)") }
            if creating { row.set(column, value, "text") } else { row.change(column, value, "text") }
        }
        let licenceDate = try input.optionalDate("licenceIssuedOn", at: path)
        if let licenceDate, licenceDate > Self.today { throw WriteRefusal.invalid("\(path)licenceIssuedOn is in the future") }
        if creating { row.set("licence_issued_on", licenceDate, "date") } else { row.change("licence_issued_on", licenceDate, "date") }
        let settlement = try input.enumeration("settlement", at: path, in: ["urban", "rural"])
        if creating { row.set("settlement", settlement ?? "urban", "text") } else { row.change("settlement", settlement, "text") }
        row.set("card_effective_on", try input.optionalDate("effectiveOn", at: path) ?? Self.today, "date")
    }

    /// Today, for checks of input before any SQL (the database's `current_date` decides the rules).
    static var today: String { DateScalar.today }

    /// `createOrganization`: an organization of a municipality, or a branch of a parent.
    func createOrganization(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let inn = try input.text("inn", at: path, lengths: 10...10)!
        guard RegistryCode.isValidINN(inn) else { throw WriteRefusal.invalid("\(path)inn must be 10 digits with a valid check digit") }
        let parent = try input.optionalID("parentOrganizationId", at: path)
        let municipality = try input.optionalID("municipalityId", at: path)
        let statement = WriteStatement()
        var row = RowValues(statement)
        row.set("kind", try input.enumeration("kind", at: path, in: Self.organizationKinds, required: true), "text")
        row.set("inn", inn, "text")
        try self.card(input, into: &row, path: path, creating: true)
        let source: String
        if let parent {
            if municipality != nil { throw WriteRefusal.invalid("\(path)municipalityId: a branch is in its parent's municipality; give one of them") }
            guard input["kpp"]?.text != nil else { throw WriteRefusal.invalid("\(path)kpp is required for a branch") }
            // A branch shares its parent's INN.
            source = """
                SELECT p.region_id, p.municipality_id, p.id AS parent_organization_id, \(row.selectList()) FROM eduql.organizations p \
                WHERE p.id = \(statement.bind(parent, "int8")) AND \(self.policy.predicate(.organizations, alias: "p")) \
                AND p.inn = \(statement.bind(inn, "text"))
                """
        } else {
            guard let municipality else { throw WriteRefusal.invalid("\(path)municipalityId is required") }
            source = """
                SELECT m.region_id, m.id AS municipality_id, NULL::bigint AS parent_organization_id, \(row.selectList()) \
                FROM eduql.municipalities m WHERE m.id = \(statement.bind(municipality, "int8")) AND \(self.policy.predicate(.municipalities, alias: "m"))
                """
        }
        let query = statement.insert(into: .organizations, columns: ["region_id", "municipality_id", "parent_organization_id"] + row.columns,
                                     from: source, rule: try self.rule(.organizations, .insert))
        let notFound = parent == nil ? "not a municipality you can see" : "not an organization you can see with this INN (a branch keeps its parent's INN)"
        let id = try await self.run(query, parent == nil ? "input.municipalityId" : "input.parentOrganizationId", notFound: notFound,
                                    refused: "not yours to register: outside your municipality, or the parent is closed").ids[0]
        return Written(type: "Organization", table: .organizations, ids: [id], many: false, learnerIDs: [], rows: 1)
    }

    /// `updateOrganization`: the fields given change from the effective date on.
    func updateOrganization(_ arguments: [String: Map]) async throws -> Written {
        let organization = try arguments.requiredID("organizationId", at: "")
        guard let input = arguments.object("input") else { throw WriteRefusal.invalid("input is required") }
        let statement = WriteStatement()
        var row = RowValues(statement)
        try self.card(input, into: &row, path: "input.", creating: false)
        guard row.columns.count > 1 else { throw WriteRefusal.invalid("input: name at least one field to change") }
        let effective = row.changes["card_effective_on"] as? String ?? Self.today
        let rule = try self.rule(.organizations, .update)
        let query = statement.update(
            .organizations, where: "w_old.id = \(statement.bind(organization, "int8")) AND \(statement.bind(effective, "date")) >= w_old.card_effective_on",
            set: try statement.bind(json: row.changes), columns: row.columns, rule: rule,
            check: self.policy.writeRule(.organizations)?.updateCheck ?? rule)
        try await self.run(query, "organizationId", notFound: "not an organization you can see, or effectiveOn is before its card's current version",
                           refused: "not yours to change, or closed (read-only)")
        return Written(type: "Organization", table: .organizations, ids: [organization], many: false, learnerIDs: [], rows: 1)
    }

    /// Closes an organization under the caller's update rule: its status, the day and (for a
    /// merger) the organization it went into.
    func close(_ organization: Int, status: String, on: String, into: Int?, path: String) async throws {
        let statement = WriteStatement()
        var changes: [String: Any] = ["status": status, "closed_on": on, "card_effective_on": on]
        changes["merged_into_id"] = into ?? NSNull()
        let rule = try self.rule(.organizations, .update)
        let query = statement.update(
            .organizations, where: "w_old.id = \(statement.bind(organization, "int8")) AND \(statement.bind(on, "date")) >= w_old.card_effective_on",
            set: try statement.bind(json: changes), columns: ["status", "closed_on", "card_effective_on", "merged_into_id"], rule: rule,
            check: self.policy.writeRule(.organizations)?.updateCheck ?? rule)
        try await self.run(query, path, notFound: "not an organization you can see, or the date is before its card's current version",
                           refused: "not yours to close, or closed already")
    }

    /// Whether the caller's update rule lets it change `organization` (active, in its scope).
    func checkGoverns(_ organization: Int, path: String) async throws {
        try await self.requireRow(.organizations, organization, meeting: try self.rule(.organizations, .update), path: path,
                                  refusal: "not an active organization of your scope")
    }

    /// `reorganizeOrganization`: merges one organization into another.
    func reorganizeOrganization(_ input: [String: Map]) async throws -> Written {
        let source = try input.requiredID("organizationId", at: "input.")
        let target = try input.requiredID("intoOrganizationId", at: "input.")
        let on = try input.date("on", at: "input.")
        let order = try input.text("orderNumber", at: "input.", lengths: 1...50)!
        guard source != target else { throw WriteRefusal.invalid("input.intoOrganizationId: an organization is not merged into itself") }
        try await self.checkGoverns(source, path: "input.organizationId")
        try await self.checkGoverns(target, path: "input.intoOrganizationId")
        let statement = WriteStatement()
        let kinds = try await self.connection.guardedQuery(statement.query("""
            SELECT a.kind = b.kind FROM eduql.organizations a, eduql.organizations b \
            WHERE a.id = \(statement.bind(source, "int8")) AND b.id = \(statement.bind(target, "int8"))
            """), logger: self.logger).collect().first?.decode(Bool.self)
        guard kinds == true else { throw WriteRefusal.invalid("input.intoOrganizationId: an organization is merged into one of its own kind") }
        let merge = WriteStatement()
        let moved = try await self.connection.guardedQuery(merge.query("""
            SELECT eduql.merge_organization(\(merge.bind(source, "int8")), \(merge.bind(target, "int8")), \(merge.bind(on, "date")), \
            \(merge.bind(order, "text")))
            """), logger: self.logger).collect().first?.decode(Int.self) ?? 0
        let learners = try await self.connection.guardedQuery(merge.query("""
            SELECT coalesce(array_agg(m.learner_id ORDER BY m.learner_id), '{}') FROM eduql.movements m \
            WHERE m.kind = 'reorganized' AND m.other_organization_id = \(merge.bind(source, "int8"))
            """), logger: self.logger).collect().first?.decode([Int].self) ?? []
        return Written(type: "Organization", table: .organizations, ids: [target], many: false, learnerIDs: learners, rows: 2 + moved)
    }

    /// `liquidateOrganization`: refused while learners, applications or branches depend on it.
    func liquidateOrganization(_ input: [String: Map]) async throws -> Written {
        let organization = try input.requiredID("organizationId", at: "input.")
        let on = try input.date("on", at: "input.")
        _ = try input.text("orderNumber", at: "input.", lengths: 1...50)
        try await self.checkGoverns(organization, path: "input.organizationId")
        let statement = WriteStatement()
        let obstacle = try await self.connection.guardedQuery(statement.query("""
            SELECT nullif(eduql.liquidation_obstacle(\(statement.bind(organization, "int8"))), '')
            """), logger: self.logger).collect().first?.decode(String?.self)
        if let obstacle { throw WriteRefusal.invalid("input.organizationId: cannot be liquidated while \(obstacle)") }
        try await self.close(organization, status: "liquidated", on: on, into: nil, path: "input.organizationId")
        return Written(type: "Organization", table: .organizations, ids: [organization], many: false, learnerIDs: [], rows: 1)
    }
}
