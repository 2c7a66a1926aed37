import Foundation
import Synchronization

/// Remembers, for a minute, whom a token (and role header) resolved to, so that a request
/// spends no round trip on it. Safe because every statement checks the token again in the
/// database (`eduql.act_as`, and the same check opens every mutation's transaction): a revoked
/// session stops at once, the cache only decides which schema to validate against.
public final class PrincipalCache: Sendable {
    struct Entry {
        var principal: Principal
        var until: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let lifetime: Duration
    private let capacity: Int

    /// - Parameters:
    ///   - lifetime: how long an entry is trusted; default 60 seconds.
    ///   - capacity: entries kept; when full, expired entries go first, then the cache is
    ///     emptied; default 100,000.
    public init(lifetime: Duration = .seconds(60), capacity: Int = 100_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The principal remembered for `key`, if still fresh.
    public func principal(for key: String) -> Principal? {
        let now = ContinuousClock.now
        return self.entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.until > now else {
                entries[key] = nil
                return nil
            }
            return entry.principal
        }
    }

    /// Remembers `principal` for `key`.
    public func remember(_ principal: Principal, for key: String) {
        let until = ContinuousClock.now + self.lifetime
        self.entries.withLock { entries in
            if entries.count >= self.capacity {
                let now = ContinuousClock.now
                entries = entries.filter { $0.value.until > now }
                if entries.count >= self.capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = Entry(principal: principal, until: until)
        }
    }
}
