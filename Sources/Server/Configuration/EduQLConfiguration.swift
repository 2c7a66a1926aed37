import EduQLAccessControl

/// Everything `eduql serve` is configured with, read once at start-up from ``Settings``.
public struct EduQLConfiguration: Sendable {
    public var server: ServerConfiguration
    public var authentication: AuthenticationConfiguration
    public var passwords: PasswordHasher.Configuration
    public var hashing: HashingPool.Configuration
    public var database: DatabaseLocator

    /// Reads every key; the first invalid value throws, naming its key and what it accepts.
    public init(settings: Settings) throws {
        self.database = try DatabaseLocator(settings: settings)
        self.server = try ServerConfiguration(settings: settings)
        self.authentication = try AuthenticationConfiguration(settings: settings)
        self.passwords = try PasswordHasher.Configuration(settings: settings)
        self.hashing = try HashingPool.Configuration(settings: settings)
    }
}

extension HashingPool.Configuration {
    /// Reads `EDUQL_ARGON2_THREADS` and `EDUQL_ARGON2_QUEUE`.
    init(settings: Settings) throws {
        self.init()
        self.threads = try settings.integer("EDUQL_ARGON2_THREADS", default: self.threads, in: 1...256)
        self.queueLimit = try settings.integer("EDUQL_ARGON2_QUEUE", default: 8 * self.threads, in: 0...10_000)
    }
}
