import Metrics
import PostgresNIO
import Synchronization

/// The metrics of one connection pool, for the pools registered by name: leases in use,
/// requests waiting for one, capacity left idle, and how long a lease was waited for
/// (`eduql_database_connections{pool,state}`, `eduql_database_connection_wait_seconds{pool}`).
/// Recorded by the bounded `withConnection(lease:total:probe:)` every request path uses.
public final class PoolMetrics: Sendable {
    private static let registered = Mutex<[ObjectIdentifier: PoolMetrics]>([:])

    private let capacity: Int
    private let inUse: Gauge
    private let waiting: Gauge
    private let idle: Gauge
    private let waitTime: Metrics.Timer
    private let counts = Mutex((inUse: 0, waiting: 0))

    private init(name: String, capacity: Int) {
        self.capacity = capacity
        self.inUse = Gauge(label: "eduql_database_connections", dimensions: [("pool", name), ("state", "in_use")])
        self.waiting = Gauge(label: "eduql_database_connections", dimensions: [("pool", name), ("state", "waiting")])
        self.idle = Gauge(label: "eduql_database_connections", dimensions: [("pool", name), ("state", "idle")])
        self.waitTime = Metrics.Timer(label: "eduql_database_connection_wait_seconds", dimensions: [("pool", name)], preferredDisplayUnit: .seconds)
        self.idle.record(capacity)
    }

    /// Records `client`'s leases under `name`; `capacity` is its most connections.
    public static func register(_ client: PostgresClient, name: String, capacity: Int) {
        let metrics = PoolMetrics(name: name, capacity: capacity)
        Self.registered.withLock { $0[ObjectIdentifier(client)] = metrics }
    }

    static func of(_ client: PostgresClient) -> PoolMetrics? {
        Self.registered.withLock { $0[ObjectIdentifier(client)] }
    }

    func waitStarted() {
        self.update { $0.waiting += 1 }
    }

    func waitEnded(leased: Bool, after wait: Duration) {
        self.update {
            $0.waiting -= 1
            if leased { $0.inUse += 1 }
        }
        if leased { self.waitTime.record(duration: wait) }
    }

    func released() {
        self.update { $0.inUse -= 1 }
    }

    private func update(_ change: (inout (inUse: Int, waiting: Int)) -> Void) {
        let now = self.counts.withLock { counts in
            change(&counts)
            return counts
        }
        self.inUse.record(now.inUse)
        self.waiting.record(now.waiting)
        self.idle.record(max(0, self.capacity - now.inUse))
    }
}

extension PostgresClient {
    /// postgres-nio's `withConnection`, counted in this pool's metrics when it is registered.
    public func withMeteredConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        guard let metrics = PoolMetrics.of(self) else { return try await self.withConnection(isolation: isolation, body) }
        let started = ContinuousClock.now
        metrics.waitStarted()
        var leased = false
        defer {
            if leased { metrics.released() } else { metrics.waitEnded(leased: false, after: .now - started) }
        }
        return try await self.withConnection(isolation: isolation) { connection in
            leased = true
            metrics.waitEnded(leased: true, after: .now - started)
            return try await body(connection)
        }
    }
}
