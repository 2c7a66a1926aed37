import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// A parent's side of the queue: filing an application, changing its kindergartens,
/// withdrawing it, and answering an offer.
extension RuleWriter {
    static let applicationColumns = [
        "id", "region_id", "municipality_id", "number", "applicant_guardian_id", "learner_id", "child_last_name", "child_first_name",
        "child_middle_name", "child_gender", "child_birth_date", "child_snils", "registered_at", "desired_start_on", "age_group",
        "benefit_category_id", "benefit_status", "benefit_document", "priority_rank", "status", "status_changed_at",
        "filed_by_client_id", "portal_number",
    ]

    /// The age group of a child born on `birth` (SQL) who starts on `start` (SQL): its age on
    /// 1 September of the academic year the start falls in.
    static func ageGroup(birth: String, start: String) -> String {
        """
        date_part('year', age(make_date(extract(year FROM \(start))::int - CASE WHEN extract(month FROM \(start)) < 9 THEN 1 ELSE 0 END, 9, 1), \
        \(birth)))::int
        """
    }

    /// A child's age on 1 September of the academic year `start` falls in (dates as
    /// `YYYY-MM-DD`), as ``ageGroup(birth:start:)`` computes it in SQL.
    static func age(born birth: String, starting start: String) -> Int? {
        let parts = [birth, start].map { $0.split(separator: "-").compactMap { Int($0) } }
        guard parts.allSatisfy({ $0.count == 3 }) else { return nil }
        let (born, begins) = (parts[0], parts[1])
        let year = begins[1] >= 9 ? begins[0] : begins[0] - 1
        return year - born[0] - ((born[1], born[2]) > (9, 1) ? 1 : 0)
    }

    /// 1–5 distinct kindergarten ids.
    static func choices(_ value: Map?, path: String) throws -> [Int] {
        guard case .array(let items)? = value, (1...5).contains(items.count) else { throw WriteRefusal.invalid("\(path) must name 1 to 5 kindergartens") }
        let ids = try items.enumerated().map { index, item in
            guard let text = item.text, let id = Int(text), id > 0 else { throw WriteRefusal.invalid("\(path)[\(index)] is not a valid id") }
            return id
        }
        guard Set(ids).count == ids.count else { throw WriteRefusal.invalid("\(path) names a kindergarten twice") }
        return ids
    }

    /// Refuses the first choice that is not an active kindergarten of the application's
    /// municipality with a group of the child's age.
    func checkChoices(_ choices: [Int], application: Int, path: String) async throws {
        let statement = WriteStatement()
        let query = statement.query("""
            SELECT c.n::int, EXISTS (SELECT 1 FROM eduql.organizations k WHERE k.id = c.id AND k.municipality_id = q.municipality_id \
            AND k.kind = 'kindergarten' AND k.status = 'active'), \
            EXISTS (SELECT 1 FROM eduql.kindergarten_capacities kc WHERE kc.organization_id = c.id AND kc.age_group = q.age_group), q.age_group::int \
            FROM unnest(\(statement.bind(choices, "int8[]"))) WITH ORDINALITY AS c(id, n) \
            CROSS JOIN eduql.queue_applications q WHERE q.id = \(statement.bind(application, "int8")) ORDER BY c.n
            """)
        for row in try await self.connection.guardedQuery(query, logger: self.logger).collect() {
            let (n, kindergarten, fits, age) = try row.decode((Int, Bool, Bool, Int).self)
            if !kindergarten { throw WriteRefusal.invalid("\(path)[\(n - 1)]: not a kindergarten of the application's municipality") }
            if !fits { throw WriteRefusal.invalid("\(path)[\(n - 1)]: has no group for the child's age (\(age))") }
        }
    }

    /// `fileQueueApplication`.
    func fileQueueApplication(_ input: [String: Map]) async throws -> Written {
        let municipality = try input.requiredID("municipalityId", at: "input.")
        let desired = try input.date("desiredStartOn", at: "input.")
        let choices = try Self.choices(input["choices"], path: "input.choices")
        let benefit = try input.optionalID("benefitCategoryId", at: "input.")
        let document = try input.text("benefitDocument", at: "input.", lengths: 1...100, required: benefit != nil)
        if benefit == nil, document != nil { throw WriteRefusal.invalid("input.benefitDocument goes with benefitCategoryId") }
        let statement = WriteStatement()
        let child: String
        if let learner = try input.optionalID("learnerId", at: "input.") {
            guard input.object("child") == nil else { throw WriteRefusal.invalid("input: give learnerId or child, not both") }
            child = """
                (SELECT x.id AS learner_id, x.last_name AS child_last_name, x.first_name AS child_first_name, x.middle_name AS child_middle_name, \
                x.gender AS child_gender, x.birth_date AS child_birth_date, x.snils AS child_snils FROM eduql.learners x \
                WHERE x.id = \(statement.bind(learner, "int8")) AND \(self.policy.predicate(.learners, alias: "x")))
                """
        } else if let card = input.object("child") {
            let path = "input.child."
            let gender = card["gender"]?.text?.lowercased()
            guard gender == "male" || gender == "female" else { throw WriteRefusal.invalid("\(path)gender is required") }
            let snils = try card.text("snils", at: path, lengths: 14...14, required: false)
            if let snils, snils.wholeMatch(of: /[0-9]{3}-[0-9]{3}-[0-9]{3} [0-9]{2}/) == nil { throw WriteRefusal.invalid("\(path)snils must read NNN-NNN-NNN NN") }
            let birth = try card.date("birthDate", at: path)
            guard let age = Self.age(born: birth, starting: desired), (0...7).contains(age) else {
                throw WriteRefusal.invalid("\(path)birthDate: the child is not of kindergarten age (0 to 7) on 1 September of the desired start's year")
            }
            child = """
                (SELECT NULL::bigint AS learner_id, \(statement.bind(try card.text("lastName", at: path, lengths: 1...100), "text")) AS child_last_name, \
                \(statement.bind(try card.text("firstName", at: path, lengths: 1...100), "text")) AS child_first_name, \
                \(statement.bind(try card.text("middleName", at: path, lengths: 1...100, required: false), "text")) AS child_middle_name, \
                \(statement.bind(gender, "text")) AS child_gender, \(statement.bind(birth, "date")) AS child_birth_date, \
                \(statement.bind(snils, "text")) AS child_snils)
                """
        } else {
            throw WriteRefusal.invalid("input: give learnerId or child")
        }
        let start = statement.bind(desired, "date")
        let category = statement.bind(benefit, "int8")
        // Filed through an integration: the client (as the database set it) and the portal's number.
        let portal = statement.bind(input["portalNumber"] == nil || input["portalNumber"] == .null ? nil : try Self.portalNumber(input), "text")
        let source = """
            SELECT x.*, format('%s-%s-%s', x.code, x.municipality_id, lpad(x.id::text, 6, '0')) AS number FROM (\
            SELECT nextval(pg_get_serial_sequence('eduql.queue_applications', 'id')) AS id, m.region_id, m.id AS municipality_id, r.code, \
            eduql.current_id('guardian_id') AS applicant_guardian_id, ch.*, now() AS registered_at, \(start) AS desired_start_on, \
            \(Self.ageGroup(birth: "ch.child_birth_date", start: start)) AS age_group, \(category) AS benefit_category_id, \
            CASE WHEN \(category) IS NULL THEN NULL ELSE 'claimed' END AS benefit_status, \(statement.bind(document, "text")) AS benefit_document, \
            3 AS priority_rank, 'new' AS status, now() AS status_changed_at, \
            eduql.current_id('client_id') AS filed_by_client_id, \(portal) AS portal_number \
            FROM eduql.municipalities m JOIN eduql.regions r ON r.id = m.region_id CROSS JOIN \(child) ch \
            WHERE m.id = \(statement.bind(municipality, "int8")) AND (\(category) IS NULL OR EXISTS (SELECT 1 FROM eduql.benefit_categories b \
            WHERE b.id = \(category) AND (b.municipality_id IS NULL OR b.municipality_id = m.id)))) x
            """
        let query = statement.insert(into: .queueApplications, columns: Self.applicationColumns, from: source,
                                     rule: try self.rule(.queueApplications, .insert))
        // A child past kindergarten age breaks the age group's check: BAD_USER_INPUT naming it.
        let application = try await self.run(query, "input", notFound: "the child is not yours, the municipality is not of your region, "
                                                 + "or the benefit category does not apply there",
                                             refused: "not yours to file").ids[0]
        try await self.checkChoices(choices, application: application, path: "input.choices")
        try await self.insertChoices(choices, application: application, path: "input.choices")
        try await self.recordQueueChange(application, from: nil, to: "new", reason: "Заявление подано")
        return Written(type: "QueueApplication", table: .queueApplications, ids: [application], many: false, learnerIDs: [], rows: 1 + choices.count)
    }

    /// Inserts an application's choices, in order, under the rule for choices.
    func insertChoices(_ choices: [Int], application: Int, path: String) async throws {
        let statement = WriteStatement()
        let source = """
            SELECT q.id AS application_id, c.rank::smallint AS rank, q.region_id, q.municipality_id, c.id AS organization_id \
            FROM eduql.queue_applications q, unnest(\(statement.bind(choices, "int8[]"))) WITH ORDINALITY AS c(id, rank) \
            WHERE q.id = \(statement.bind(application, "int8"))
            """
        let query = statement.insert(into: .queueChoices, columns: ["application_id", "rank", "region_id", "municipality_id", "organization_id"],
                                     from: source, rule: try self.rule(.queueChoices, .insert), id: "application_id")
        try await self.run(query, path, notFound: "no such application of yours", refused: "not yours to choose — the application is not waiting, "
                           + "or a choice is not an active kindergarten of its municipality")
    }

    /// Records a status change (or a decision that keeps the status) with who made it and why.
    func recordQueueChange(_ application: Int, from: String?, to: String, reason: String?) async throws {
        let statement = WriteStatement()
        let source = """
            SELECT q.region_id, q.municipality_id, q.id AS application_id, \(statement.bind(from, "text")) AS from_status, \
            \(statement.bind(to, "text")) AS to_status, now() AS changed_at, \(statement.bind(reason, "text")) AS reason, \
            \(Self.changedBy) \
            FROM eduql.queue_applications q WHERE q.id = \(statement.bind(application, "int8"))
            """
        let query = statement.insert(into: .queueStatusHistory, columns: [
            "region_id", "municipality_id", "application_id", "from_status", "to_status", "changed_at", "reason", "changed_by", "changed_by_name",
        ], from: source, rule: try self.rule(.queueStatusHistory, .insert))
        try await self.run(query, "applicationId", notFound: "no such application", refused: "not yours to record")
    }

    /// Updates one application under the caller's rule for applications; its status before.
    @discardableResult
    func updateApplication(_ application: Int, where condition: String = "true", set changes: (WriteStatement) -> String, columns: [String],
                           refused: String) async throws -> String {
        let statement = WriteStatement()
        guard let rule = self.policy.writeRule(.queueApplications), let filter = rule.rows(.update), let check = rule.updateCheck else {
            throw WriteRefusal.forbidden("you may not change queue applications")
        }
        let before = try await self.connection.guardedQuery(statement.query("""
            SELECT w_old.status FROM eduql.queue_applications w_old WHERE w_old.id = \(statement.bind(application, "int8")) AND \(self.policy.predicate(.queueApplications, alias: "w_old"))
            """), logger: self.logger).collect().first?.decode(String.self)
        guard let before else { throw WriteRefusal.forbidden("applicationId: no application of yours") }
        let update = WriteStatement()
        let query = update.update(.queueApplications, where: "w_old.id = \(update.bind(application, "int8")) AND \(condition)",
                                  set: changes(update), columns: columns, rule: filter, check: check)
        try await self.run(query, "applicationId", notFound: refused, refused: refused)
        return before
    }

    /// `changeQueueChoices`: the choices are replaced; the registration time stays.
    func changeQueueChoices(_ arguments: [String: Map]) async throws -> Written {
        let application = try arguments.requiredID("applicationId", at: "")
        let choices = try Self.choices(arguments["choices"], path: "choices")
        let statement = WriteStatement()
        let removal = statement.query("""
            WITH c AS (SELECT w_old.*, coalesce(\(try self.rule(.queueChoices, .delete).sql(alias: "w_old")), false) AS allowed \
            FROM eduql.queue_application_choices w_old WHERE w_old.application_id = \(statement.bind(application, "int8"))), \
            w AS (DELETE FROM eduql.queue_application_choices x USING c WHERE x.application_id = c.application_id AND x.rank = c.rank \
            AND NOT EXISTS (SELECT 1 FROM c WHERE NOT allowed) RETURNING x.application_id AS id, NULL::bigint AS learner_id) \
            \(WriteStatement.report)
            """)
        try await self.run(removal, "applicationId", notFound: "no waiting application of yours", refused: "not yours to change — not waiting")
        try await self.checkChoices(choices, application: application, path: "choices")
        try await self.insertChoices(choices, application: application, path: "choices")
        try await self.recordQueueChange(application, from: nil, to: try await self.status(of: application), reason: "Изменены желаемые детские сады")
        return Written(type: "QueueApplication", table: .queueApplications, ids: [application], many: false, learnerIDs: [], rows: choices.count)
    }

    /// An application's status, as the caller reads it.
    func status(of application: Int) async throws -> String {
        let statement = WriteStatement()
        let status = try await self.connection.guardedQuery(statement.query("""
            SELECT w_old.status FROM eduql.queue_applications w_old WHERE w_old.id = \(statement.bind(application, "int8")) AND \(self.policy.predicate(.queueApplications, alias: "w_old"))
            """), logger: self.logger).collect().first?.decode(String.self)
        guard let status else { throw WriteRefusal.forbidden("applicationId: no application of yours") }
        return status
    }
}
