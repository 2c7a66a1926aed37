import EduQLAccessControl
@testable import EduQLResolvers
import GraphQL
import NIOCore
import OrderedCollections
import PostgresNIO
import Testing

extension PlanCacheTests {
    static let lessonEntry = """
        mutation Record($lesson: ID!, $marks: [MarkInput!]!, $absent: [AttendanceInput!]!) {
          recordMarks(lessonId: $lesson, marks: $marks) { id value learner { id } }
          recordAttendance(lessonId: $lesson, records: $absent) @include(if: true) { code }
        }
        """

    /// The read-back roots of one lesson entry whose writes wrote `marks` (ids) and `absent` (learners).
    static func readBacks(_ engine: GraphQLEngine, lesson: Int, marks: [Int], absent: [Int]) throws -> [Statement] {
        let values: [String: Map] = [
            "lesson": .string("\(lesson)"),
            "marks": .array(marks.map { .dictionary(["learnerId": .string("\($0 + 1000)"), "value": 5]) }),
            "absent": .array(absent.map { .dictionary(["learnerId": .string("\($0)"), "code": "ABSENT"]) }),
        ]
        let plan = try engine.plan(try engine.prepare(Self.lessonEntry, for: .teacher), operationName: nil, variables: Self.variables(values),
                                   policy: .teacher, actingAs: Self.acting)
        let outcomes = [JournalWrite.Outcome(ids: marks, learnerIDs: marks.map { $0 + 1000 }, rows: marks.count),
                        JournalWrite.Outcome(ids: [], learnerIDs: absent, rows: absent.count)]
        return try zip(plan.mutations, outcomes).map { mutation, outcome in
            let write = try engine.journalWrite(mutation, policy: .teacher)
            guard case .statement(let statement) = try engine.result(of: mutation, wrote: outcome, by: write, policy: .teacher,
                                                                     actingAs: Self.acting) else { throw QueryError.badInput("no statement") }
            return statement
        }
    }

    @Test("a mutation's read-back compiles once per plan and kind of write, and binds each write's own rows as a fresh compile does")
    func readBacksCompileOnce() throws {
        let (cached, fresh) = (Self.engine(cached: true), Self.engine(cached: false))
        // Lists of one length: a list's length class is part of the variable shape.
        let writes = [(lesson: 10, marks: [101, 102], absent: [5, 6]), (lesson: 11, marks: [201, 202], absent: [7, 8]),
                      (lesson: 12, marks: [301, 303], absent: [9, 10]), (lesson: 12, marks: [304, 305], absent: [11, 12])]
        var parameters: [Set<[String]>] = [[], []]
        for write in writes {
            let statements = try Self.readBacks(cached, lesson: write.lesson, marks: write.marks, absent: write.absent)
            let expected = try Self.readBacks(fresh, lesson: write.lesson, marks: write.marks, absent: write.absent)
            #expect(statements.count == 2)
            for (index, (statement, other)) in zip(statements, expected).enumerated() {
                #expect(statement.sql == other.sql, "\(write)")
                #expect(statement.parameters.map(\.type) == other.parameters.map(\.type), "\(write)")
                #expect(statement.parameters.map(\.value) == other.parameters.map(\.value), "\(write)")
                parameters[index].insert(statement.parameters.map { "\($0.value.map { Array($0.readableBytesView) } ?? [])" })
            }
        }
        #expect(cached.plans.statistics.compiled == 2, "one read-back per field: the marks and the attendance")
        #expect(cached.plans.statistics.hits == 2 * (writes.count - 1))
        #expect(fresh.plans.statistics.compiled == 2 * writes.count)
        #expect(parameters.map(\.count) == [writes.count, writes.count], "each write bound its own rows")
    }

    @Test("another read policy or another kind of write never gets another's read-back")
    func readBacksPerPolicyAndKind() throws {
        let engine = Self.engine(cached: true)
        let text = "mutation($lesson: ID!, $marks: [MarkInput!]!) { recordMarks(lessonId: $lesson, marks: $marks) { id } }"
        let values = Self.variables(["lesson": "10", "marks": .array([.dictionary(["learnerId": "5", "value": 4])])])
        let plan = try engine.plan(try engine.prepare(text, for: .teacher), operationName: nil, variables: values, policy: .teacher,
                                   actingAs: Self.acting)
        let mutation = try #require(plan.mutations.first)
        let write = try engine.journalWrite(mutation, policy: .teacher)
        let outcome = JournalWrite.Outcome(ids: [1], learnerIDs: [5], rows: 1)
        var texts: Set<String> = []
        for policy in [Policy.teacher, .schoolAdmin, .teacher, .schoolAdmin] {
            guard case .statement(let statement) = try engine.result(of: mutation, wrote: outcome, by: write, policy: policy,
                                                                     actingAs: Self.acting) else { continue }
            texts.insert(statement.sql)
        }
        #expect(engine.plans.statistics.compiled == 2)
        #expect(texts.count == 2, "each read policy prints its own predicate")
        let written = Written(type: "Mark", table: .marks, ids: [1], many: true, learnerIDs: [5], rows: 1)
        _ = try engine.result(of: mutation, written: written, policy: .teacher, actingAs: Self.acting)
        #expect(engine.plans.statistics.compiled == 3, "a rule writer's read-back is a kind of its own")
    }
}

extension PlanCacheTests {
    @Test("an account's read-back is compiled once and binds each account's own id and one-time password, never the first one's")
    func credentialsReadBack() throws {
        let (cached, fresh) = (Self.engine(cached: true), Self.engine(cached: false))
        let text = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id login } temporaryPassword } }"
        var secrets: Set<[String]> = []
        for (id, password) in [(41, "first-secret-41"), (42, "second-secret-42"), (43, "third-secret-43")] {
            let values = Self.variables(["input": .dictionary(["login": .string("user\(id)"), "displayName": "A", "role": "TEACHER"])])
            var statements: [Statement] = []
            for engine in [cached, fresh] {
                let plan = try engine.plan(try engine.prepare(text, for: .regionAdmin), operationName: nil, variables: values,
                                           policy: .regionAdmin, actingAs: Self.acting)
                let mutation = try #require(plan.mutations.first)
                guard case .statement(let statement) = try engine.result(of: mutation, id: id, temporaryPassword: password, policy: .regionAdmin,
                                                                         actingAs: Self.acting) else { throw QueryError.badInput("no statement") }
                statements.append(statement)
            }
            #expect(statements[0].sql == statements[1].sql)
            #expect(statements[0].parameters.map(\.value) == statements[1].parameters.map(\.value), "\(id)")
            #expect(!statements[0].sql.contains(password), "the password is bound, not printed")
            let bound = statements[0].parameters.compactMap { $0.value.map { String(decoding: $0.readableBytesView, as: UTF8.self) } }
            #expect(bound.contains(password), "this account's password is the one bound")
            secrets.insert(bound)
        }
        #expect(cached.plans.statistics.compiled == 1)
        #expect(secrets.count == 3)
    }
}
