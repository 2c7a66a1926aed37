/// Sign-in, session and guessing-defence settings.
public struct AuthenticationConfiguration: Sendable {
    /// A session ends this long after sign-in, whatever happens. Default 12 hours.
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    /// A session unused for this long ends. Default 30 minutes.
    public var idleTimeout: Duration = .seconds(30 * 60)
    /// Failed sign-ins within ``failureWindow`` that lock the account. Default 5.
    public var maximumFailures: Int = 5
    /// Default 15 minutes.
    public var failureWindow: Duration = .seconds(15 * 60)
    /// The first lock's length; each further lock doubles it. Default 15 minutes.
    public var lockDuration: Duration = .seconds(15 * 60)
    /// Sign-in attempts one client IP may make per minute before 429. Default 30.
    public var attemptsPerAddressPerMinute: Int = 30
    /// An integration token's life (never past its grant's expiry). Default 1 hour.
    public var clientTokenLifetime: Duration = .seconds(3600)

    public init() {}
}

extension Duration {
    /// Whole seconds, for SQL intervals and `expires_in`.
    var wholeSeconds: Int { Int(self.components.seconds) }
}
