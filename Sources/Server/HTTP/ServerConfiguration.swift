import Foundation
import EduQLAccessControl
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
    /// Requests per second and burst per address, user and integration client (``RateLimits``).
    public var rateLimits = RateLimits()
    /// Limits on GraphQL documents; `EDUQL_MAX_PAGE_SIZE` sets the page-size cap (default 100, at most 500).
    public var limits: QueryLimits
    /// Longest a request waits for a database connection before it is answered 503 with
    /// `Retry-After` (the database is down or restarting). Default 2 seconds.
    public var databaseWait: Duration = .seconds(2)
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

    public init(host: String = "127.0.0.1", port: Int = 8080, queriesDirectory: String = "queries", limits: QueryLimits = .init()) {
        self.host = host
        self.port = port
        self.queriesDirectory = queriesDirectory
        self.limits = limits
    }

    /// Reads `EDUQL_HOST` and `EDUQL_PORT`, keeping the defaults for what is unset.
    public init(environment: [String: String]) throws {
        self.init()
        if let host = environment["EDUQL_HOST"], !host.isEmpty { self.host = host }
        if let port = environment["EDUQL_PORT"] {
            guard let number = Int(port), (0...65535).contains(number) else {
                throw ConfigurationError("EDUQL_PORT must be a port number, not '\(port)'")
            }
            self.port = number
        }
        if let audit = environment["EDUQL_AUDIT"] {
            guard ["on", "off"].contains(audit) else { throw ConfigurationError("EDUQL_AUDIT must be on or off, not '\(audit)'") }
            self.audit = audit == "on"
        }
        if let caches = environment["EDUQL_PLAN_CACHE"] {
            guard ["on", "off"].contains(caches) else { throw ConfigurationError("EDUQL_PLAN_CACHE must be on or off, not '\(caches)'") }
            self.caches = caches == "on"
        }
        if let milliseconds = environment["EDUQL_SHARED_ANSWERS_MS"] {
            guard let number = Int(milliseconds), (0...1000).contains(number) else {
                throw ConfigurationError("EDUQL_SHARED_ANSWERS_MS must be between 0 and 1000, not '\(milliseconds)'")
            }
            self.sharedAnswers = .milliseconds(number)
        }
        if let seconds = environment["EDUQL_REQUEST_DEADLINE_SECONDS"] {
            guard let number = Int(seconds), (1...600).contains(number) else {
                throw ConfigurationError("EDUQL_REQUEST_DEADLINE_SECONDS must be between 1 and 600, not '\(seconds)'")
            }
            self.requestDeadline = .seconds(number)
        }
        if let folder = environment["EDUQL_QUERIES_DIR"], !folder.isEmpty { self.queriesDirectory = folder }
        self.rateLimits = try RateLimits(environment: environment)
        if let cost = environment["EDUQL_MAX_COST"] {
            guard let number = Int(cost), (100...10_000_000).contains(number) else {
                throw ConfigurationError("EDUQL_MAX_COST must be between 100 and 10000000 rows, not '\(cost)'")
            }
            self.limits.maxCost = number
        }
        if let months = environment["EDUQL_CHANGE_RETENTION_MONTHS"] {
            guard let number = Int(months), (3...120).contains(number) else {
                throw ConfigurationError("EDUQL_CHANGE_RETENTION_MONTHS must be between 3 and 120, not '\(months)'")
            }
            self.changeRetentionMonths = number
        }
        if let roles = environment["EDUQL_TRUSTED_DOCUMENTS_ONLY"], !roles.isEmpty {
            self.trustedDocumentsOnly = try Self.roles(roles)
        }
        if let size = environment["EDUQL_MAX_PAGE_SIZE"] {
            guard let number = Int(size), (1...500).contains(number) else {
                throw ConfigurationError("EDUQL_MAX_PAGE_SIZE must be between 1 and 500, not '\(size)'")
            }
            self.limits.maxPageSize = number
        }
    }

    /// `all`, or role names separated by commas.
    static func roles(_ text: String) throws -> Set<Role> {
        if text == "all" { return Set(Role.allCases) }
        return try Set(text.split(separator: ",").map { name in
            guard let role = Role(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError("EDUQL_TRUSTED_DOCUMENTS_ONLY must be all or role names separated by commas "
                    + "(\(Role.allCases.map(\.rawValue).joined(separator: ", "))), not '\(text)'")
            }
            return role
        })
    }
}
