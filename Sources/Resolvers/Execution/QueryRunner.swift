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

    public init(database: PostgresClient, wait: Duration = .seconds(2), probe: DatabaseProbe? = nil, statementTimeout: Duration = .seconds(5)) {
        self.database = database
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

    /// Runs every statement of the plan, one round trip each.
    public func run(_ plan: OperationPlan, logger: Logger) async throws -> Result {
        var members: [String] = []
        var learners: Set<Int> = []
        var rowCount = 0
        for root in plan.roots {
            switch root {
            case .constant(let key, let json):
                members.append("\"\(key)\":\(json)")
            case .statement(let key, let sql, let bindings):
                let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
                let rows = try await self.database.withConnection(lease: self.wait, total: self.wait + self.statementTimeout + .seconds(5),
                                                             probe: self.probe) {
                    try await $0.guardedQuery(query, logger: logger).collect()
                }
                guard let row = rows.first else { throw QueryError.unauthenticated }
                let (ok, json) = try row.decode((Bool, String?).self)
                guard ok else { throw QueryError.unauthenticated }
                let stripped = LearnerMarkers.strip(json ?? "null")
                learners.formUnion(stripped.learners)
                rowCount += stripped.rows
                members.append("\"\(key)\":\(stripped.json)")
            }
        }
        return Result(data: "{" + members.joined(separator: ",") + "}", learnerIDs: learners.sorted(), rows: rowCount)
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
