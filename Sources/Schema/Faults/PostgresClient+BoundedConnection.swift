import PostgresNIO
import Synchronization

extension PostgresClient {
    /// `withConnection` with bounded waits: for everything at most `total`; for a connection at
    /// most `lease` when the database is down (the pool cannot connect then; with a `probe`,
    /// a busy pool with a reachable database is waited for up to `total`, and a database the
    /// probe last found down is not waited for while it stays down).
    public func withConnection<T: Sendable>(
        lease: Duration, total: Duration, probe: DatabaseProbe? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        // The probe asks again at most once a second (a stopped server refuses at once), so
        // every request during an outage is answered within about that, and the first one after
        // it comes back is served.
        if let probe, await probe.lastFoundDown, await !probe.reachable() {
            throw DatabaseUnavailable(reason: "the database is unreachable")
        }
        let leased = Flag()
        let giveUp: @Sendable () async -> Bool = {
            guard !leased.isSet else { return false }
            guard let probe else { return true }
            return await !probe.reachable()
        }
        do {
            return try await Deadline.run(within: total, or: (lease, giveUp)) {
                // Metered where the lease really happens: a lease the caller stopped waiting for
                // still counts as waiting, and as in use once it is taken.
                try await self.withMeteredConnection { connection in
                    leased.set()
                    // Past the caller's patience the work is abandoned; its connection is closed
                    // soon after, so that the lease cannot be held forever.
                    return try await connection.watched(within: total + .seconds(1)) { try await body(connection) }
                }
            }
        } catch let exceeded as Deadline.Exceeded {
            throw DatabaseUnavailable(reason: leased.isSet ? "the database did not answer within \(exceeded.after)"
                                                            : "no database connection within \(exceeded.after)")
        }
    }
}

/// A flag set once, read from any task.
final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { self.value.withLock { $0 } }
    func set() { self.value.withLock { $0 = true } }

}
