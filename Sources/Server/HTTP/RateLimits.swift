import EduQLAccessControl

/// How many requests each caller may make: token buckets per client address (before the caller
/// is known), per user and per integration client (whose grant may carry its own). nil turns
/// a bucket off. The defaults for addresses and users leave room for the benchmark's load (up
/// to about 3,000 req/s from one address, and from one account: a region's dashboard) and only
/// stop a runaway; a deployment behind a proxy or with known traffic sets its own. Integration
/// clients are held tight by default.
public struct RateLimits: Sendable, Equatable {
    /// Per client address, from `EDUQL_RATE_LIMIT_ADDRESS` (`rate/burst` or `off`). Default 10000/20000.
    public var address: TokenBuckets.Limit? = .init(rate: 10_000, burst: 20_000)
    /// Per user, from `EDUQL_RATE_LIMIT_USER`. Default 5000/10000.
    public var user: TokenBuckets.Limit? = .init(rate: 5_000, burst: 10_000)
    /// Per integration client whose grant names no rate, from `EDUQL_RATE_LIMIT_CLIENT`. Default 50/100.
    public var client: TokenBuckets.Limit? = .init(rate: 50, burst: 100)

    public init() {}

    /// Reads the three keys, keeping the defaults for what is unset.
    init(environment: [String: String]) throws {
        self.init()
        for (key, path) in [("EDUQL_RATE_LIMIT_ADDRESS", \RateLimits.address), ("EDUQL_RATE_LIMIT_USER", \.user),
                            ("EDUQL_RATE_LIMIT_CLIENT", \.client)] {
            guard let text = environment[key] else { continue }
            if text == "off" {
                self[keyPath: path] = nil
            } else if let limit = TokenBuckets.Limit(text) {
                self[keyPath: path] = limit
            } else {
                throw ConfigurationError("\(key) must be off or requests per second and burst as rate/burst (such as 50/100), not '\(text)'")
            }
        }
    }
}
