import PostgresNIO
import Synchronization

/// Tells the tasks waiting on one connection that it closed: one callback on the channel's
/// close per connection, however many queries wait on it; waiters that stop waiting leave.
final class ConnectionClosure: Sendable {
    private struct State {
        var closed = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var next: UInt64 = 0
    }

    private let state = Mutex(State())
    private static let open = Mutex<[ObjectIdentifier: ConnectionClosure]>([:])

    /// The closure of `connection`, made (and its close watched) on first use.
    static func of(_ connection: PostgresConnection) -> ConnectionClosure {
        let key = ObjectIdentifier(connection)
        let (closure, isNew) = Self.open.withLock { open -> (ConnectionClosure, Bool) in
            if let closure = open[key] { return (closure, false) }
            let closure = ConnectionClosure()
            open[key] = closure
            return (closure, true)
        }
        if isNew {
            connection.closeFuture.whenComplete { _ in
                Self.open.withLock { $0[key] = nil }
                closure.fire()
            }
        }
        return closure
    }

    private func fire() {
        let waiters = self.state.withLock { state in
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the connection closed, or once the waiting task is cancelled.
    func wait() async {
        let id = self.state.withLock { state in
            state.next += 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = self.state.withLock { state in
                    if state.closed || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
