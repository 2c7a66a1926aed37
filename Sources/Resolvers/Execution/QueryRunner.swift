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
    /// Streaming replicas reads go to when one is current enough; none: every read on `database`.
    public let replicas: ReplicaSet?

    public init(database: PostgresClient, wait: Duration = .seconds(2), probe: DatabaseProbe? = nil, statementTimeout: Duration = .seconds(5),
                statements: PreparedStatements = .init(), answers: SharedAnswers = .init(), replicas: ReplicaSet? = nil) {
        self.database = database
        self.replicas = replicas
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
    /// role, scope and person links when its shareable answers may be shared (``SharedAnswers``);
    /// `reader` names the principal, whose recent writes a replica must have replayed, and
    /// `after` a WAL position the client says it wrote up to (through another process).
    public func run(_ plan: OperationPlan, sharing: String? = nil, reader: String? = nil, after: UInt64? = nil,
                    logger: Logger) async throws -> Result {
        try await Self.assemble(plan) { statement in
            if let sharing, let sharingKey = statement.sharingKey, self.answers.enabled {
                return try await self.answers.answer(for: sharing + "\u{0}" + sharingKey) {
                    try await self.json(of: statement, reader: reader, after: after, logger: logger)
                }
            }
            return try await self.json(of: statement, reader: reader, after: after, logger: logger)
        }
    }

    /// Runs every statement of the plan on `connection`: a mutation's read-back, inside its
    /// transaction, each statement prepared once per connection like a query's.
    public static func run(_ plan: OperationPlan, on connection: PostgresConnection, statements: PreparedStatements,
                           logger: Logger) async throws -> Result {
        try await Self.assemble(plan) { statement in
            let rows = try await statements.rows(of: statement, on: connection, logger: logger)
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
    func json(of statement: Statement, reader: String? = nil, after: UInt64? = nil, logger: Logger) async throws -> String {
        guard let json = try await self.rows(of: statement, reader: reader, after: after, logger: logger).first?.decode(String?.self) else {
            throw QueryError.unauthenticated
        }
        return json
    }

    /// The rows of one statement: on a replica current enough for `reader` when there is one,
    /// else on the primary's reader pool. A read is safe to repeat: one whose replica fails it
    /// (gone, or cancelled by its recovery) runs on the primary, and the replica is left out.
    func rows(of statement: Statement, reader: String? = nil, after: UInt64? = nil, logger: Logger) async throws -> [PostgresRow] {
        if let replicas = self.replicas, let (index, replica) = replicas.choose(for: reader, after: after) {
            do {
                let rows = try await replica.pool.withConnection(lease: self.wait, total: self.wait + self.statementTimeout + .seconds(5)) {
                    try await self.statements.rows(of: statement, on: $0, logger: logger)
                }
                ReplicaSet.read(by: replica.name)
                return rows
            } catch where Self.replicaFailed(error) {
                replicas.eject(index)
                logger.warning("a replica failed a read; reading from the primary", metadata: ["replica": "\(replica.name)"])
            }
        }
        if self.replicas != nil { ReplicaSet.read(by: "primary") }
        return try await self.primaryRows(of: statement, logger: logger)
    }

    /// Whether a replica, rather than the read, failed: no connection or a lost one (no SQLSTATE,
    /// or a connection or shutdown class), or the statement cancelled by its recovery. An error
    /// the read itself caused (bad input, its statement timeout, a refused token) is the read's
    /// on any server.
    static func replicaFailed(_ error: any Error) -> Bool {
        if error is CancellationError { return false }
        if DatabaseUnavailable.classifies(error) { return true }
        guard let state = sqlState(of: error) else { return !(error is QueryError) }
        return state == .serializationFailure || state.raw.hasPrefix("08") || (state.raw.hasPrefix("57") && state != .queryCanceled)
    }

    /// The rows of one statement on the primary's reader pool; once more on a fresh connection
    /// when the one it had was lost (the server restarted while it sat in the pool).
    func primaryRows(of statement: Statement, logger: Logger) async throws -> [PostgresRow] {
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
