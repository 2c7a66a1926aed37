import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// Tells whether the database accepts connections by opening one of its own: what a request
/// that has waited long for a pooled connection asks, to tell a database that is down (answer
/// 503 now) from a pool that is only busy (keep waiting). One attempt at a time; its answer is
/// reused for a second (200 ms when down). Once it has found the database down, requests ask it before they wait
/// at all, so an outage is answered at once rather than after each request's own wait.
public actor DatabaseProbe {
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private var last: (at: ContinuousClock.Instant, reachable: Bool)?
    private var attempt: Task<Bool, Never>?

    public init(configuration: PostgresConnection.Configuration, logger: Logger) {
        var configuration = configuration
        configuration.options.connectTimeout = .seconds(1)
        self.configuration = configuration
        self.logger = logger
    }

    /// Whether the last attempt found the database down.
    public var lastFoundDown: Bool { self.last?.reachable == false }

    /// Whether a new connection can be opened and answers now.
    public func reachable() async -> Bool {
        // A database found up is believed for a second; one found down for 200 ms, so that the
        // first requests after it is back (a restart, a new primary) are not refused for long.
        if let last, ContinuousClock.now - last.at < (last.reachable ? .seconds(1) : .milliseconds(200)) { return last.reachable }
        if let attempt { return await attempt.value }
        let attempt = Task { [configuration, logger] in
            do {
                return try await Deadline.run(within: .seconds(2)) {
                    let connection = try await PostgresConnection.connect(
                        on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 0, logger: logger)
                    defer { Task { try? await connection.close() } }
                    _ = try await connection.query("SELECT 1", logger: logger).collect()
                    return true
                }
            } catch {
                return false
            }
        }
        self.attempt = attempt
        let reachable = await attempt.value
        self.last = (.now, reachable)
        self.attempt = nil
        return reachable
    }
}
