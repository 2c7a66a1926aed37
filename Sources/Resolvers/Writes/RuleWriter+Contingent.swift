import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// Admissions, moves between a school's classes, expulsion and graduation: each ends or starts
/// enrollments and records a movement, by an order, under the contingent's write rules.
extension RuleWriter {
    static let enrollmentColumns = ["region_id", "municipality_id", "organization_id", "learner_id", "class_id", "academic_year_id", "enrolled_on"]
    static let movementColumns = [
        "region_id", "municipality_id", "organization_id", "learner_id", "enrollment_id", "kind", "occurred_on", "other_organization_id",
        "order_number", "reason", "class_id", "other_class_id",
    ]
    static let refusedClass = "not a class of your school in the academic year of the date, or the date is more than a month ahead"

    /// `admitLearner`: a new learner (or one of the school's without a current enrollment), its
    /// guardians, the enrollment and the movement.
    func admitLearner(_ input: [String: Map]) async throws -> Written {
        let klass = try input.requiredID("classId", at: "input.")
        let on = try input.date("on", at: "input.")
        let order = try input.text("orderNumber", at: "input.", lengths: 1...50)!
        let learner: Int
        if let existing = try input.optionalID("learnerId", at: "input.") {
            guard input.object("learner") == nil else { throw WriteRefusal.invalid("input: give learnerId or learner, not both") }
            learner = try await self.readmittable(existing)
        } else if let card = input.object("learner") {
            learner = try await self.newLearner(card, klass: klass)
        } else {
            throw WriteRefusal.invalid("input: give learnerId or learner")
        }
        if case .array(let links)? = input["guardians"] {
            for (index, link) in links.enumerated() {
                guard case .dictionary(let fields) = link else { throw WriteRefusal.invalid("input.guardians[\(index)] must be an object") }
                try await self.link(Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) }), learner: learner,
                                    path: "input.guardians[\(index)].")
            }
        }
        let enrollment = try await self.enroll(learner, klass: klass, on: on, path: "input.classId")
        try await self.recordMovement("admitted", enrollment: enrollment, on: on, order: order, reason: nil, klass: "e.class_id")
        return Written(type: "Learner", table: .learners, ids: [learner], many: false, learnerIDs: [learner], rows: 1)
    }

    /// A learner of the caller's school (its read rows) holding no current enrollment.
    func readmittable(_ learner: Int) async throws -> Int {
        let statement = WriteStatement()
        let query = statement.query("""
            SELECT x.id FROM eduql.learners x WHERE x.id = \(statement.bind(learner, "int8")) AND \(self.policy.predicate(.learners, alias: "x")) \
            AND x.organization_id = eduql.current_organization_id() \
            AND NOT EXISTS (SELECT 1 FROM eduql.enrollments e WHERE e.learner_id = x.id AND e.status = 'active')
            """)
        guard try await self.connection.guardedQuery(query, logger: self.logger).collect().first != nil else {
            throw WriteRefusal.forbidden("input.learnerId: not a learner of your school without a current enrollment (another school's learner comes by transfer)")
        }
        return learner
    }

    /// Inserts a new learner's card in the class's organization.
    func newLearner(_ card: [String: Map], klass: Int) async throws -> Int {
        let statement = WriteStatement()
        var row = RowValues(statement)
        try Self.learnerCard(card, into: &row, path: "input.learner.", creating: true)
        let source = """
            SELECT k.region_id, k.municipality_id, k.organization_id, \(row.selectList()) FROM eduql.classes k \
            WHERE k.id = \(statement.bind(klass, "int8")) AND \(self.policy.predicate(.classes, alias: "k"))
            """
        let query = statement.insert(into: .learners, columns: ["region_id", "municipality_id", "organization_id"] + row.columns,
                                     from: source, rule: try self.rule(.learners, .insert), learner: "id")
        return try await self.run(query, "input.classId", notFound: "not a class you can see", refused: Self.refusedClass).ids[0]
    }

    /// Links a guardian — one the school already knows, or a new one — to the learner.
    func link(_ link: [String: Map], learner: Int, path: String) async throws {
        let relation = link["relation"]?.text?.lowercased() ?? ""
        guard Self.relations.contains(relation) else { throw WriteRefusal.invalid("\(path)relation is required") }
        let consent = try link.optionalDate("consentOn", at: path)
        if let consent, consent > Self.today { throw WriteRefusal.invalid("\(path)consentOn is in the future") }
        let guardian: Int
        if let existing = try link.optionalID("guardianId", at: path) {
            let statement = WriteStatement()
            let query = statement.query("""
                SELECT g.id FROM eduql.guardians g WHERE g.id = \(statement.bind(existing, "int8")) AND \(self.policy.predicate(.guardians, alias: "g"))
                """)
            guard try await self.connection.guardedQuery(query, logger: self.logger).collect().first != nil else {
                throw WriteRefusal.forbidden("\(path)guardianId: not a guardian of your school's learners")
            }
            guardian = existing
        } else if let person = link.object("guardian") {
            let at = path + "guardian."
            let statement = WriteStatement()
            let values = try [("lastName", "last_name", true), ("firstName", "first_name", true), ("middleName", "middle_name", false),
                              ("phone", "phone", false), ("email", "email", false), ("snils", "snils", false), ("address", "address", false)]
                .map { field, column, required in
                    try statement.bind(person.text(field, at: at, lengths: 1...200, required: required), "text") + " AS \(column)"
                }
            // The birth date, with SNILS and last name, is what ЕСИА sign-in matches.
            let birthDate = try person.optionalDate("birthDate", at: at)
            if let birthDate, birthDate <= "1900-01-01" || birthDate > Self.today {
                throw WriteRefusal.invalid("\(at)birthDate must be a past date after 1900")
            }
            let source = "SELECT l.region_id, \(values.joined(separator: ", ")), \(statement.bind(birthDate, "date")) AS birth_date FROM eduql.learners l WHERE l.id = \(statement.bind(learner, "int8"))"
            let query = statement.insert(into: .guardians, columns: ["region_id", "last_name", "first_name", "middle_name", "phone", "email", "snils", "address", "birth_date"],
                                         from: source, rule: try self.rule(.guardians, .insert))
            guardian = try await self.run(query, path, notFound: "the learner is not yours", refused: "not yours to add").ids[0]
        } else {
            throw WriteRefusal.invalid("\(path): give guardianId or guardian")
        }
        let statement = WriteStatement()
        let source = """
            SELECT l.region_id, \(statement.bind(guardian, "int8")) AS guardian_id, l.id AS learner_id, \(statement.bind(relation, "text")) AS relation, \
            \(statement.bind(consent, "date")) AS consent_on FROM eduql.learners l WHERE l.id = \(statement.bind(learner, "int8")) \
            AND \(self.policy.predicate(.learners, alias: "l"))
            """
        let query = statement.insert(into: .guardianLearners, columns: ["region_id", "guardian_id", "learner_id", "relation", "consent_on"], from: source,
                                     rule: try self.rule(.guardianLearners, .insert), conflict: "ON CONFLICT DO NOTHING",
                                     id: "guardian_id", learner: "learner_id")
        try await self.run(query, path, notFound: "the learner is not yours", refused: "not yours to link", conflictsSkipped: true)
    }

    /// Starts an enrollment in `klass` on `on`; its id.
    func enroll(_ learner: Int, klass: Int, on: String, path: String) async throws -> Int {
        let statement = WriteStatement()
        let source = """
            SELECT k.region_id, k.municipality_id, k.organization_id, \(statement.bind(learner, "int8")) AS learner_id, k.id AS class_id, \
            k.academic_year_id, \(statement.bind(on, "date")) AS enrolled_on FROM eduql.classes k WHERE k.id = \(statement.bind(klass, "int8"))
            """
        let query = statement.insert(into: .enrollments, columns: Self.enrollmentColumns, from: source, rule: try self.rule(.enrollments, .insert),
                                     learner: "learner_id")
        return try await self.run(query, path, notFound: "not a class you can see", refused: Self.refusedClass).ids[0]
    }

    /// Ends the learner's current enrollment on `on` with `status`; the enrollment's id.
    func endEnrollment(of learner: Int, status: String, on: String) async throws -> Int {
        let rule = try self.rule(.enrollments, .update)
        let statement = WriteStatement()
        let query = statement.update(
            .enrollments, where: "w_old.learner_id = \(statement.bind(learner, "int8")) AND w_old.status = 'active'",
            set: try statement.bind(json: ["status": status, "left_on": on]), columns: ["status", "left_on"],
            rule: rule, check: self.policy.writeRule(.enrollments)?.updateCheck ?? rule, learner: "x.learner_id")
        return try await self.run(query, "input.learnerId", notFound: "no current enrollment of a learner you can see",
                                  refused: "not yours to end — not enrolled in your school, or the date is more than a month ahead").ids[0]
    }

    /// Records a movement of `enrollment`; `klass` and `otherClass` are SQL over the enrollment `e`.
    func recordMovement(_ kind: String, enrollment: Int, on: String, order: String, reason: String?, otherOrganization: Int? = nil,
                        klass: String = "NULL::bigint", otherClass: Int? = nil) async throws {
        let statement = WriteStatement()
        let source = """
            SELECT e.region_id, e.municipality_id, e.organization_id, e.learner_id, e.id AS enrollment_id, \(statement.bind(kind, "text")) AS kind, \
            \(statement.bind(on, "date")) AS occurred_on, \(statement.bind(otherOrganization, "int8")) AS other_organization_id, \
            \(statement.bind(order, "text")) AS order_number, \(statement.bind(reason, "text")) AS reason, \(klass) AS class_id, \
            \(statement.bind(otherClass, "int8")) AS other_class_id FROM eduql.enrollments e WHERE e.id = \(statement.bind(enrollment, "int8"))
            """
        let query = statement.insert(into: .movements, columns: Self.movementColumns, from: source, rule: try self.rule(.movements, .insert),
                                     learner: "learner_id")
        try await self.run(query, "input", notFound: "no such enrollment", refused: "not yours to record")
    }

    /// `transferToClass`: the enrollment ends, one in the other class of the school starts.
    func transferToClass(_ input: [String: Map]) async throws -> Written {
        let learner = try input.requiredID("learnerId", at: "input.")
        let klass = try input.requiredID("classId", at: "input.")
        let on = try input.date("on", at: "input.")
        let order = try input.text("orderNumber", at: "input.", lengths: 1...50)!
        let reason = try input.text("reason", at: "input.", lengths: 1...500, required: false)
        let left = try await self.endEnrollment(of: learner, status: "transferred", on: on)
        let entered = try await self.enroll(learner, klass: klass, on: on, path: "input.classId")
        let check = WriteStatement()
        let same = try await self.connection.guardedQuery(check.query("""
            SELECT a.class_id = b.class_id FROM eduql.enrollments a, eduql.enrollments b \
            WHERE a.id = \(check.bind(left, "int8")) AND b.id = \(check.bind(entered, "int8"))
            """), logger: self.logger).collect().first?.decode(Bool.self)
        if same != false { throw WriteRefusal.invalid("input.classId: the learner is in this class already") }
        try await self.recordMovement("transferred", enrollment: left, on: on, order: order, reason: reason, klass: "e.class_id", otherClass: klass)
        return Written(type: "Learner", table: .learners, ids: [learner], many: false, learnerIDs: [learner], rows: 2)
    }

    /// `expelLearner`, `graduateLearner`: the enrollment ends with `status`, and a movement records it.
    func leave(_ input: [String: Map], status: String) async throws -> Written {
        let learner = try input.requiredID("learnerId", at: "input.")
        let on = try input.date("on", at: "input.")
        let order = try input.text("orderNumber", at: "input.", lengths: 1...50)!
        let reason = try input.text("reason", at: "input.", lengths: 1...500, required: false)
        let enrollment = try await self.endEnrollment(of: learner, status: status, on: on)
        try await self.recordMovement(status, enrollment: enrollment, on: on, order: order, reason: reason, klass: "e.class_id")
        return Written(type: "Learner", table: .learners, ids: [learner], many: false, learnerIDs: [learner], rows: 1)
    }
}
