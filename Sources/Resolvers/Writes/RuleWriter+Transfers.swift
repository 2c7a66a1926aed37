import EduQLAccessControl
import EduQLSchema
import GraphQL
import PostgresNIO

/// Transfers to another organization: the leaving school asks, the municipality confirms one
/// between two of its schools, the arriving school accepts the learner into a class (or declines).
extension RuleWriter {
    static let transferColumns = [
        "region_id", "municipality_id", "organization_id", "learner_id", "learner_name", "enrollment_id", "to_municipality_id",
        "to_organization_id", "transfer_on", "order_number", "reason", "status",
    ]

    /// `transferToOrganization`: the request, awaiting the municipality's confirmation when both
    /// organizations are its own, or else the arriving organization.
    func requestTransfer(_ input: [String: Map]) async throws -> Written {
        let learner = try input.requiredID("learnerId", at: "input.")
        let destination = try input.requiredID("toOrganizationId", at: "input.")
        let on = try input.date("on", at: "input.")
        let order = try input.text("orderNumber", at: "input.", lengths: 1...50)!
        let reason = try input.text("reason", at: "input.", lengths: 1...500, required: false)
        let statement = WriteStatement()
        let source = """
            SELECT e.region_id, e.municipality_id, e.organization_id, e.learner_id, concat_ws(' ', x.last_name, x.first_name, x.middle_name) AS learner_name, \
            e.id AS enrollment_id, d.municipality_id AS to_municipality_id, \(statement.bind(destination, "int8")) AS to_organization_id, \
            \(statement.bind(on, "date")) AS transfer_on, \(statement.bind(order, "text")) AS order_number, \(statement.bind(reason, "text")) AS reason, \
            CASE WHEN d.municipality_id = e.municipality_id THEN 'awaiting_confirmation' ELSE 'awaiting_arrival' END AS status \
            FROM eduql.enrollments e JOIN eduql.learners x ON x.id = e.learner_id \
            CROSS JOIN LATERAL (SELECT eduql.admitting_organization_municipality(\(statement.bind(destination, "int8"))) AS municipality_id) d \
            WHERE e.learner_id = \(statement.bind(learner, "int8")) AND e.status = 'active' AND d.municipality_id IS NOT NULL \
            AND e.organization_id <> \(statement.bind(destination, "int8")) AND \(self.policy.predicate(.learners, alias: "x"))
            """
        let query = statement.insert(into: .transfers, columns: Self.transferColumns, from: source, rule: try self.rule(.transfers, .insert),
                                     learner: "learner_id")
        let written = try await self.run(query, "input", notFound: "learnerId has no current enrollment you can see, or toOrganizationId is "
                                             + "not another active organization of your region",
                                         refused: "not yours to transfer — the learner is not of your school, or the date is more than a month ahead")
        return Written(type: "Transfer", table: .transfers, ids: written.ids, many: false, learnerIDs: written.learners, rows: 1)
    }

    /// `confirmTransfer` (the municipality) and `declineTransfer` (the municipality before it
    /// confirms, the arriving organization before it accepts).
    func decideTransfer(_ arguments: [String: Map], confirm: Bool) async throws -> Written {
        let transfer = try arguments.requiredID("transferId", at: "")
        guard let rule = self.policy.writeRule(.transfers), let filter = rule.rows(.update), let check = rule.updateCheck else {
            throw WriteRefusal.forbidden("you may not decide transfers")
        }
        let statement = WriteStatement()
        let changes = confirm ? "'{\"status\": \"awaiting_arrival\"}'::jsonb" : "jsonb_build_object('status', 'declined', 'decided_at', now())"
        let columns = confirm ? ["status"] : ["status", "decided_at"]
        let query = statement.update(.transfers, where: "w_old.id = \(statement.bind(transfer, "int8"))", set: changes, columns: columns,
                                     rule: filter, check: confirm ? check.and("{t}.status = 'awaiting_arrival'") : check, learner: "x.learner_id")
        let written = try await self.run(query, "transferId", notFound: "no such transfer",
                                         refused: "not yours to \(confirm ? "confirm" : "decline") — not awaiting your decision")
        return Written(type: "Transfer", table: .transfers, ids: written.ids, many: false, learnerIDs: written.learners, rows: 1)
    }

    /// `acceptTransfer`: the arriving school's rule on the transfer and on the enrollment it
    /// starts, then `eduql.complete_transfer`, which moves the learner (and checks again).
    func acceptTransfer(_ arguments: [String: Map]) async throws -> Written {
        let transfer = try arguments.requiredID("transferId", at: "")
        let klass = try arguments.requiredID("classId", at: "")
        let order = try arguments.text("orderNumber", at: "", lengths: 1...50)!
        let accept = try self.rule(.transfers, .update)
        let check = self.policy.writeRule(.transfers)?.updateCheck ?? accept
        let enroll = try self.rule(.enrollments, .insert)
        let statement = WriteStatement()
        let id = statement.bind(transfer, "int8")
        let classID = statement.bind(klass, "int8")
        let query = statement.query("""
            WITH c AS (SELECT w_old.id, w_old.learner_id, coalesce(\(accept.sql(alias: "w_old")), false) AND coalesce(\(check.sql(alias: "w_new")), false) \
            AND coalesce(\(enroll.sql(alias: "t")), false) AS allowed \
            FROM eduql.transfers w_old CROSS JOIN LATERAL jsonb_populate_record(w_old, '{"status": "completed"}'::jsonb) w_new \
            CROSS JOIN LATERAL (SELECT k.region_id, k.municipality_id, k.organization_id, w_old.learner_id, k.id AS class_id, k.academic_year_id, \
            w_old.transfer_on AS enrolled_on FROM eduql.classes k WHERE k.id = \(classID)) t WHERE w_old.id = \(id)), \
            w AS (SELECT eduql.complete_transfer(c.id, \(classID), \(statement.bind(order, "text"))) AS arrival, c.id, c.learner_id \
            FROM c WHERE c.allowed) \
            SELECT (SELECT count(*) FROM c)::int, (SELECT count(*) FROM c WHERE NOT allowed)::int, \
            ARRAY(SELECT id FROM w WHERE arrival IS NOT NULL), ARRAY(SELECT learner_id FROM w WHERE arrival IS NOT NULL)
            """)
        let written = try await self.run(query, "transferId", notFound: "no such transfer, or classId is not a class you can see",
                                         refused: "not yours to accept — not awaiting your arrival, or the class is not yours in the year of the transfer")
        return Written(type: "Transfer", table: .transfers, ids: written.ids, many: false, learnerIDs: written.learners, rows: 4)
    }
}
