import Foundation

extension Importer {
    /// One run's report as it grows.
    struct Run {
        var report: ImportReport
        let limit: Int

        mutating func problem(_ file: String, _ row: Int, _ column: String?, _ message: String) {
            self.report.problemCount += 1
            if self.report.problems.count < self.limit {
                self.report.problems.append(.init(file: file, row: row, column: column, message: message))
            }
        }

        /// The columns of a header row by position, or nil (with its problems) when a header is
        /// unknown, repeated, or a required column is missing.
        mutating func columns(of header: [String], in table: ImportTable) -> [Int: Column]? {
            var columns: [Int: Column] = [:]
            var fine = true
            for (index, name) in header.enumerated() where !name.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let column = table.sheet.column(forHeader: name) else {
                    self.problem(table.file, 1, name, "no such column in \(table.sheet.name): "
                                 + table.sheet.columns.map(\.name).joined(separator: ", "))
                    fine = false
                    continue
                }
                if columns.values.contains(where: { $0.name == column.name }) {
                    self.problem(table.file, 1, name, "\(column.name) is given twice")
                    fine = false
                }
                columns[index] = column
            }
            for column in table.sheet.columns where column.required && !columns.values.contains(where: { $0.name == column.name }) {
                self.problem(table.file, 1, column.name, "the required column \(column.name) is missing")
                fine = false
            }
            return fine ? columns : nil
        }

        /// A data row's canonical values by column name, or nil (with its problems).
        mutating func read(_ cells: [String], columns: [Int: Column], table: ImportTable, line: Int, today: Date) -> [String: String]? {
            var values: [String: String] = [:]
            var fine = true
            if cells.count > (columns.keys.max() ?? -1) + 1,
               cells[((columns.keys.max() ?? -1) + 1)...].contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                self.problem(table.file, line, nil, "more cells than the header has columns")
                fine = false
            }
            for (index, column) in columns {
                let text = index < cells.count ? cells[index].trimmingCharacters(in: .whitespacesAndNewlines) : ""
                if text.isEmpty {
                    if column.required {
                        self.problem(table.file, line, column.name, "required")
                        fine = false
                    }
                    continue
                }
                if text.unicodeScalars.contains(where: { $0.value == 0 }) {
                    self.problem(table.file, line, column.name, "contains a NUL character")
                    fine = false
                    continue
                }
                switch column.kind.read(text, today: today) {
                case .success(let value): values[column.name] = value
                case .failure(let problem):
                    self.problem(table.file, line, column.name, problem.message + " (\(text.prefix(60)))")
                    fine = false
                }
            }
            guard fine else { return nil }
            for (column, message) in table.sheet.rowCheck(values) {
                self.problem(table.file, line, column, message)
                fine = false
            }
            return fine ? values : nil
        }
    }
}
