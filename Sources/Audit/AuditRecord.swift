import EduQLSchema
import Logging
import PostgresNIO
import Synchronization

/// The event of the request being handled, filled in by whatever handles it (sign-in, the
/// engine, administration) and written once: staged inside the transaction of a state change
/// (so the change and its event commit together) and chained by the sink before the answer
/// leaves, or else appended by the audit middleware before the answer leaves.
public final class AuditRecord: Sendable {
    /// The record of the current request, if it is audited.
    @TaskLocal public static var current: AuditRecord?

    private struct State {
        var event: AuditEvent
        /// Set once a handler has said how the request came out.
        var decided = false
        /// Set while the event is appended in a transaction that has not failed.
        var written = false
        /// Set when the request was answered without waiting for its handler (a deadline ran out).
        var abandoned = false
    }

    private let state: Mutex<State>
    private let started = ContinuousClock.now
    /// False when auditing is off (benchmarks only): the event is kept, never appended.
    private let persisted: Bool
    /// Chains the event once its change committed; nil outside a server (tests, commands).
    private let sink: AuditSink?

    public init(_ event: AuditEvent, persisted: Bool = true, sink: AuditSink? = nil) {
        self.state = Mutex(State(event: event))
        self.persisted = persisted
        self.sink = sink
    }

    /// The event as it stands.
    public var event: AuditEvent { self.state.withLock { $0.event } }

    /// Whether a handler set the outcome (else the response status decides).
    public var hasOutcome: Bool { self.state.withLock { $0.decided } }

    /// Whether the event was committed with a state change; the middleware then writes nothing.
    public var isWritten: Bool { self.state.withLock { $0.written } }

    /// Changes the event; `decides` marks the outcome as set by the handler.
    public func update(decides: Bool = false, _ change: (inout AuditEvent) -> Void) {
        self.state.withLock { state in
            change(&state.event)
            if decides { state.decided = true }
        }
    }

    /// Time since the request arrived, in milliseconds.
    public var elapsedMilliseconds: Double {
        let elapsed = ContinuousClock.now - self.started
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// Stages the event on `connection`, inside the caller's transaction: no lock on the chain
    /// is taken, so changes of different tenants do not wait for each other.
    func stage(on connection: PostgresConnection, logger: Logger) async throws {
        guard self.persisted else { return }
        let event = self.state.withLock { state -> AuditEvent? in
            guard !state.abandoned else { return nil }
            state.event.durationMilliseconds = self.elapsedMilliseconds
            state.written = true
            return state.event
        }
        // The request was already answered (and audited) as failed: its change must not commit.
        guard let event else { throw AuditUnavailable(reason: "the request was answered before its change committed") }
        try await event.stage(on: connection, logger: logger)
    }

    /// The change committed: its staged event is taken into the chain before the answer leaves.
    func committed() async {
        guard self.persisted, self.isWritten else { return }
        await self.sink?.chainStaged()
    }

    /// The request is being answered without its handler: a transaction that has not appended
    /// the event yet will roll back instead. False if the event is already in a transaction.
    public func abandon() -> Bool {
        self.state.withLock { state in
            guard !state.written else { return false }
            state.abandoned = true
            return true
        }
    }

    /// The transaction that carried the event rolled back: the middleware writes it after all.
    func unwritten() {
        self.state.withLock { $0.written = false }
    }
}
