import PostgresNIO

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

    /// Whether `error` is a connection lost before or while the work ran (not a wait that ran
    /// out: a database that does not answer is not asked twice), so a read may run again.
    public static func lostConnection(_ error: any Error) -> Bool {
        switch error {
        case let error as DatabaseUnavailable: error.connectionLost
        case let error as PSQLError:
            [.serverClosedConnection, .clientClosedConnection, .uncleanShutdown].contains(error.code) || sqlState(of: error) == .adminShutdown
        case let error as PostgresError:
            if case .connectionClosed = error { true } else { sqlState(of: error) == .adminShutdown }
        default: false
        }
    }

    /// A server shutting down, crashed or starting, and a write that reached a host in recovery
    /// (a primary demoted by a failover under a connection made before it).
    static let unavailableStates: [PostgresError.Code] = [.adminShutdown, .crashShutdown, .cannotConnectNow, .readOnlySqlTransaction]

    /// A server shutting down or refusing connections, or a connection exception (class 08).
    static func unavailable(_ state: PostgresError.Code?) -> Bool {
        guard let state else { return false }
        return Self.unavailableStates.contains(state) || state.raw.hasPrefix("08")
    }
}
