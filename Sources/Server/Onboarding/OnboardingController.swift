import EduQLAccessControl
import EduQLAudit
import EduQLResolvers
import EduQLSchema
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// Bulk work for administrators, under the caller's role, scope and audit like any request:
///
/// - `POST /onboarding/imports[?dryRun=true][&sheet=learners]` — a ZIP, an XLSX workbook or one
///   CSV file (`sheet` names it); 202 with the job, which runs in one transaction;
/// - `GET /onboarding/imports/{id}` — its progress and, once done, its report;
/// - `DELETE /onboarding/imports/{id}` — cancels it: nothing of it remains;
/// - `GET /onboarding/export[?municipality=…|organization=…]` — the scope's records as a ZIP of the import's CSV files;
/// - `POST /onboarding/rollover` — closes a year (`preview: true` shows each learner's next class).
struct OnboardingController: Sendable {
    let database: PostgresClient
    let jobs: ImportJobs
    let audit: AuditSink?
    let deadline: Duration
    let logger: Logger

    func addRoutes(to router: Router<EduQLRequestContext>) {
        let group = router.group("onboarding")
        group.post("imports") { request, context in try await self.startImport(request, context: context) }
        group.get("imports/:id") { request, context in try await self.status(request, context: context) }
        group.delete("imports/:id") { request, context in try await self.cancel(request, context: context) }
        group.get("export") { request, context in
            try await context.bounded(within: self.deadline * 10) { try await self.export(request, context: context) }
        }
        group.post("rollover") { request, context in try await self.rollover(request, context: context) }
    }

    /// The signed-in user and what they may do in bulk; a refusal otherwise.
    func caller(_ context: EduQLRequestContext, may allowed: (OnboardingRights) -> Bool) throws -> (UserPrincipal, Caller.Resolved) {
        let resolved: Caller.Resolved
        do {
            resolved = try (context.caller ?? Caller(resolved: .failure(.unauthenticated))).get()
        } catch {
            if error == .unauthenticated { throw APIError.unauthenticated }
            let message = if case .forbidden(let message) = error { message } else { "change the temporary password first (POST /auth/password)" }
            throw APIError(status: .forbidden, code: error.code, message: message)
        }
        guard case .user(let user) = resolved.principal, allowed(resolved.principal.policy.onboarding) else {
            AuditRecord.current?.update(decides: true) { $0.outcome = .denied; $0.errorCodes = ["FORBIDDEN"] }
            throw APIError(status: .forbidden, code: "FORBIDDEN", message: "your role may not do this in bulk")
        }
        return (user, resolved)
    }

    /// A transaction acting for the caller: the database checks the session and sets the tenancy first.
    func acting<T: Sendable>(_ actingAs: ActingAs, within limit: Duration,
                             _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await self.database.withConnection { connection in
            try await connection.watched(within: limit) {
                try await connection.transaction(logger: self.logger) { connection in
                    try await Self.check(actingAs, on: connection, logger: self.logger)
                    return try await body(connection)
                }
            }
        }
    }

    static func check(_ actingAs: ActingAs, on connection: PostgresConnection, logger: Logger) async throws {
        let holds = try await connection.guardedQuery(actingAs.check, logger: logger).collect().first?.decode(Bool.self)
        guard holds == true else { throw APIError.unauthenticated }
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
