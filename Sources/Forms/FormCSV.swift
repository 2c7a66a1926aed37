import Foundation

/// A form as CSV, a line per cell: section, row and its label, column and its label, value —
/// UTF-8 with a byte-order mark and `;` between cells, as spreadsheets open it.
public enum FormCSV {
    public static func csv(_ document: FormDocument) -> Data {
        var data = Data([0xEF, 0xBB, 0xBF])
        func line(_ cells: [String]) {
            let text = cells.map { cell in
                cell.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
            }.joined(separator: ";")
            data.append(contentsOf: Array((text + "\r\n").utf8))
        }
        line(["form", "edition", "reporting_date", "section", "row", "row_label", "column", "column_label", "value"])
        for sheet in document.sheets {
            for row in sheet.rows {
                for (column, value) in zip(sheet.columns, row.values) {
                    line([document.form, document.edition, document.reportingDate, sheet.number, row.line.number, row.line.label,
                          column.number, column.label, value.rounded() == value ? String(Int64(value)) : String(value)])
                }
            }
        }
        return data
    }
}
