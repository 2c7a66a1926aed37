import Foundation

/// A form as it is exported: which form and edition, whose and as of when, and its sections.
public struct FormDocument: Sendable {
    public var form: String
    public var edition: String
    public var title: String
    /// Whose form: the organization's name and codes, or the municipality or region it consolidates.
    public var subject: String
    public var codes: [(name: String, value: String)]
    public var reportingDate: String
    /// Computed, submitted, returned, accepted — or consolidated.
    public var status: String
    public var sheets: [FormSheet]

    /// The file name, without its extension: the form, the subject's id and the date.
    public var fileName: String {
        "\(self.form)-\(self.reportingDate)"
    }
}

extension FormDocument {
    /// A definition's sections (as `eduql.form_definitions.definition` holds them) filled with
    /// cells: `section` → `row` → `column` → value.
    static func sheets(definition: Data, cells: [String: [String: [String: Double]]]) throws -> [FormSheet] {
        struct Definition: Decodable {
            struct Section: Decodable {
                var number: String
                var title: String
                var rows: [FormSheet.Line]
                var columns: [FormSheet.Line]
            }
            var sections: [Section]
        }
        return try JSONDecoder().decode(Definition.self, from: definition).sections.map { section in
            FormSheet(number: section.number, title: section.title, columns: section.columns, rows: section.rows.map { row in
                FormSheet.Row(line: row, values: section.columns.map { cells[section.number]?[row.number]?[$0.number] ?? 0 })
            })
        }
    }
}
