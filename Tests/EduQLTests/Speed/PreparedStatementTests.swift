import EduQLAccessControl
@testable import EduQLResolvers
@testable import EduQLServer
import Foundation
import GraphQL
import Logging
import OrderedCollections
import PostgresNIO
import Testing

/// Statements are prepared once per connection, then only bound and executed; their answers
/// are those of unprepared statements; a connection the server dropped is replaced and the
/// statement prepared again, with no error reaching the client.
@Suite("Prepared statements", .timeLimit(.minutes(3)))
struct PreparedStatementTests {
    let logger = Logger(label: "eduql-tests")

    /// A runner over one connection of the server's role, its engine, and a parent's session.
    func run(perConnection: Int = 256,
             _ body: @Sendable (QueryRunner, QueryRunner, GraphQLEngine, ActingAs, ClusterConnections) async throws -> Void) async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await database.withSession(of: "parent", logger: self.logger) { client, acting in
            var off = PreparedStatements.Configuration()
            off.enabled = false
            var on = PreparedStatements.Configuration()
            on.perConnection = perConnection
            try await body(QueryRunner(database: client, statements: PreparedStatements(configuration: on)),
                           QueryRunner(database: client, statements: PreparedStatements(configuration: off)),
                           GraphQLEngine(), acting, database)
        }
    }

    func diary(_ engine: GraphQLEngine, _ acting: ActingAs, learner: String, from: String, to: String) throws -> OperationPlan {
        let prepared = try engine.prepare(try ConsumerDocuments.text("parent/diary-week.graphql"), for: .parent)
        let variables: OrderedDictionary<String, Map> = ["learnerId": .string(learner), "from": .string(from), "to": .string(to)]
        return try engine.plan(prepared, operationName: nil, variables: .dictionary(variables), policy: .parent, actingAs: acting)
    }

    @Test("one preparation serves every request of one shape on a connection, with the answers of unprepared statements")
    func reused() async throws {
        try await self.run { runner, unprepared, engine, acting, _ in
            let weeks = [("2026-09-07", "2026-09-13"), ("2026-09-14", "2026-09-20"), ("2026-09-21", "2026-09-27"), ("2026-10-05", "2026-10-11")]
            var answers: [String] = []
            for learner in ["609", "610"] {
                for (from, to) in weeks {
                    let plan = try self.diary(engine, acting, learner: learner, from: from, to: to)
                    let prepared = try await runner.run(plan, logger: self.logger)
                    let plain = try await unprepared.run(plan, logger: self.logger)
                    #expect(prepared.data == plain.data)
                    #expect(prepared.learnerIDs == plain.learnerIDs)
                    answers.append(prepared.data)
                }
            }
            #expect(Set(answers).count > 1, "the weeks differ")
            #expect(runner.statements.statistics.prepared == 1)
            #expect(runner.statements.statistics.executed == 8)
            #expect(unprepared.statements.statistics.prepared == 0)
        }
    }

    @Test("a connection keeps at most its bound of statements, the least recently used going first")
    func bounded() async throws {
        try await self.run(perConnection: 1) { runner, _, engine, acting, _ in
            let diary = try self.diary(engine, acting, learner: "609", from: "2026-09-07", to: "2026-09-13")
            let me = try engine.plan(try engine.prepare("{ me { name } }", for: .parent), operationName: nil, variables: .null,
                                     policy: .parent, actingAs: acting)
            let first = try await runner.run(diary, logger: self.logger)
            _ = try await runner.run(me, logger: self.logger)
            let again = try await runner.run(diary, logger: self.logger)
            #expect(again.data == first.data)
            #expect(runner.statements.statistics == .init(prepared: 3, executed: 3, evicted: 2))
        }
    }

    @Test("a connection the server dropped is replaced, the statement prepared again, and the request answered")
    func reprepared() async throws {
        try await self.run { runner, _, engine, acting, database in
            let plan = try self.diary(engine, acting, learner: "609", from: "2026-09-07", to: "2026-09-13")
            let before = try await runner.run(plan, logger: self.logger)
            try await database.superuser.withConnection(logger: self.logger) { connection in
                _ = try await connection.query("""
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'eduql_app' AND datname = \(database.server.database)
                    """, logger: self.logger).collect()
            }
            try await Task.sleep(for: .milliseconds(200))
            let after = try await runner.run(plan, logger: self.logger)
            #expect(after.data == before.data)
            #expect(runner.statements.statistics.prepared == 2)
        }
    }

    @Test("principals interleaved on one pooled connection each get their own tenancy, never the one before")
    func interleavedPrincipals() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let school = try await database.actingAs("school.admin", logger: self.logger)
        let teacher = try await database.actingAs("teacher", logger: self.logger)
        let forged = ActingAs.user(tokenSHA256: Data(repeating: 7, count: 32), assignmentID: 1, idleSeconds: 1800, regionID: 1)
        try await database.withSession(of: "parent", logger: self.logger) { client, parent in
            // One connection: every statement below runs on it, one principal after another.
            let runner = QueryRunner(database: client, statements: PreparedStatements())
            let engine = GraphQLEngine()
            let ask = { @Sendable (policy: Policy, acting: ActingAs, document: String) async throws -> String in
                let plan = try engine.plan(try engine.prepare(document, for: policy), operationName: nil, variables: .null, policy: policy,
                                           actingAs: acting)
                return try await runner.run(plan, logger: self.logger).data
            }
            let otherChild = "{ learner(id: 611) { id lastName } }", ownChild = "{ learner(id: 609) { id lastName } }"
            // What each sees: the school's administrator sees learner 611, the parent only its own child.
            let schoolSees = try await ask(.schoolAdmin, school, otherChild)
            #expect(schoolSees.contains("\"611\"") && schoolSees.contains("lastName"), "\(schoolSees)")
            let teacherSees = try await ask(.teacher, teacher, "{ me { name } }")
            for round in 0..<3 {
                // The parent right after the school's administrator, on the same connection: still only its own.
                #expect(try await ask(.schoolAdmin, school, otherChild) == schoolSees, "round \(round)")
                let parentOther = try await ask(.parent, parent, otherChild)
                #expect(parentOther == #"{"learner":null}"#, "round \(round): \(parentOther)")
                let parentOwn = try await ask(.parent, parent, ownChild)
                #expect(parentOwn.contains("\"609\""), "round \(round): \(parentOwn)")
                // A forged session after a real one is refused, not served with the settings left behind.
                await #expect(throws: QueryError.self) { _ = try await ask(.schoolAdmin, forged, otherChild) }
                #expect(try await ask(.teacher, teacher, "{ me { name } }") == teacherSees)
            }
            // Between statements the connection carries no tenancy at all.
            let left = try await client.withConnection { connection in
                try await connection.query("SELECT coalesce(current_setting('eduql.region_id', true), '') || coalesce(current_setting('eduql.role', true), '')",
                                           logger: self.logger).collect().first!.decode(String.self)
            }
            #expect(left.isEmpty, "settings left on the connection: \(left)")
            // Prepared once each on the one connection (the parent's and the administrator's
            // learner statements may share one text: their tenancy comes from act_as alone).
            let counts = runner.statements.statistics
            #expect(counts.prepared >= 3 && counts.prepared <= 4 && counts.executed == 2 + 3 * 5, "\(counts)")
        }
    }

    @Test("a mutation's read-back answers only in a transaction whose tenancy was checked for its own principal")
    func readBackNeedsItsCheckedTransaction() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let school = try await database.actingAs("school.admin", logger: self.logger)
        // A mark of one of the demo teacher's lessons: the teacher may read it back.
        let (lesson, mark) = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                SELECT l.id::int, min(m.id)::int FROM eduql.lessons l JOIN eduql.marks m ON m.lesson_id = l.id
                JOIN eduql.users u ON u.staff_id = l.teacher_id WHERE u.login = 'teacher' GROUP BY l.id ORDER BY l.id LIMIT 1
                """, logger: self.logger).collect().first!.decode((Int, Int).self)
        }
        try await database.withSession(of: "teacher", logger: self.logger) { client, teacher in
            let engine = GraphQLEngine()
            let document = "mutation { recordMarks(lessonId: \(lesson), marks: [{learnerId: 1, value: 5}]) { id value } }"
            let plan = try engine.plan(try engine.prepare(document, for: .teacher), operationName: nil, variables: .null, policy: .teacher,
                                       actingAs: teacher)
            let mutation = try #require(plan.mutations.first)
            let write = try engine.journalWrite(mutation, policy: .teacher)
            guard case .statement(let readBack) = try engine.result(of: mutation, wrote: .init(ids: [mark], learnerIDs: [], rows: 1), by: write,
                                                                    policy: .teacher, actingAs: teacher) else {
                Issue.record("a read-back is a statement")
                return
            }
            #expect(!readBack.sql.contains("act_as"), "the read-back confirms the transaction's tenancy: \(readBack.sql)")
            let answer = { @Sendable (connection: PostgresConnection) async throws -> String? in
                try await connection.query(PostgresQuery(unsafeSQL: readBack.sql, binds: readBack.bindings), logger: self.logger)
                    .collect().first?.decode(String?.self)
            }
            try await client.withConnection { connection in
                // Checked for the teacher: the mark.
                try await connection.query("BEGIN", logger: self.logger)
                #expect(try await connection.query(teacher.check, logger: self.logger).collect().first?.decode(Bool.self) == true)
                let own = try await answer(connection)
                #expect(own?.contains("\"\(mark)\"") == true, "\(own ?? "nil")")
                try await connection.query("COMMIT", logger: self.logger)
                // The next transaction on the same connection, unchecked: nothing.
                #expect(try await answer(connection) == nil)
                // Checked for another principal: nothing.
                try await connection.query("BEGIN", logger: self.logger)
                #expect(try await connection.query(school.check, logger: self.logger).collect().first?.decode(Bool.self) == true)
                #expect(try await answer(connection) == nil)
                try await connection.query("ROLLBACK", logger: self.logger)
            }
        }
    }
}
