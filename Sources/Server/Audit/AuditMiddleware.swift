import EduQLAccessControl
import EduQLAudit
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Tracing

/// Audits every request to `/graphql`, `/auth/…` and `/onboarding/…`: one event per request, committed before
/// the answer leaves. Handlers fill the event in (``AuditRecord/current``); what they leave
/// open, the response status decides. A state change commits its event in its own
/// transaction (``PostgresClient/auditedTransaction``, staged, then chained by the sink); every other event is written here. If
/// the event cannot be committed, the answer is a 503 that carries nothing of the original
/// response. Each request is then logged and counted (``RequestLog``), audit on or off.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = EduQLRequestContext

    /// Where events go; nil turns auditing off (benchmarks only).
    let sink: AuditSink?
    /// The request's log line and metrics.
    let log: RequestLog

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path == "/graphql" || path.hasPrefix("/auth/") || path == "/auth" || path.hasPrefix("/onboarding/") || path.hasPrefix("/forms/") else {
            return try await next(request, context)
        }
        let info = request.info(context)
        let kind: AuditEvent.Kind = path == "/graphql" ? .graphql : path.hasPrefix("/onboarding/") || path.hasPrefix("/forms/") ? .admin : .auth
        var initial = AuditEvent(kind: kind, action: Self.action(request), outcome: .ok, requestID: context.id)
        initial.clientIP = info.clientIP
        initial.userAgent = info.userAgent
        let record = AuditRecord(initial, persisted: self.sink != nil, sink: self.sink)
        var response: Response
        // The request's span ends after its event is decided and written (``RequestLog``).
        let span = startSpan("eduql.request", ofKind: .internal)
        span.attributes["eduql.request_id"] = context.id
        defer { span.end() }
        do {
            response = try await ServiceContext.$current.withValue(span.context) {
                try await AuditRecord.$current.withValue(record) { try await next(request, context) }
            }
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.requestID] = context.id
        let status = response.status
        if !record.isWritten {
            let decided = record.hasOutcome
            record.update { event in
                if status.code >= 500 {
                    event.outcome = .error
                } else if !decided {
                    event.outcome = Self.outcome(of: status)
                }
                if event.errorCodes.isEmpty, status.code >= 400 { event.errorCodes = ["HTTP_\(status.code)"] }
                event.detail["status"] = String(status.code)
                event.durationMilliseconds = record.elapsedMilliseconds
            }
        }
        guard let sink = self.sink, !record.isWritten else {
            self.log.record(record.event, status: Int(status.code), span: span, logger: context.logger)
            return response
        }
        do {
            let event = record.event
            try await ServiceContext.$current.withValue(span.context) { try await sink.record(event) }
        } catch {
            record.update { event in
                event.outcome = .error
                event.errorCodes = ["AUDIT_UNAVAILABLE"]
            }
            self.log.record(record.event, status: 503, span: span, logger: context.logger)
            let body = #"{"errors":[{"message":"The request could not be recorded in the audit log; nothing was answered.","extensions":{"code":"AUDIT_UNAVAILABLE"}}]}"#
            return Response(status: .serviceUnavailable,
                            headers: [.contentType: "application/json; charset=utf-8", .retryAfter: "1", .requestID: context.id],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        self.log.record(record.event, status: Int(status.code), span: span, logger: context.logger)
        return response
    }

    static func action(_ request: Request) -> String {
        let path = request.uri.path
        if path == "/graphql" { return "query" }
        if path.hasPrefix("/onboarding/") {
            return "onboarding." + request.method.rawValue.lowercased() + "." + (path.dropFirst("/onboarding/".count).split(separator: "/").first ?? "")
        }
        if path.hasPrefix("/forms/") {
            return "forms." + request.method.rawValue.lowercased() + "." + (path.dropFirst("/forms/".count).split(separator: "/").first ?? "")
        }
        return String(path.dropFirst("/auth/".count).prefix(40))
    }

    static func outcome(of status: HTTPResponse.Status) -> AuditEvent.Outcome {
        switch status.code {
        case 200..<400: .ok
        case 401, 403, 429: .denied
        case 400..<500: .invalid
        default: .error
        }
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`: the id the audit log records the request under.
    static let requestID = HTTPField.Name("X-Request-Id")!
}
