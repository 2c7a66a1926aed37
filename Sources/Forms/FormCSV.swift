import EduQLOnboarding
import Foundation

/// A form as CSV, a line per cell: section, row and its label, column and its label, value —
/// as the import's files are written (``CSVWriter``: UTF-8 with a byte-order mark, `;`).
public enum FormCSV {
    public static func csv(_ document: FormDocument) -> Data {
        var writer = CSVWriter()
        writer.row(["form", "edition", "reporting_date", "section", "row", "row_label", "column", "column_label", "value"])
        for sheet in document.sheets {
            for row in sheet.rows {
                for (column, value) in zip(sheet.columns, row.values) {
                    writer.row([document.form, document.edition, document.reportingDate, sheet.number, row.line.number, row.line.label,
                                column.number, column.label, value.rounded() == value ? String(Int64(value)) : String(value)])
                }
            }
        }
        return writer.data
    }
}
