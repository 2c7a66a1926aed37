import EduQLAccessControl

/// Everything `eduql serve` is configured with, read once at start-up from ``Settings``.
public struct EduQLConfiguration: Sendable {
    public var server: ServerConfiguration
    public var authentication: AuthenticationConfiguration
    public var passwords: PasswordHasher.Configuration
    public var database: DatabaseLocator

    /// Reads every key; the first invalid value throws, naming its key and what it accepts.
    public init(settings: Settings) throws {
        self.database = try DatabaseLocator(settings: settings)
        self.server = try ServerConfiguration(settings: settings)
        self.authentication = try AuthenticationConfiguration(settings: settings)
        self.passwords = try PasswordHasher.Configuration(settings: settings)
    }
}
