import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// A parent's answers: withdrawing an application, and accepting or refusing a place offered.
extension RuleWriter {
    /// `withdrawQueueApplication`: an offer open on it is refused.
    func withdrawQueueApplication(_ arguments: [String: Map]) async throws -> Written {
        let application = try arguments.requiredID("applicationId", at: "")
        let reason = try arguments.text("reason", at: "", lengths: 1...500, required: false)
        let before = try await self.updateApplication(
            application, where: "w_old.status IN ('new', 'queued', 'allocated')",
            set: { _ in "jsonb_build_object('status', 'withdrawn', 'status_changed_at', now(), 'offer_expires_on', NULL)" },
            columns: ["status", "status_changed_at", "offer_expires_on"], refused: "not yours to withdraw — not waiting")
        if before == "allocated" { try await self.answerOffer(application, response: "refused") }
        try await self.recordQueueChange(application, from: before, to: "withdrawn", reason: reason ?? "Отозвано заявителем")
        return Written(type: "QueueApplication", table: .queueApplications, ids: [application], many: false, learnerIDs: [], rows: 1)
    }

    /// Marks the open offer of an application answered.
    func answerOffer(_ application: Int, response: String) async throws {
        guard let rule = self.policy.writeRule(.allocations), let filter = rule.rows(.update), let check = rule.updateCheck else {
            throw WriteRefusal.forbidden("you may not answer offers")
        }
        let statement = WriteStatement()
        let query = statement.update(.allocations, where: "w_old.application_id = \(statement.bind(application, "int8")) AND w_old.outcome = 'allocated' AND w_old.response IS NULL",
                                     set: "jsonb_build_object('response', \(statement.bind(response, "text")), 'responded_at', now())",
                                     columns: ["response", "responded_at"], rule: filter, check: check)
        try await self.run(query, "applicationId", notFound: "no open offer", refused: "not yours to answer")
    }

    /// `respondToOffer`: accepting enrolls the child (`eduql.accept_queue_offer`); refusing
    /// returns the application to its place in the queue.
    func respondToOffer(_ arguments: [String: Map]) async throws -> Written {
        let application = try arguments.requiredID("applicationId", at: "")
        guard case .bool(let accept)? = arguments["accept"] else { throw WriteRefusal.invalid("accept is required") }
        guard try await self.status(of: application) == "allocated" else { throw WriteRefusal.forbidden("applicationId: no open offer of yours") }
        if accept {
            // The caller's rule on the application, then the function, which checks the offer again and enrolls.
            let rule = try self.rule(.queueApplications, .update)
            let statement = WriteStatement()
            let enrolled = try await self.connection.guardedQuery(statement.query("""
                SELECT eduql.accept_queue_offer(w_old.id), (SELECT q.learner_id FROM eduql.queue_applications q WHERE q.id = w_old.id) \
                FROM eduql.queue_applications w_old WHERE w_old.id = \(statement.bind(application, "int8")) AND \(rule.sql(alias: "w_old"))
                """), logger: self.logger).collect().first?.decode((Int?, Int?).self)
            guard let enrolled, enrolled.0 != nil else {
                throw WriteRefusal.forbidden("applicationId: the offer is past its date, or the kindergarten has no group of the child's age")
            }
            return Written(type: "QueueApplication", table: .queueApplications, ids: [application], many: false,
                           learnerIDs: enrolled.1.map { [$0] } ?? [], rows: 4)
        }
        try await self.updateApplication(application, where: "w_old.status = 'allocated'",
                                         set: { _ in "jsonb_build_object('status', 'queued', 'status_changed_at', now(), 'offer_expires_on', NULL)" },
                                         columns: ["status", "status_changed_at", "offer_expires_on"], refused: "no open offer of yours")
        try await self.answerOffer(application, response: "refused")
        try await self.recordQueueChange(application, from: "allocated", to: "queued", reason: "Место отклонено заявителем")
        return Written(type: "QueueApplication", table: .queueApplications, ids: [application], many: false, learnerIDs: [], rows: 2)
    }
}
