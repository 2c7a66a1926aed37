import EduQLSchema
import Foundation
import Logging
import PostgresNIO

extension FormDocument {
    /// An organization's report, if `visible` (SQL over the report `r`: the caller's rows) lets
    /// the caller read it; under the transaction's tenancy.
    public static func report(_ id: Int, visible: String, on connection: PostgresConnection, logger: Logger) async throws -> FormDocument? {
        let query = PostgresQuery(unsafeSQL: """
            SELECT r.form, r.edition, d.title, d.definition::text, o.full_name, coalesce(o.inn, ''), coalesce(o.kpp, ''), coalesce(o.oktmo, ''),
                   r.reporting_date::text, r.status,
                   (SELECT coalesce(json_agg(json_build_array(c.section, c.row_number, c.column_number, c.value)), '[]')::text
                    FROM eduql.form_report_cells c WHERE c.report_id = r.id)
            FROM eduql.form_reports r JOIN eduql.form_definitions d ON d.form = r.form AND d.edition = r.edition
            JOIN eduql.organizations o ON o.id = r.organization_id
            WHERE r.id = $1 AND (\(visible))
            """, binds: try { var binds = PostgresBindings(); try binds.append(id); return binds }())
        guard let row = try await connection.guardedQuery(query, logger: logger).collect().first else { return nil }
        let (form, edition, title, definition, name, inn, kpp, oktmo, date, status, cells) = try row.decode(
            (String, String, String, String, String, String, String, String, String, String, String).self)
        return FormDocument(form: form, edition: edition, title: title, subject: name,
                            codes: [("ИНН", inn), ("КПП", kpp), ("ОКТМО", oktmo)].filter { !$0.1.isEmpty }, reportingDate: date,
                            status: status, sheets: try Self.sheets(definition: Data(definition.utf8), cells: try Self.cells(cells)))
    }

    /// Cells as `[[section, row, column, value], …]` JSON, by section, row and column.
    static func cells(_ json: String) throws -> [String: [String: [String: Double]]] {
        guard let list = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[Any]] else { return [:] }
        var cells: [String: [String: [String: Double]]] = [:]
        for cell in list where cell.count == 4 {
            guard let section = cell[0] as? String, let row = cell[1] as? String, let column = cell[2] as? String,
                  let value = (cell[3] as? NSNumber)?.doubleValue else { continue }
            cells[section, default: [:]][row, default: [:]][column] = value
        }
        return cells
    }
}

extension FormDocument {
    /// The consolidated form (свод) of the accepted reports of `form` for `year` the caller reads
    /// (`reports` and `cells`: SQL over the report `r` and cell `c`), of one municipality or of
    /// the caller's whole scope; nil when none is accepted.
    public static func consolidated(form: String, year: Int, municipality: Int?, reports: String, cells: String,
                                    on connection: PostgresConnection, logger: Logger) async throws -> FormDocument? {
        var binds = PostgresBindings()
        binds.append(form)
        binds.append(year)
        binds.append(municipality)
        let query = PostgresQuery(unsafeSQL: """
            WITH accepted AS (SELECT r.* FROM eduql.form_reports r WHERE r.form = $1 AND extract(year FROM r.reporting_date) = $2
                              AND r.status = 'accepted' AND ($3::bigint IS NULL OR r.municipality_id = $3) AND (\(reports)))
            SELECT d.form, d.edition, d.title, d.definition::text,
                   coalesce((SELECT m.name FROM eduql.municipalities m WHERE m.id = $3), (SELECT g.name FROM eduql.regions g WHERE g.id = eduql.current_region_id())),
                   (SELECT max(reporting_date)::text FROM accepted), (SELECT count(*)::int FROM accepted),
                   (SELECT coalesce(json_agg(json_build_array(x.section, x.row_number, x.column_number, x.value)), '[]')::text FROM (
                        SELECT c.section, c.row_number, c.column_number, sum(c.value) AS value FROM accepted a
                        JOIN eduql.form_report_cells c ON c.report_id = a.id WHERE (\(cells)) GROUP BY 1, 2, 3) x)
            FROM eduql.form_definitions d WHERE d.form = $1 AND d.edition = (SELECT max(edition) FROM accepted)
            """, binds: binds)
        guard let row = try await connection.guardedQuery(query, logger: logger).collect().first else { return nil }
        let (form, edition, title, definition, subject, date, count, sums) = try row.decode((String, String, String, String, String, String, Int, String).self)
        return FormDocument(form: form, edition: edition, title: title, subject: "\(subject) — свод по \(count) принятым формам", codes: [],
                            reportingDate: date, status: "consolidated",
                            sheets: try Self.sheets(definition: Data(definition.utf8), cells: try Self.cells(sums)))
    }
}
