import Logging
import Metrics
import PostgresNIO
import Synchronization

/// Streaming replicas that reads may go to, each a pool of its own. Every ``Configuration/interval``
/// the primary's WAL position is noted and each replica asked how far it has replayed; its lag
/// is the age of the oldest noted position it has not replayed yet (zero when it has replayed
/// them all) — measured, whether the primary writes often or seldom. A replica that answers and
/// lags less than ``Configuration/maximumLag`` takes reads (in turn); any other is left out until
/// a sample finds it back. A principal that wrote is read from the
/// primary, or from a replica that has replayed its write, for ``Configuration/readYourWrites``
/// (this process's writes: see the README for several processes).
public final class ReplicaSet: Sendable {
    public struct Configuration: Sendable {
        /// Replay lag beyond which a replica takes no reads. Default 1 second.
        public var maximumLag: Duration = .seconds(1)
        /// How often each replica is sampled. Default 200 ms.
        public var interval: Duration = .milliseconds(200)
        /// How long after a write its principal's reads need a replica that has replayed it. Default 10 seconds.
        public var readYourWrites: Duration = .seconds(10)

        public init() {}
    }

    /// One replica: its name in metrics and logs, and its pool.
    public struct Replica: Sendable {
        public var name: String
        public var pool: PostgresClient

        public init(name: String, pool: PostgresClient) {
            self.name = name
            self.pool = pool
        }
    }

    /// What the last sample of a replica found.
    struct Health: Sendable {
        var healthy = false
        /// The WAL position it has replayed up to.
        var replayed: UInt64 = 0
    }

    public let configuration: Configuration
    public let replicas: [Replica]
    let primary: PostgresClient
    let logger: Logger
    private let health: Mutex<[Health]>
    private let writes = Mutex<[String: (lsn: UInt64, at: ContinuousClock.Instant)]>([:])
    private let turn = Atomic<Int>(0)
    /// The primary's WAL positions of the last minute, oldest first.
    private let positions = Mutex<[(at: ContinuousClock.Instant, lsn: UInt64)]>([])

    public init(primary: PostgresClient, replicas: [Replica], configuration: Configuration = .init(), logger: Logger) {
        self.primary = primary
        self.replicas = replicas
        self.configuration = configuration
        self.logger = logger
        self.health = Mutex(Array(repeating: Health(), count: replicas.count))
    }

    /// The replica a read of `principal` goes to, in turn among the healthy ones that have
    /// replayed the principal's recent write and the position `after` the client names (its
    /// write through another process); nil: the primary.
    public func choose(for principal: String?, after: UInt64? = nil) -> (index: Int, replica: Replica)? {
        guard !self.replicas.isEmpty else { return nil }
        let now = ContinuousClock.now
        let own: UInt64 = principal.flatMap { key in
            self.writes.withLock { writes in
                guard let write = writes[key] else { return nil }
                if now - write.at > self.configuration.readYourWrites {
                    writes[key] = nil
                    return nil
                }
                return write.lsn
            }
        } ?? 0
        let needed = max(own, after ?? 0)
        let candidates = self.health.withLock { health in health.indices.filter { health[$0].healthy && health[$0].replayed >= needed } }
        guard !candidates.isEmpty else { return nil }
        let index = candidates[self.turn.add(1, ordering: .relaxed).newValue % candidates.count]
        return (index, self.replicas[index])
    }

    /// Remembers that `principal` wrote up to WAL position `lsn`.
    public func wrote(_ principal: String, lsn: UInt64) {
        self.writes.withLock { writes in
            if writes.count > 100_000 {
                let now = ContinuousClock.now
                writes = writes.filter { now - $0.value.at <= self.configuration.readYourWrites }
            }
            writes[principal] = (lsn, .now)
        }
    }

    /// Leaves a replica out at once (it failed a read); the next good sample takes it back.
    public func eject(_ index: Int) {
        let was = self.health.withLock { health in
            defer { health[index].healthy = false }
            return health[index].healthy
        }
        if was { Self.ejections(self.replicas[index].name).increment() }
    }

    /// Samples every replica every interval until cancelled.
    public func run() async throws {
        while true {
            await self.sample()
            try await Task.sleep(for: self.configuration.interval)
        }
    }

    /// One round: the primary's WAL position, then each replica's replay, at once.
    func sample() async {
        let primary = try? await Self.position(of: self.primary, "pg_current_wal_lsn()", logger: self.logger)
        if let primary {
            let now = ContinuousClock.now
            self.positions.withLock { positions in
                positions.removeAll { now - $0.at > .seconds(60) }
                positions.append((now, primary))
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for (index, replica) in self.replicas.enumerated() {
                group.addTask { await self.sample(index, replica) }
            }
        }
    }

    /// How long ago the primary was first at a position past `replayed` (zero: none noted).
    func lag(replayed: UInt64) -> Double {
        let now = ContinuousClock.now
        return self.positions.withLock { positions in
            guard let first = positions.first(where: { $0.lsn > replayed }) else { return 0 }
            // Behind every position of the last minute: a minute at least.
            if first.at == positions.first?.at, positions.count > 1, now - first.at >= .seconds(59) { return .infinity }
            let age = now - first.at
            return Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
        }
    }

    private func sample(_ index: Int, _ replica: Replica) async {
        var sampled = Health()
        var lag: Double?
        do {
            let row = try await Deadline.run(within: .seconds(1)) {
                try await replica.pool.withConnection { connection in
                    try await connection.query("SELECT pg_last_wal_replay_lsn()::text", logger: self.logger)
                        .collect().first!.decode(String?.self)
                }
            }
            // A replica promoted since answers no replay position: it is as current as it gets.
            sampled.replayed = row.flatMap(Self.parse) ?? .max
            let behind = self.lag(replayed: sampled.replayed)
            lag = behind
            // While the primary is away, the positions noted before it went are what there is.
            sampled.healthy = behind <= Double(self.configuration.maximumLag.components.seconds)
                + Double(self.configuration.maximumLag.components.attoseconds) / 1e18
        } catch {
            sampled.healthy = false
        }
        let was = self.health.withLock { health in
            defer { health[index] = sampled }
            return health[index].healthy
        }
        let name = replica.name
        Gauge(label: "eduql_replica_healthy", dimensions: [("replica", name)]).record(sampled.healthy ? 1 : 0)
        if let lag, lag.isFinite { Gauge(label: "eduql_replica_lag_seconds", dimensions: [("replica", name)]).record(lag) }
        if was && !sampled.healthy {
            Self.ejections(name).increment()
            self.logger.warning("replica left out", metadata: ["replica": "\(name)", "lag": "\(lag.map { "\($0)" } ?? "unreachable")"])
        } else if !was && sampled.healthy {
            self.logger.info("replica takes reads", metadata: ["replica": "\(name)"])
        }
    }

    /// Counts a read served by `endpoint` (a replica's name, or `primary`).
    public static func read(by endpoint: String) {
        Counter(label: "eduql_reads_total", dimensions: [("endpoint", endpoint)]).increment()
    }

    static func ejections(_ name: String) -> Counter {
        Counter(label: "eduql_replica_ejections_total", dimensions: [("replica", name)])
    }

    /// The primary's WAL position now, as a number.
    public static func position(of client: PostgresClient, _ function: String = "pg_current_wal_lsn()", logger: Logger) async throws -> UInt64 {
        try await Deadline.run(within: .seconds(1)) {
            try await client.withConnection { connection in
                let text = try await connection.query(PostgresQuery(unsafeSQL: "SELECT \(function)::text"), logger: logger).collect().first!.decode(String.self)
                return Self.parse(text) ?? 0
            }
        }
    }

    /// A WAL position as `pg_lsn` text (`16/B374D848`).
    public static func text(_ lsn: UInt64) -> String {
        String(lsn >> 32, radix: 16, uppercase: true) + "/" + String(lsn & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    /// A `pg_lsn` text (`16/B374D848`) as a number.
    public static func parse(_ lsn: String) -> UInt64? {
        let parts = lsn.split(separator: "/")
        guard parts.count == 2, let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16) else { return nil }
        return high << 32 | low
    }
}
