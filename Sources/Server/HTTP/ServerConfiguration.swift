import Foundation
import EduQLAccessControl
import EduQLSchema
import EduQLResolvers

/// Where `eduql serve` listens.
public struct ServerConfiguration: Sendable {
    /// Listen address, from `EDUQL_HOST`. Default `127.0.0.1`.
    public var host: String
    /// Listen port, from `EDUQL_PORT`. Default 8080.
    public var port: Int
    /// The trusted documents (listed with their ids in its `manifest.json`), from
    /// `EDUQL_QUERIES_DIR`. Default `queries`.
    public var queriesDirectory: String
    /// Roles that may send only trusted documents, by `documentId`, from
    /// `EDUQL_TRUSTED_DOCUMENTS_ONLY` (role names separated by commas, or `all`). Default none:
    /// users may send any document their role's schema validates.
    public var trustedDocumentsOnly: Set<Role> = []
    /// How many months the change feed keeps changes, from `EDUQL_CHANGE_RETENTION_MONTHS`
    /// (3–120); older monthly partitions are dropped every six hours. Default 3.
    public var changeRetentionMonths = 3
    /// How often the server walks the audit events appended since its last walk of the chain
    /// (`eduql.audit_check`), from `EDUQL_AUDIT_VERIFY_SECONDS` (10–86400; only when auditing is
    /// on). Administrators see the outcome as `auditChain`. Default 10 minutes.
    public var auditVerifyInterval: Duration = .seconds(600)
    /// The members of a replicated cluster (Patroni's, or a primary and its standbys), from
    /// `EDUQL_DATABASE_HOSTS` (`host:port` separated by commas): the server follows whichever one
    /// is the primary (``PrimaryRelay``), connecting with `DATABASE_URL`'s role and database.
    /// Default none: `DATABASE_URL`'s host is the primary.
    public var databaseHosts: [PrimaryRelay.Endpoint] = []
    /// Streaming replicas reads may go to (the server's role on each), from `EDUQL_REPLICA_URLS`
    /// (postgres:// URLs separated by commas). Default none: every read on the primary.
    public var replicas: [ConnectionSettings] = []
    /// How current a replica must be, from `EDUQL_REPLICA_MAX_LAG_MS` (default 1000), and how long
    /// a principal's reads after its write need a replica that has replayed it, from
    /// `EDUQL_READ_YOUR_WRITES_MS` (default 10000).
    public var replicaSet = ReplicaSet.Configuration()
    /// Requests per second and burst per address, user and integration client (``RateLimits``).
    public var rateLimits = RateLimits()
    /// Limits on GraphQL documents; `EDUQL_MAX_PAGE_SIZE` sets the page-size cap (default 100, at most 500).
    public var limits: QueryLimits
    /// How long a request waits for a database connection before asking whether the database
    /// is down (`DatabaseProbe`): if it is, the request is answered 503 with `Retry-After`, and
    /// so is every request after it, at once, until the database is back; if the pool is only
    /// busy, the request keeps waiting. Default 500 ms.
    public var databaseWait: Duration = .milliseconds(500)
    /// Longest a request to `/graphql` or `/auth/…` may take before it is answered 503: a
    /// bound on every wait, above the statement timeout; from `EDUQL_REQUEST_DEADLINE_SECONDS`
    /// (1–600). Default 12 seconds.
    public var requestDeadline: Duration = .seconds(12)
    /// Whether requests are audited, from `EDUQL_AUDIT` (`off` only for benchmarks). Default on.
    public var audit: Bool = true
    /// Whether compiled plans and prepared statements are kept, from `EDUQL_PLAN_CACHE` (`off`
    /// compiles and plans every request anew: for benchmarks and the tests that compare). Default on.
    public var caches: Bool = true
    /// How long a dashboard (`stats`) answer is shared among callers of the same role, scope and
    /// person links, from `EDUQL_SHARED_ANSWERS_MS` (0–1000; 0 turns sharing off, as does
    /// `EDUQL_PLAN_CACHE=off`). Default 500 ms: a write shows in `stats` within half a second.
    public var sharedAnswers: Duration = .milliseconds(500)
    /// How often the journal's pending rollup rows and the stale organizations are folded into
    /// the stored rollups, from `EDUQL_ROLLUP_REFRESH_MS` (50–10000). Dashboards are exact either
    /// way; a longer interval leaves more for them to sum. Default 500 ms.
    public var rollupRefresh: Duration = .milliseconds(500)
    /// How long SIGTERM waits for in-flight requests before it cancels them, from
    /// `EDUQL_SHUTDOWN_GRACE_SECONDS` (1–300); the audit queue is flushed and the pools closed
    /// after. Default 25 seconds (inside a container runtime's usual 30).
    public var shutdownGrace: Duration = .seconds(25)
    /// Metrics, traces and logs.
    public var observability = ObservabilityConfiguration()
    /// Sign-in through OpenID providers.
    public var federation = FederationConfiguration()

    public init(host: String = "127.0.0.1", port: Int = 8080, queriesDirectory: String = "queries", limits: QueryLimits = .init()) {
        self.host = host
        self.port = port
        self.queriesDirectory = queriesDirectory
        self.limits = limits
    }

    /// `all`, or role names separated by commas; nil for anything else.
    static func roles(_ text: String) -> Set<Role>? {
        if text == "all" { return Set(Role.allCases) }
        if text.isEmpty || text == "none" { return [] }
        var roles: Set<Role> = []
        for name in text.split(separator: ",") {
            guard let role = Role(rawValue: name.trimmingCharacters(in: .whitespaces)) else { return nil }
            roles.insert(role)
        }
        return roles
    }
}
