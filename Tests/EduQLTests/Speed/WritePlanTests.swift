import EduQLAccessControl
@testable import EduQLResolvers
import EduQLServer
import Foundation
import GraphQL
import Logging
import OrderedCollections
import PostgresNIO
import Testing

/// A journal entry's write rules read its lesson per input row, by key. When the planner took an
/// entry's JSON rows for 100 (`jsonb_to_recordset`'s estimate), it checked the learners'
/// enrollment by hashing every lesson and enrollment of the region instead, and a lesson's
/// marks took ~50 ms on the demo data instead of ~1 ms (`eduql.input_rows`, migration 0046).
@Suite("Write plans")
struct WritePlanTests {
    let logger = Logger(label: "eduql-tests")

    static let documents = [
        "mutation($lesson: ID!, $marks: [MarkInput!]!) { recordMarks(lessonId: $lesson, marks: $marks) { id } }",
        "mutation($lesson: ID!, $records: [AttendanceInput!]!) { recordAttendance(lessonId: $lesson, records: $records) { code } }",
    ]

    /// Every text of `key` in an EXPLAIN (FORMAT JSON) plan (a string, or a list of them), at any depth.
    static func texts(_ key: String, in plan: Any) -> [String] {
        if let array = plan as? [Any] { return array.flatMap { Self.texts(key, in: $0) } }
        guard let node = plan as? [String: Any] else { return [] }
        return node.flatMap { name, value in name == key ? [value as? String].compactMap { $0 } + (value as? [String] ?? []) : Self.texts(key, in: value) }
    }

    /// The relations each subplan of an EXPLAIN (FORMAT JSON) plan reads, by its name (`SubPlan 7`).
    static func subplans(in plan: Any) -> [String: Set<String>] {
        if let array = plan as? [Any] { return array.reduce(into: [:]) { $0.merge(Self.subplans(in: $1)) { $0.union($1) } } }
        guard let node = plan as? [String: Any] else { return [:] }
        var found = node.filter { $0.key != "Subplan Name" }.values.reduce(into: [String: Set<String>]()) { $0.merge(Self.subplans(in: $1)) { $0.union($1) } }
        if let name = node["Subplan Name"] as? String { found[name, default: []].formUnion(Self.texts("Relation Name", in: node)) }
        return found
    }

    @Test("marks and attendance check their rules per input row by key under every policy that writes them, on a small region's data")
    func journalRulesPerRow() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (lesson, learners) = try await database.owner.withConnection(logger: self.logger) { connection in
            let lesson = try await connection.scalar("SELECT min(id) FROM eduql.lessons WHERE region_id = 1", as: Int.self)
            let learners = try await connection.column("""
                SELECT e.learner_id FROM eduql.enrollments e JOIN eduql.lessons l ON l.class_id = e.class_id
                WHERE l.id = \(lesson) ORDER BY e.learner_id LIMIT 5
                """, as: Int.self)
            return (lesson, learners)
        }
        #expect(learners.count == 5)
        var plans = PlanCache.Configuration()
        plans.enabled = false
        let engine = GraphQLEngine(plans: plans)
        let acting = ActingAs.user(tokenSHA256: Data(repeating: 1, count: 32), assignmentID: 1, idleSeconds: 1800, regionID: 1)
        let variables: OrderedDictionary<String, Map> = [
            "lesson": .string("\(lesson)"),
            "marks": .array(learners.map { .dictionary(["learnerId": .string("\($0)"), "value": 5]) }),
            "records": .array(learners.prefix(2).map { .dictionary(["learnerId": .string("\($0)"), "code": "ABSENT"]) }),
        ]
        let policies = [Policy.teacher, .homeroomTeacher, .schoolAdmin].filter { $0.writable(.marks, .insert) != nil }
        #expect(policies.count >= 2, "the teachers and the school write the journal")
        var planned = 0
        try await database.server.withConnection(logger: self.logger) { connection in
            // A statement prepared on a pooled connection runs custom plans first, and a generic one after if it is not dearer.
            for mode in ["force_custom_plan", "force_generic_plan"] {
                try await connection.execute(PostgresQuery(unsafeSQL: "SET plan_cache_mode = \(mode)"))
                for policy in policies {
                    for text in Self.documents {
                        let plan = try engine.plan(try engine.prepare(text, for: policy), operationName: nil, variables: .dictionary(variables),
                                                   policy: policy, actingAs: acting)
                        let write = try engine.journalWrite(try #require(plan.mutations.first), policy: policy)
                        let json = try await connection.scalar(
                            PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON, VERBOSE) " + write.statement.sql, binds: write.statement.bindings), as: String.self)
                        let explained = try JSONSerialization.jsonObject(with: Data(json.utf8))
                        let conditions = ["Output", "Filter", "Index Cond", "Join Filter", "One-Time Filter"].flatMap { Self.texts($0, in: explained) }
                        let relations = Set(Self.texts("Relation Name", in: explained))
                        #expect(relations.isSuperset(of: ["lessons", "enrollments"]), "\(policy.key) \(write.table): the rules read lessons and enrollments")
                        // A hashed subplan runs once over every row it may match. The lesson's rules read the lesson by key; the
                        // planner may still hash a small region's classes and terms for the term marks' rule, which a lesson's
                        // marks never evaluate.
                        let subplans = Self.subplans(in: explained)
                        let hashed = subplans.filter { name, read in read.contains("lessons") && conditions.contains { $0.contains("hashed \(name))") } }
                        #expect(hashed.isEmpty, "\(mode) \(policy.key) \(write.table): a rule hashes a whole region's lessons: \(hashed)")
                        planned += 1
                    }
                }
            }
        }
        #expect(planned == 2 * policies.count * Self.documents.count)
    }
}
