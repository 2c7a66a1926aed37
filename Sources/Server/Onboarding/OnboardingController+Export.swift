import EduQLAccessControl
import EduQLAudit
import EduQLOnboarding
import EduQLSchema
import Foundation
import Hummingbird
import Logging
import NIOFoundationCompat
import PostgresNIO
import ZIPFoundation

extension OnboardingController {
    /// The caller's scope (or a municipality or organization in it) as a ZIP of the import's CSV files.
    func export(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let (_, caller) = try self.caller(context) { $0.exports }
        let municipality = try Self.id(request, "municipality")
        let organization = try Self.id(request, "organization")
        let exporter = Exporter(municipalityID: municipality, organizationID: organization)
        let (files, learners) = try await self.acting(caller.actingAs, within: self.jobs.configuration.transactionLimit) { connection in
            try await self.requireInScope(municipality: municipality, organization: organization, on: connection)
            return try await exporter.export(on: connection, logger: self.logger)
        }
        AuditRecord.current?.update { event in
            event.detail["export"] = organization.map { "organization \($0)" } ?? municipality.map { "municipality \($0)" } ?? "scope"
            event.rowCount = files.reduce(0) { $0 + $1.csv.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1 }
            event.learnerIDs = learners
        }
        let archive = try Archive(accessMode: .create)
        for (name, data) in files {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return Response(status: .ok, headers: [.contentType: "application/zip", .contentDisposition: "attachment; filename=\"eduql-export.zip\""],
                        body: .init(byteBuffer: ByteBuffer(bytes: archive.data ?? Data())))
    }

    /// Refuses a municipality or organization the caller's tenancy does not show (outside its scope).
    func requireInScope(municipality: Int?, organization: Int?, on connection: PostgresConnection) async throws {
        guard municipality != nil || organization != nil else { return }
        let visible = try await connection.guardedQuery("""
            SELECT (\(municipality)::bigint IS NULL OR EXISTS (SELECT 1 FROM eduql.municipalities m WHERE m.id = \(municipality)
                        AND m.region_id = eduql.current_region_id()
                        AND (eduql.current_municipality_id() IS NULL OR m.id = eduql.current_municipality_id())))
               AND (\(organization)::bigint IS NULL OR EXISTS (SELECT 1 FROM eduql.organizations o WHERE o.id = \(organization)))
            """, logger: self.logger).collect().first?.decode(Bool.self)
        guard visible == true else {
            AuditRecord.current?.update(decides: true) { $0.outcome = .denied; $0.errorCodes = ["FORBIDDEN"] }
            throw APIError(status: .forbidden, code: "FORBIDDEN", message: "outside your scope")
        }
    }

    /// An optional id in the query string; a malformed one is a bad request.
    static func id(_ request: Request, _ name: String) throws -> Int? {
        guard let text = request.uri.queryParameters[Substring(name)] else { return nil }
        guard let id = Int(text), id > 0 else { throw APIError.badRequest("\(name) must be an id", code: "BAD_USER_INPUT") }
        return id
    }
}
