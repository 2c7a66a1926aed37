import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import Logging
import OrderedCollections
import PostgresNIO

/// Runs a plan's statements on the read-only pool and assembles the `data` object from the
/// JSON text PostgreSQL built, without re-encoding it.
public struct QueryRunner: Sendable {
    let database: PostgresClient
    /// Longest wait for a connection; the database is down or restarting when it runs out.
    let wait: Duration
    /// The pool's `statement_timeout`; a statement's whole wait is bounded just above it.
    let statementTimeout: Duration
    /// Asked, once the wait runs out, whether the database is down or the pool only busy.
    let probe: DatabaseProbe?
    /// Statements prepared per connection.
    public let statements: PreparedStatements
    /// Dashboard answers shared for a short time.
    public let answers: SharedAnswers

    public init(database: PostgresClient, wait: Duration = .seconds(2), probe: DatabaseProbe? = nil, statementTimeout: Duration = .seconds(5),
                statements: PreparedStatements = .init(), answers: SharedAnswers = .init()) {
        self.database = database
        self.statements = statements
        self.answers = answers
        self.wait = wait
        self.probe = probe
        self.statementTimeout = statementTimeout
    }

    /// What a plan returned: the `data` member as JSON text, and for the audit log the learners
    /// whose personal data it carries and how many objects of such data.
    public struct Result: Sendable {
        public var data: String
        public var learnerIDs: [Int]
        public var rows: Int
    }

    /// Runs every statement of the plan, one round trip each. `sharing` names the principal's
    /// role, scope and person links when its shareable answers may be shared (``SharedAnswers``).
    public func run(_ plan: OperationPlan, sharing: String? = nil, logger: Logger) async throws -> Result {
        try await Self.assemble(plan) { statement in
            if let sharing, let sharingKey = statement.sharingKey, self.answers.enabled {
                return try await self.answers.answer(for: sharing + "\u{0}" + sharingKey) { try await self.json(of: statement, logger: logger) }
            }
            return try await self.json(of: statement, logger: logger)
        }
    }

    /// Runs every statement of the plan on `connection`: a mutation's read-back, inside its transaction.
    public static func run(_ plan: OperationPlan, on connection: PostgresConnection, logger: Logger) async throws -> Result {
        try await Self.assemble(plan) { statement in
            let rows = try await connection.guardedQuery(PostgresQuery(unsafeSQL: statement.sql, binds: statement.bindings), logger: logger).collect()
            guard let json = try rows.first?.decode(String?.self) else { throw QueryError.unauthenticated }
            return json
        }
    }

    /// The `data` object of a plan, each statement's JSON from `json`, and the learners it carries.
    static func assemble(_ plan: OperationPlan, json: (Statement) async throws -> String) async throws -> Result {
        var members: [String] = []
        var learners: Set<Int> = []
        var rowCount = 0
        for root in plan.roots {
            switch root {
            case .constant(let key, let json):
                members.append("\"\(key)\":\(json)")
            case .statement(let statement):
                let stripped = LearnerMarkers.strip(try await json(statement))
                learners.formUnion(stripped.learners)
                rowCount += stripped.rows
                members.append("\"\(statement.key)\":\(stripped.json)")
            }
        }
        return Result(data: "{" + members.joined(separator: ",") + "}", learnerIDs: learners.sorted(), rows: rowCount)
    }

    /// The JSON one statement built; unauthenticated when the database no longer accepts the token.
    func json(of statement: Statement, logger: Logger) async throws -> String {
        guard let json = try await self.rows(of: statement, logger: logger).first?.decode(String?.self) else { throw QueryError.unauthenticated }
        return json
    }

    /// The rows of one statement. A read is safe to repeat: one that lost its connection (the
    /// server restarted while the connection sat in the pool) runs once more on a fresh one.
    func rows(of statement: Statement, logger: Logger) async throws -> [PostgresRow] {
        var retried = false
        while true {
            do {
                return try await self.database.withConnection(lease: self.wait, total: self.wait + self.statementTimeout + .seconds(5),
                                                              probe: self.probe) {
                    try await self.statements.rows(of: statement, on: $0, logger: logger)
                }
            } catch where !retried && DatabaseUnavailable.lostConnection(error) {
                retried = true
                logger.debug("statement lost its connection; running it once more")
            }
        }
    }

    /// Answers an introspection-only operation from the role schema.
    public static func introspect(_ prepared: PreparedDocument, schema: RoleSchema, operationName: String?,
                                  variables: Map) async throws -> String {
        var values: [String: Map] = [:]
        if case .dictionary(let given) = variables { for (key, value) in given { values[key] = value } }
        let result = try await execute(schema: schema.schema, documentAST: prepared.document, rootValue: (), context: (),
                                       variableValues: values, operationName: operationName)
        if let error = result.errors.first { throw QueryError.badInput(error.message) }
        let data = try JSONEncoder().encode(result.data ?? .null)
        return String(decoding: data, as: UTF8.self)
    }
}
