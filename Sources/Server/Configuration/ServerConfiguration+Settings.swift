import EduQLAccessControl
import EduQLResolvers
import EduQLSchema
import Foundation

extension ServerConfiguration {
    /// Reads every `EDUQL_…` key of the server, keeping the defaults for what is unset.
    public init(settings: Settings) throws {
        self.init()
        self.host = settings.text("EDUQL_HOST", default: self.host, accepts: "a host name or address to listen on") ?? self.host
        self.port = try settings.integer("EDUQL_PORT", default: self.port, in: 0...65535)
        self.queriesDirectory = settings.text("EDUQL_QUERIES_DIR", default: self.queriesDirectory,
                                              accepts: "a folder of trusted documents with their manifest.json") ?? self.queriesDirectory
        self.trustedDocumentsOnly = try settings.choice(
            "EDUQL_TRUSTED_DOCUMENTS_ONLY", default: "none",
            accepts: "none, all, or role names separated by commas (\(Role.allCases.map(\.rawValue).joined(separator: ", ")))",
            parse: Self.roles)
        self.audit = try settings.flag("EDUQL_AUDIT", default: self.audit)
        self.caches = try settings.flag("EDUQL_PLAN_CACHE", default: self.caches)
        self.sharedAnswers = .milliseconds(try settings.integer("EDUQL_SHARED_ANSWERS_MS", default: 500, in: 0...1000, unit: "milliseconds"))
        self.rollupRefresh = .milliseconds(try settings.integer("EDUQL_ROLLUP_REFRESH_MS", default: 500, in: 50...10_000, unit: "milliseconds"))
        self.requestDeadline = .seconds(try settings.integer("EDUQL_REQUEST_DEADLINE_SECONDS", default: 12, in: 1...600, unit: "seconds"))
        self.shutdownGrace = .seconds(try settings.integer("EDUQL_SHUTDOWN_GRACE_SECONDS", default: 25, in: 1...300, unit: "seconds"))
        self.limits.maxCost = try settings.integer("EDUQL_MAX_COST", default: self.limits.maxCost, in: 100...10_000_000, unit: "rows")
        self.limits.maxPageSize = try settings.integer("EDUQL_MAX_PAGE_SIZE", default: self.limits.maxPageSize, in: 1...500, unit: "rows")
        self.changeRetentionMonths = try settings.integer("EDUQL_CHANGE_RETENTION_MONTHS", default: self.changeRetentionMonths,
                                                          in: 3...120, unit: "months")
        self.auditVerifyInterval = .seconds(try settings.integer("EDUQL_AUDIT_VERIFY_SECONDS", default: 600, in: 10...86_400, unit: "seconds"))
        self.replicas = try settings.choice("EDUQL_REPLICA_URLS", default: "none", accepts: "postgres:// URLs separated by commas",
                                            secret: true) { text -> [ConnectionSettings]? in
            // One URL that does not parse refuses the whole setting.
            let parsed = text == "none" ? [] : text.split(separator: ",").map { try? ConnectionSettings(url: $0.trimmingCharacters(in: .whitespaces)) }
            return parsed.contains { $0 == nil } ? nil : parsed.compactMap { $0 }
        }
        self.databaseHosts = try settings.choice("EDUQL_DATABASE_HOSTS", default: "none",
                                                 accepts: "host:port pairs separated by commas") { text -> [PrimaryRelay.Endpoint]? in
            let parsed = text == "none" ? [] : text.split(separator: ",").map { PrimaryRelay.Endpoint($0) }
            return parsed.contains { $0 == nil } ? nil : parsed.compactMap { $0 }
        }
        self.replicaSet.maximumLag = .milliseconds(try settings.integer("EDUQL_REPLICA_MAX_LAG_MS", default: 1000, in: 10...600_000, unit: "milliseconds"))
        self.replicaSet.readYourWrites = .milliseconds(try settings.integer("EDUQL_READ_YOUR_WRITES_MS", default: 10_000, in: 0...3_600_000,
                                                                           unit: "milliseconds"))
        self.rateLimits = try RateLimits(settings: settings)
        self.observability = try ObservabilityConfiguration(settings: settings)
        self.federation = try FederationConfiguration(settings: settings)
    }
}

extension RateLimits {
    /// Reads `EDUQL_RATE_LIMIT_ADDRESS`, `…_USER` and `…_CLIENT`, keeping the defaults for what is unset.
    init(settings: Settings) throws {
        self.init()
        for (key, path) in [("EDUQL_RATE_LIMIT_ADDRESS", \RateLimits.address), ("EDUQL_RATE_LIMIT_USER", \.user),
                            ("EDUQL_RATE_LIMIT_CLIENT", \.client)] {
            let current = self[keyPath: path]
            self[keyPath: path] = try settings.choice(
                key, default: current.map { "\(Int($0.rate))/\(Int($0.burst))" } ?? "off",
                accepts: "off or requests per second and burst as rate/burst (such as 50/100)"
            ) { text -> TokenBuckets.Limit?? in
                text == "off" ? .some(nil) : TokenBuckets.Limit(text).map { .some($0) }
            }
        }
    }
}

extension AuthenticationConfiguration {
    /// Reads the session and sign-in keys, keeping the defaults for what is unset.
    init(settings: Settings) throws {
        self.init()
        self.sessionLifetime = .seconds(try settings.integer("EDUQL_SESSION_LIFETIME_SECONDS",
                                                             default: Int(self.sessionLifetime.components.seconds), in: 60...2_592_000, unit: "seconds"))
        self.idleTimeout = .seconds(try settings.integer("EDUQL_SESSION_IDLE_SECONDS",
                                                         default: Int(self.idleTimeout.components.seconds), in: 60...86_400, unit: "seconds"))
        self.maximumFailures = try settings.integer("EDUQL_LOGIN_MAX_FAILURES", default: self.maximumFailures, in: 1...100)
        self.lockDuration = .seconds(try settings.integer("EDUQL_LOGIN_LOCK_SECONDS",
                                                          default: Int(self.lockDuration.components.seconds), in: 1...86_400, unit: "seconds"))
        self.attemptsPerAddressPerMinute = try settings.integer("EDUQL_LOGIN_ATTEMPTS_PER_MINUTE",
                                                                default: self.attemptsPerAddressPerMinute, in: 1...10_000_000)
    }
}

extension PasswordHasher.Configuration {
    /// Reads `EDUQL_ARGON2_MEMORY_KIB`, `…_ITERATIONS` and `…_PARALLELISM`: from OWASP's minimum for
    /// Argon2id (19,456 KiB, 2, 1) to the verification caps.
    init(settings: Settings) throws {
        self.init()
        let minimum = Argon2Parameters()
        self.parameters.memoryKiB = UInt32(try settings.integer("EDUQL_ARGON2_MEMORY_KIB", default: Int(self.parameters.memoryKiB),
                                                                in: Int(minimum.memoryKiB)...Int(self.maximumMemoryKiB), unit: "KiB"))
        self.parameters.iterations = UInt32(try settings.integer("EDUQL_ARGON2_ITERATIONS", default: Int(self.parameters.iterations),
                                                                 in: Int(minimum.iterations)...Int(self.maximumIterations)))
        self.parameters.parallelism = UInt32(try settings.integer("EDUQL_ARGON2_PARALLELISM", default: Int(self.parameters.parallelism),
                                                                  in: Int(minimum.parallelism)...Int(self.maximumParallelism)))
    }
}
