import EduQLAccessControl
import EduQLAudit
import EduQLForms
import EduQLResolvers
import EduQLSchema
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// Statistical forms as files: `GET /forms/reports/{id}?format=xlsx|csv` — a report the caller
/// reads (its organization's administrators, the municipality and the region above it), in
/// the form's layout (XLSX, a sheet per section) or a line per cell (CSV). Audited like any request.
struct FormsController: Sendable {
    let database: PostgresClient
    let deadline: Duration
    let logger: Logger

    func addRoutes(to router: Router<EduQLRequestContext>) {
        router.group("forms").get("reports/:id") { request, context in
            try await context.bounded(within: self.deadline) { try await self.report(request, context: context) }
        }
    }

    func report(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let caller: Caller.Resolved
        do {
            caller = try (context.caller ?? Caller(resolved: .failure(.unauthenticated))).get()
        } catch {
            throw error == .unauthenticated ? APIError.unauthenticated : APIError(status: .forbidden, code: error.code, message: "not allowed")
        }
        let policy = caller.principal.policy
        // Whoever's policy reads no report's cells has no form to export (teachers, parents, students, integrations).
        guard policy.allows("StatisticalReport", "cells") else {
            AuditRecord.current?.update(decides: true) { $0.outcome = .denied; $0.errorCodes = ["FORBIDDEN"] }
            throw APIError(status: .forbidden, code: "FORBIDDEN", message: "your role reads no statistical forms")
        }
        guard let id = context.parameters.get("id").flatMap(Int.init), id > 0 else {
            throw APIError.badRequest("the report's id must be an id", code: "BAD_USER_INPUT")
        }
        let format = request.uri.queryParameters.get("format") ?? "xlsx"
        guard format == "xlsx" || format == "csv" else { throw APIError.badRequest("format must be xlsx or csv", code: "BAD_USER_INPUT") }
        let visible = policy.predicate(.formReports, alias: "r")
        let document = try await self.database.withConnection { connection in
            try await connection.transaction(logger: self.logger) { connection in
                let holds = try await connection.guardedQuery(caller.actingAs.check, logger: self.logger).collect().first?.decode(Bool.self)
                guard holds == true else { throw APIError.unauthenticated }
                return try await FormDocument.report(id, visible: visible, on: connection, logger: self.logger)
            }
        }
        // A report the caller may not read is as absent as one that does not exist.
        guard let document else {
            AuditRecord.current?.update(decides: true) { $0.outcome = .invalid; $0.errorCodes = ["NOT_FOUND"] }
            throw APIError(status: .notFound, code: "NOT_FOUND", message: "no such report of yours")
        }
        AuditRecord.current?.update { event in
            event.detail["export"] = "statistical report \(id) (\(document.form) \(document.reportingDate)) as \(format)"
            event.rowCount = document.sheets.reduce(0) { $0 + $1.rows.count }
        }
        let (body, type) = format == "csv"
            ? (FormCSV.csv(document), "text/csv; charset=utf-8")
            : (try FormWorkbook.xlsx(document), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(document.fileName).\(format)\"",
                                               .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
