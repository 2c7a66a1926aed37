import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// The municipality's decisions on one application: review, benefit, transfer.
extension RuleWriter {
    /// `reviewQueueApplication`: a new application is queued, or rejected with a reason.
    func reviewQueueApplication(_ arguments: [String: Map]) async throws -> Written {
        let application = try arguments.requiredID("applicationId", at: "")
        guard case .bool(let accept)? = arguments["accept"] else { throw WriteRefusal.invalid("accept is required") }
        let reason = try arguments.text("reason", at: "", lengths: 3...500, required: !accept)
        let status = accept ? "queued" : "rejected"
        try await self.updateApplication(application, where: "w_old.status = 'new'",
                                         set: { "jsonb_build_object('status', \($0.bind(status, "text")), 'status_changed_at', now())" },
                                         columns: ["status", "status_changed_at"],
                                         refused: "not yours to review — not a new application of your municipality")
        try await self.recordQueueChange(application, from: "new", to: status, reason: reason ?? "Документы подтверждены")
        return Written(type: "QueueApplication", table: .queueApplications, ids: [application], many: false, learnerIDs: [], rows: 1)
    }

    /// `decideBenefit`: a confirmed benefit gives its priority class; a refused one none.
    func decideBenefit(_ arguments: [String: Map]) async throws -> Written {
        let application = try arguments.requiredID("applicationId", at: "")
        guard case .bool(let confirm)? = arguments["confirm"] else { throw WriteRefusal.invalid("confirm is required") }
        let reason = try arguments.text("reason", at: "", lengths: 3...500, required: !confirm)
        let changes = confirm
            ? """
              jsonb_build_object('benefit_status', 'confirmed', 'priority_rank', (SELECT CASE b.priority WHEN 'out_of_turn' THEN 0 \
              WHEN 'first_turn' THEN 1 ELSE 2 END FROM eduql.benefit_categories b WHERE b.id = w_old.benefit_category_id))
              """
            : "jsonb_build_object('benefit_status', 'refused', 'priority_rank', 3)"
        let before = try await self.updateApplication(application, where: "w_old.benefit_status = 'claimed' AND w_old.status IN ('new', 'queued')",
                                                      set: { _ in changes }, columns: ["benefit_status", "priority_rank"],
                                                      refused: "not yours to decide — no claimed benefit on a waiting application of your municipality")
        try await self.recordQueueChange(application, from: before, to: before,
                                         reason: reason ?? (confirm ? "Льгота подтверждена" : "Льгота не подтверждена"))
        return Written(type: "QueueApplication", table: .queueApplications, ids: [application], many: false, learnerIDs: [], rows: 1)
    }

    /// `transferQueueApplication`: the caller's rule on the application, then
    /// `eduql.transfer_queue_application`, which moves it and checks again.
    func transferQueueApplication(_ arguments: [String: Map]) async throws -> Written {
        let application = try arguments.requiredID("applicationId", at: "")
        let destination = try arguments.requiredID("toMunicipalityId", at: "")
        let choices = try Self.choices(arguments["choices"], path: "choices")
        let reason = try arguments.text("reason", at: "", lengths: 3...500)!
        let rule = try self.rule(.queueApplications, .update)
        let statement = WriteStatement()
        let moved = try await self.connection.guardedQuery(statement.query("""
            SELECT eduql.transfer_queue_application(w_old.id, \(statement.bind(destination, "int8")), \(statement.bind(choices, "int8[]")), \
            \(statement.bind(reason, "text"))) FROM eduql.queue_applications w_old \
            WHERE w_old.id = \(statement.bind(application, "int8")) AND \(rule.sql(alias: "w_old"))
            """), logger: self.logger).collect().first?.decode(Int?.self)
        guard moved != nil else {
            throw WriteRefusal.forbidden("applicationId: not yours to transfer — not a waiting application of your municipality, or the destination "
                                         + "is not another municipality of the region, or a choice is not one of its kindergartens")
        }
        return Written(type: "QueueApplication", table: .queueApplications, ids: [application], many: false, learnerIDs: [], rows: 1)
    }
}
