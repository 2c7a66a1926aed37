import EduQLAccessControl
import EduQLAudit
import EduQLForms
import EduQLResolvers
import EduQLSchema
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// Statistical forms as files, in the form's layout (XLSX, a sheet per section) or a line per
/// cell (CSV), audited like any request:
///
/// - `GET /forms/reports/{id}?format=xlsx|csv` — a report the caller reads (its organization's
///   administrators, the municipality and the region above it);
/// - `GET /forms/consolidated?form=…&year=…[&municipality=…]&format=…` — the consolidated form of
///   the accepted reports the caller reads.
struct FormsController: Sendable {
    let database: PostgresClient
    let deadline: Duration
    let logger: Logger

    func addRoutes(to router: Router<EduQLRequestContext>) {
        let group = router.group("forms")
        group.get("reports/:id") { request, context in
            try await context.bounded(within: self.deadline) { try await self.report(request, context: context) }
        }
        group.get("consolidated") { request, context in
            try await context.bounded(within: self.deadline) { try await self.consolidated(request, context: context) }
        }
    }

    func report(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let caller = try self.caller(context)
        let policy = caller.principal.policy
        guard let id = context.parameters.get("id").flatMap(Int.init), id > 0 else {
            throw APIError.badRequest("the report's id must be an id", code: "BAD_USER_INPUT")
        }
        let format = try Self.format(request)
        let visible = policy.predicate(.formReports, alias: "r")
        let document = try await self.acting(caller) { connection in
            try await FormDocument.report(id, visible: visible, on: connection, logger: self.logger)
        }
        // A report the caller may not read is as absent as one that does not exist.
        guard let document else {
            AuditRecord.current?.update(decides: true) { $0.outcome = .invalid; $0.errorCodes = ["NOT_FOUND"] }
            throw APIError(status: .notFound, code: "NOT_FOUND", message: "no such report of yours")
        }
        AuditRecord.current?.update { $0.detail["export"] = "statistical report \(id) (\(document.form) \(document.reportingDate)) as \(format)" }
        return try Self.file(document, format: format)
    }

    /// `GET /forms/consolidated?form=…&year=…[&municipality=…][&format=…]`: the consolidated form
    /// of the accepted reports the caller reads.
    func consolidated(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let caller = try self.caller(context)
        let policy = caller.principal.policy
        let query = request.uri.queryParameters
        guard let form = query.get("form"), (1...16).contains(form.count), let year = query.get("year").flatMap(Int.init), (2000...2100).contains(year) else {
            throw APIError.badRequest("form and year (2000–2100) are required", code: "BAD_USER_INPUT")
        }
        let municipality: Int?
        if let text = query.get("municipality") {
            guard let id = Int(text), id > 0 else { throw APIError.badRequest("municipality must be an id", code: "BAD_USER_INPUT") }
            municipality = id
        } else {
            municipality = nil
        }
        let format = try Self.format(request)
        let (reports, cells) = (policy.predicate(.formReports, alias: "r"), policy.predicate(.formReportCells, alias: "c"))
        let document = try await self.acting(caller) { connection in
            try await FormDocument.consolidated(form: form, year: year, municipality: municipality, reports: reports, cells: cells,
                                                on: connection, logger: self.logger)
        }
        guard let document else {
            AuditRecord.current?.update(decides: true) { $0.outcome = .invalid; $0.errorCodes = ["NOT_FOUND"] }
            throw APIError(status: .notFound, code: "NOT_FOUND", message: "no accepted form of your scope for this form and year")
        }
        AuditRecord.current?.update { $0.detail["export"] = "consolidated \(form) \(year)\(municipality.map { " of municipality \($0)" } ?? "") as \(format)" }
        return try Self.file(document, format: format)
    }

    /// The caller, if its policy reads statistical forms at all (teachers, parents, students and integrations do not).
    func caller(_ context: EduQLRequestContext) throws -> Caller.Resolved {
        let caller: Caller.Resolved
        do {
            caller = try (context.caller ?? Caller(resolved: .failure(.unauthenticated))).get()
        } catch {
            throw error == .unauthenticated ? APIError.unauthenticated : APIError(status: .forbidden, code: error.code, message: "not allowed")
        }
        guard caller.principal.policy.allows("StatisticalReport", "cells") else {
            AuditRecord.current?.update(decides: true) { $0.outcome = .denied; $0.errorCodes = ["FORBIDDEN"] }
            throw APIError(status: .forbidden, code: "FORBIDDEN", message: "your role reads no statistical forms")
        }
        return caller
    }

    /// `format`: xlsx (the default) or csv.
    static func format(_ request: Request) throws -> String {
        let format = request.uri.queryParameters.get("format") ?? "xlsx"
        guard format == "xlsx" || format == "csv" else { throw APIError.badRequest("format must be xlsx or csv", code: "BAD_USER_INPUT") }
        return format
    }

    /// A transaction acting for the caller: the database checks the session and sets the tenancy first.
    func acting<T: Sendable>(_ caller: Caller.Resolved, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await self.database.withConnection { connection in
            try await connection.transaction(logger: self.logger) { connection in
                try await OnboardingController.check(caller.actingAs, on: connection, logger: self.logger)
                return try await body(connection)
            }
        }
    }

    /// The form as a file to download.
    static func file(_ document: FormDocument, format: String) throws -> Response {
        AuditRecord.current?.update { $0.rowCount = document.sheets.reduce(0) { $0 + $1.rows.count } }
        let (body, type) = format == "csv"
            ? (FormCSV.csv(document), "text/csv; charset=utf-8")
            : (try FormWorkbook.xlsx(document), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(document.fileName).\(format)\"",
                                               .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
