import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// Guardians of a school's learners: linked with the kind of link and the day of consent to
/// processing the data, and unlinked — a parent sees a child only while linked.
extension RuleWriter {
    static let relations: Set<String> = ["mother", "father", "guardian", "trustee", "legal_representative"]

    /// `linkGuardian`.
    func linkGuardian(_ input: [String: Map]) async throws -> Written {
        let learner = try input.requiredID("learnerId", at: "input.")
        try await self.link(input, learner: learner, path: "input.")
        return Written(type: "Learner", table: .learners, ids: [learner], many: false, learnerIDs: [learner], rows: 1)
    }

    /// `unlinkGuardian`.
    func unlinkGuardian(_ arguments: [String: Map]) async throws -> Written {
        let learner = try arguments.requiredID("learnerId", at: "")
        let guardian = try arguments.requiredID("guardianId", at: "")
        let statement = WriteStatement()
        let rule = try self.rule(.guardianLearners, .delete)
        let query = statement.query("""
            WITH c AS (SELECT x.guardian_id, x.learner_id, coalesce(\(rule.sql(alias: "x")), false) AS allowed FROM eduql.guardian_learners x \
            WHERE x.learner_id = \(statement.bind(learner, "int8")) AND x.guardian_id = \(statement.bind(guardian, "int8")) \
            AND \(self.policy.predicate(.guardianLearners, alias: "x"))), \
            w AS (DELETE FROM eduql.guardian_learners x USING c WHERE x.guardian_id = c.guardian_id AND x.learner_id = c.learner_id \
            AND NOT EXISTS (SELECT 1 FROM c WHERE NOT allowed) RETURNING x.guardian_id AS id, x.learner_id) \
            \(WriteStatement.report)
            """)
        try await self.run(query, "guardianId", notFound: "no such link to a learner you can see", refused: "not yours to unlink")
        return Written(type: "Learner", table: .learners, ids: [learner], many: false, learnerIDs: [learner], rows: 1)
    }
}
