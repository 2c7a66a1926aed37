import EduQLSchema
import Logging
import Metrics
import NIOCore
import PostgresNIO
import Synchronization
import Tracing

/// Statements prepared once per pooled connection and then only bound and executed, so that
/// PostgreSQL parses and plans a statement text once per connection, not per request. Keyed
/// by the statement's text, which carries the policy's predicates: a statement prepared for
/// one policy is never run for another. Bounded per connection (least recently used first out)
/// and forgotten with the connection.
public final class PreparedStatements: Sendable {
    /// How the cache behaves.
    public struct Configuration: Sendable {
        /// Statements kept per connection. Default 256.
        public var perConnection: Int = 256
        /// Whether statements are prepared at all (off: every request is parsed and planned). Default on.
        public var enabled: Bool = true

        public init() {}
    }

    /// Counts, for tests and metrics.
    public struct Counts: Sendable, Equatable {
        public var prepared = 0
        public var executed = 0
        public var evicted = 0
    }

    /// A connection's statements by text, each with when it was last used.
    private struct Cache {
        var statements: [String: (query: PreparedQuery, used: UInt64)] = [:]
        var clock: UInt64 = 0
    }

    public let configuration: Configuration
    private let caches = Mutex<[ObjectIdentifier: Cache]>([:])
    private let counts = Mutex(Counts())
    private let reused = Counter(label: "eduql_prepared_statements_total", dimensions: [("result", "hit")])
    private let preparedNow = Counter(label: "eduql_prepared_statements_total", dimensions: [("result", "miss")])

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    public var statistics: Counts { self.counts.withLock { $0 } }

    /// Runs `statement` on `connection`, preparing its text there first if needed.
    public func rows(of statement: Statement, on connection: PostgresConnection, logger: Logger) async throws -> [PostgresRow] {
        try await withSpan("SQL", ofKind: .client) { span in
            span.attributes["db.system"] = "postgresql"
            span.attributes["db.statement.length"] = statement.sql.utf8.count
            guard self.configuration.enabled, statement.preparable else {
                span.attributes["db.prepared"] = false
                return try await connection.guardedQuery(PostgresQuery(unsafeSQL: statement.sql, binds: statement.bindings), logger: logger).collect()
            }
            let prepared = try await self.prepared(statement.sql, on: connection)
            self.counts.withLock { $0.executed += 1 }
            span.attributes["db.prepared"] = true
            let parameters = statement.parameters
            return try await connection.guarded { try await prepared.execute(parameters).get() }
        }
    }

    private func prepared(_ sql: String, on connection: PostgresConnection) async throws -> PreparedQuery {
        let key = ObjectIdentifier(connection)
        let (found, isNew) = self.caches.withLock { caches -> (PreparedQuery?, Bool) in
            guard caches[key] != nil else {
                caches[key] = Cache()
                return (nil, true)
            }
            caches[key]!.clock += 1
            let now = caches[key]!.clock
            guard caches[key]!.statements[sql] != nil else { return (nil, false) }
            caches[key]!.statements[sql]!.used = now
            return (caches[key]!.statements[sql]!.query, false)
        }
        if let found {
            self.reused.increment()
            return found
        }
        self.preparedNow.increment()
        if isNew {
            // Forget the connection's statements when it closes (its server session ends).
            connection.closeFuture.whenComplete { _ in _ = self.caches.withLock { $0.removeValue(forKey: key) } }
        }
        let prepared = try await connection.guarded { try await connection.prepare(query: sql).get() }
        self.counts.withLock { $0.prepared += 1 }
        let evicted = self.caches.withLock { caches -> PreparedQuery? in
            guard caches[key] != nil else { return nil }
            caches[key]!.clock += 1
            caches[key]!.statements[sql] = (prepared, caches[key]!.clock)
            guard caches[key]!.statements.count > self.configuration.perConnection,
                  let oldest = caches[key]!.statements.min(by: { $0.value.used < $1.value.used })?.key else { return nil }
            return caches[key]!.statements.removeValue(forKey: oldest)?.query
        }
        if let evicted {
            self.counts.withLock { $0.evicted += 1 }
            _ = evicted.deallocate()
        }
        return prepared
    }
}
