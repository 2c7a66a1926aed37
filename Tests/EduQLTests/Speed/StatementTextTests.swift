import EduQLAccessControl
@testable import EduQLResolvers
import Foundation
import GraphQL
import OrderedCollections
import Testing

/// A statement's text depends on the document and the shape of its variables, never on their
/// values: every value is a `$n` parameter, so one prepared statement serves every request of
/// the same shape.
@Suite("Statement text")
struct StatementTextTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var path: String
        var policy: String
        var first: [String: Map]
        var second: [String: Map]
        var testDescription: String { self.path }
    }

    static let cases: [Case] = [
        Case(path: "parent/diary-week.graphql", policy: "parent",
             first: ["learnerId": "609", "from": "2026-09-07", "to": "2026-09-13"],
             second: ["learnerId": "610", "from": "2026-10-05", "to": "2026-10-11"]),
        Case(path: "school-portal/class-page.graphql", policy: "school_admin", first: ["classId": "21"], second: ["classId": "22"]),
        Case(path: "teacher/journal-page.graphql", policy: "teacher",
             first: ["classId": "21", "subjectId": "101", "from": "2026-09-01", "to": "2026-09-30"],
             second: ["classId": "22", "subjectId": "102", "from": "2026-10-01", "to": "2026-10-20"]),
        Case(path: "municipal-queue-desk/queue.graphql", policy: "mouo_admin", first: ["first": 15], second: ["first": 40, "after": .string(Data("cursor:15".utf8).base64EncodedString())]),
        Case(path: "integration/roster-export.graphql", policy: "region_admin", first: ["first": 100], second: ["first": 7, "after": .string(Data("cursor:7".utf8).base64EncodedString())]),
        Case(path: "parent/queue-position.graphql", policy: "parent", first: ["applicationId": "3"], second: ["applicationId": "4"]),
        Case(path: "region-dashboard/municipality-stats.graphql", policy: "region_admin", first: [:], second: [:]),
    ]

    static func policy(_ key: String) -> Policy {
        [Policy.parent, .schoolAdmin, .teacher, .mouoAdmin, .regionAdmin].first { $0.key == key }!
    }

    @Test("two requests of one shape compile to the same text with other parameters", arguments: cases)
    func sameText(_ example: Case) throws {
        // Compiled afresh each time, not taken from the plan cache: the texts are compared.
        var plans = PlanCache.Configuration()
        plans.enabled = false
        let engine = GraphQLEngine(plans: plans)
        let policy = Self.policy(example.policy)
        let prepared = try engine.prepare(try ConsumerDocuments.text(example.path), for: policy)
        let acting = ActingAs.user(tokenSHA256: Data(repeating: 1, count: 32), assignmentID: 1, idleSeconds: 1800, regionID: 1)
        let one = try engine.plan(prepared, operationName: nil, variables: .dictionary(.init(uniqueKeysWithValues: example.first.map { ($0, $1) })),
                                  policy: policy, actingAs: acting)
        let two = try engine.plan(prepared, operationName: nil, variables: .dictionary(.init(uniqueKeysWithValues: example.second.map { ($0, $1) })),
                                  policy: policy, actingAs: acting)
        #expect(one.roots.count == two.roots.count)
        for (a, b) in zip(one.roots, two.roots) {
            guard case .statement(let first) = a, case .statement(let second) = b else { continue }
            #expect(first.sql == second.sql, "the text differs between values of the same shape")
            #expect(first.parameters.count == second.parameters.count)
        }
    }
}
