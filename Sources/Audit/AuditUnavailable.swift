import EduQLSchema

/// The audit store could not commit an event: the request must fail without its answer.
public struct AuditUnavailable: Error, Sendable {
    public var reason: String
}

extension AuditUnavailable: LoggableErrorDescription {
    public var loggableDescription: String { "AuditUnavailable: \(self.reason)" }
}
