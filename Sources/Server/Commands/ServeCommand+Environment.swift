import EduQLAccessControl

extension AuthenticationConfiguration {
    /// Reads `EDUQL_SESSION_LIFETIME_SECONDS`, `EDUQL_SESSION_IDLE_SECONDS`,
    /// `EDUQL_LOGIN_MAX_FAILURES`, `EDUQL_LOGIN_LOCK_SECONDS` and
    /// `EDUQL_LOGIN_ATTEMPTS_PER_MINUTE`, keeping the defaults for what is unset.
    init(environment: [String: String]) throws {
        self.init()
        if let seconds = try environment.positiveInteger("EDUQL_SESSION_LIFETIME_SECONDS") { self.sessionLifetime = .seconds(seconds) }
        if let seconds = try environment.positiveInteger("EDUQL_SESSION_IDLE_SECONDS") { self.idleTimeout = .seconds(seconds) }
        if let count = try environment.positiveInteger("EDUQL_LOGIN_MAX_FAILURES") { self.maximumFailures = count }
        if let seconds = try environment.positiveInteger("EDUQL_LOGIN_LOCK_SECONDS") { self.lockDuration = .seconds(seconds) }
        if let count = try environment.positiveInteger("EDUQL_LOGIN_ATTEMPTS_PER_MINUTE") { self.attemptsPerAddressPerMinute = count }
    }
}

extension PasswordHasher.Configuration {
    /// Reads `EDUQL_ARGON2_MEMORY_KIB`, `EDUQL_ARGON2_ITERATIONS` and `EDUQL_ARGON2_PARALLELISM`;
    /// weaker than OWASP's minimum (19,456 KiB, 2, 1) is refused.
    init(environment: [String: String]) throws {
        self.init()
        if let memory = try environment.positiveInteger("EDUQL_ARGON2_MEMORY_KIB") { self.parameters.memoryKiB = UInt32(memory) }
        if let iterations = try environment.positiveInteger("EDUQL_ARGON2_ITERATIONS") { self.parameters.iterations = UInt32(iterations) }
        if let lanes = try environment.positiveInteger("EDUQL_ARGON2_PARALLELISM") { self.parameters.parallelism = UInt32(lanes) }
        guard self.parameters.isAtLeast(Argon2Parameters()) else {
            throw ConfigurationError("Argon2 parameters below m=19456,t=2,p=1 are refused (OWASP's minimum for Argon2id)")
        }
        guard self.parameters.memoryKiB <= self.maximumMemoryKiB, self.parameters.iterations <= self.maximumIterations,
              self.parameters.parallelism <= self.maximumParallelism
        else { throw ConfigurationError("Argon2 parameters above the verification caps would lock everyone out") }
    }
}

extension Dictionary where Key == String, Value == String {
    /// The variable as a positive integer; nil when unset; an error when malformed.
    func positiveInteger(_ name: String) throws -> Int? {
        guard let text = self[name], !text.isEmpty else { return nil }
        guard let value = Int(text), value > 0, value <= 1 << 31 else { throw ConfigurationError("\(name) must be a positive integer, not '\(text)'") }
        return value
    }
}
