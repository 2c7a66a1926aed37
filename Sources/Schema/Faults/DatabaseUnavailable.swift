import PostgresNIO
import Synchronization

/// The database cannot serve the request now: it is down, restarting, or did not answer in
/// time. Answered 503 with `Retry-After`, never 500.
public struct DatabaseUnavailable: Error, Sendable {
    public var reason: String
    /// The connection closed under the work (rather than none being had, or no answer in time):
    /// a read may run again on another.
    public var connectionLost: Bool

    public init(reason: String, connectionLost: Bool = false) {
        self.reason = reason
        self.connectionLost = connectionLost
    }

    /// Whether `error` means the database, not the request, failed: a lost or refused
    /// connection, a server shutting down, or a wait that ran out of time.
    public static func classifies(_ error: any Error) -> Bool {
        switch error {
        case is DatabaseUnavailable, is Deadline.Exceeded:
            return true
        case let error as PSQLError:
            switch error.code {
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed:
                return true
            case .server:
                return Self.unavailable(sqlState(of: error))
            default:
                return false
            }
        case let error as PostgresError:
            if case .connectionClosed = error { return true }
            return Self.unavailable(sqlState(of: error))
        case let error as PostgresTransactionError:
            return [error.closureError, error.beginError, error.commitError].contains { $0.map(Self.classifies) ?? false }
        default:
            return false
        }
    }

    static let unavailableStates: [PostgresError.Code] = [.adminShutdown, .crashShutdown, .cannotConnectNow]

    /// A server shutting down or refusing connections, or a connection exception (class 08).
    static func unavailable(_ state: PostgresError.Code?) -> Bool {
        guard let state else { return false }
        return Self.unavailableStates.contains(state) || state.raw.hasPrefix("08")
    }
}

extension PostgresClient {
    /// `withConnection` with bounded waits: for everything at most `total`; for a connection at
    /// most `lease` when the database is down (the pool cannot connect then; with a `probe`,
    /// a busy pool with a reachable database is waited for up to `total`).
    public func withConnection<T: Sendable>(
        lease: Duration, total: Duration, probe: DatabaseProbe? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let leased = Flag()
        let giveUp: @Sendable () async -> Bool = {
            guard !leased.isSet else { return false }
            guard let probe else { return true }
            return await !probe.reachable()
        }
        do {
            return try await Deadline.run(within: total, or: (lease, giveUp)) {
                try await self.withConnection { connection in
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
