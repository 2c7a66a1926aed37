import Synchronization

/// The event of the request being handled, filled in by whatever handles it (sign-in, the
/// engine, administration) and written once, by the audit middleware, before the answer leaves.
public final class AuditRecord: Sendable {
    /// The record of the current request, if it is audited.
    @TaskLocal public static var current: AuditRecord?

    private let state: Mutex<AuditEvent>
    /// Set once a handler has said how the request came out.
    private let decided = Mutex(false)

    public init(_ event: AuditEvent) {
        self.state = Mutex(event)
    }

    /// The event as it stands.
    public var event: AuditEvent { self.state.withLock { $0 } }

    /// Whether a handler set the outcome (else the response status decides).
    public var hasOutcome: Bool { self.decided.withLock { $0 } }

    /// Changes the event; `decides` marks the outcome as set by the handler.
    public func update(decides: Bool = false, _ change: (inout AuditEvent) -> Void) {
        self.state.withLock { change(&$0) }
        if decides { self.decided.withLock { $0 = true } }
    }
}
