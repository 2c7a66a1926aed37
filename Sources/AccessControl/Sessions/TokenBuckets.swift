import Synchronization

/// Token buckets by key: each holds up to `burst` requests and refills at `rate` per second.
/// A request takes one token or is told how long to wait for the next.
public final class TokenBuckets: Sendable {
    /// A bucket's rate (requests per second) and burst (its size).
    public struct Limit: Sendable, Equatable, CustomStringConvertible {
        public var rate: Double
        public var burst: Int

        public init(rate: Double, burst: Int) {
            self.rate = rate
            self.burst = burst
        }

        /// `rate/burst` (`50/100`), as the configuration spells it.
        public init?(_ text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let rate = Double(parts[0]), rate > 0, rate <= 1_000_000, rate.isFinite,
                  let burst = Int(parts[1]), (1...10_000_000).contains(burst) else { return nil }
            self.init(rate: rate, burst: burst)
        }

        public var description: String { "\(self.rate == self.rate.rounded() ? String(Int(self.rate)) : String(self.rate))/\(self.burst)" }
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    /// Buckets kept before full ones are forgotten (a full bucket is the same as none).
    private let capacity: Int

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// Takes a token from `key`'s bucket under `limit`: nil when taken, else the whole seconds
    /// until one is there (at least 1), for `Retry-After`.
    public func take(_ key: String, _ limit: Limit, now: ContinuousClock.Instant = .now) -> Int? {
        self.buckets.withLock { buckets in
            if buckets.count >= self.capacity {
                buckets = buckets.filter { Self.refilled($0.value, limit, now) < Double(limit.burst) }
            }
            var bucket = buckets[key] ?? Bucket(tokens: Double(limit.burst), updated: now)
            bucket.tokens = Self.refilled(bucket, limit, now)
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else {
                return max(1, Int(((1 - bucket.tokens) / limit.rate).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }

    private static func refilled(_ bucket: Bucket, _ limit: Limit, _ now: ContinuousClock.Instant) -> Double {
        let elapsed = now - bucket.updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return min(Double(limit.burst), bucket.tokens + seconds * limit.rate)
    }
}
