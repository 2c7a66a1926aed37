import NIOConcurrencyHelpers

/// Counts sign-in attempts per client address in fixed one-minute windows.
public final class AddressThrottle: Sendable {
    private struct Window {
        var started: ContinuousClock.Instant
        var attempts: Int
    }

    private let limit: Int
    private let windows = NIOLockedValueBox([String: Window]())

    public init(attemptsPerMinute: Int) {
        self.limit = attemptsPerMinute
    }

    /// Counts an attempt from `address`; returns the seconds to wait when over the limit.
    public func admit(_ address: String?) -> Int? {
        let key = address ?? "unknown"
        let now = ContinuousClock.now
        return self.windows.withLockedValue { windows in
            if windows.count > 100_000 {
                windows = windows.filter { now - $0.value.started < .seconds(60) }
            }
            var window = windows[key].flatMap { now - $0.started < .seconds(60) ? $0 : nil } ?? Window(started: now, attempts: 0)
            window.attempts += 1
            windows[key] = window
            guard window.attempts > self.limit else { return nil }
            return max(1, 60 - Int((now - window.started).components.seconds))
        }
    }
}
