import EduQLAudit
import Logging
import Metrics
import Tracing

/// What an operator sees of each request: one JSON log line, the request metrics and its
/// span's attributes, all from the request's audit event. Neither carries personal data, tokens or variable values:
/// the caller is named by id and role, the operation by its trusted document's name (or
/// `anonymous`), so the metrics' labels stay few.
struct RequestLog: Sendable {
    /// Trusted document names by the SHA-256 (hex) of their text.
    let documentNames: [String: String]

    /// The `/auth/…` actions that are labelled by name; any other is `auth/other`.
    static let authActions: Set<String> = ["login", "logout", "password", "session", "token"]

    /// The bounded name of the request's operation.
    func operation(of event: AuditEvent) -> String {
        if event.kind == .auth { return "auth/" + (Self.authActions.contains(event.action) ? event.action : "other") }
        return event.documentSHA256.flatMap { self.documentNames[$0] } ?? "anonymous"
    }

    /// Logs the request's line, records its metrics and names it in its span.
    func record(_ event: AuditEvent, status: Int, span: any Span, logger: Logger) {
        let operation = self.operation(of: event)
        let outcome = event.outcome.rawValue
        if span.isRecording {
            span.attributes["eduql.operation"] = operation
            span.attributes["eduql.outcome"] = outcome
            span.attributes["eduql.role"] = event.role
            span.attributes["http.response.status_code"] = status
        }
        Counter(label: "eduql_requests_total", dimensions: [("operation", operation), ("outcome", outcome)]).increment()
        if let milliseconds = event.durationMilliseconds {
            Metrics.Timer(label: "eduql_request_duration_seconds", dimensions: [("operation", operation)], preferredDisplayUnit: .seconds)
                .recordNanoseconds(Int64(milliseconds * 1_000_000))
        }
        if event.kind == .auth, event.action == "login" || event.action == "token" {
            Counter(label: "eduql_sign_ins_total", dimensions: [("kind", event.action == "login" ? "user" : "client"), ("outcome", outcome)])
                .increment()
        }
        var metadata: Logger.Metadata = [
            "request_id": .string(event.requestID),
            "operation": .string(operation),
            "outcome": .string(outcome),
            "status": .stringConvertible(status),
            "duration_ms": .stringConvertible(((event.durationMilliseconds ?? 0) * 10).rounded() / 10),
        ]
        if let type = event.operationType { metadata["operation_type"] = .string(type) }
        if let user = event.userID { metadata["user_id"] = .stringConvertible(user) }
        if let client = event.clientID { metadata["client_id"] = .stringConvertible(client) }
        if let role = event.role { metadata["role"] = .string(role) }
        if !event.errorCodes.isEmpty { metadata["error_codes"] = .array(event.errorCodes.prefix(5).map { .string($0) }) }
        if let rows = event.rowCount { metadata["rows"] = .stringConvertible(rows) }
        logger.info("request", metadata: metadata)
    }
}
