import Foundation

/// One table of an import: a CSV file, or one sheet of a workbook, with the sheet it is for.
/// Its rows are read as they are needed, so a large file is never held whole.
public struct ImportTable: Sendable {
    /// The file's name as given (and, for a workbook, the sheet's): what a problem names.
    public var file: String
    public var sheet: Sheet
    let source: Source

    enum Source: Sendable {
        case csv(CSVSource)
        case rows([[String]])
    }

    /// The header and then the data rows; each row's number is its line in the file (1 = header).
    func rows() throws -> TableRows {
        switch self.source {
        case .csv(let csv): return try csv.rows()
        case .rows(let rows):
            var iterator = rows.makeIterator()
            return TableRows(next: { iterator.next() }, failure: { nil })
        }
    }

    /// The number of data rows (one pass over a CSV file, without keeping it).
    func count() throws -> Int {
        switch self.source {
        case .csv(let csv):
            var count = -1
            let rows = try csv.rows()
            while rows.next() != nil { count += 1 }
            return max(count, 0)
        case .rows(let rows): return max(rows.count - 1, 0)
        }
    }
}

/// The rows of a table, read one at a time; `failure` says why reading stopped before the end.
struct TableRows {
    let next: () -> [String]?
    let failure: () -> String?
}

/// Why the files of an import cannot be read at all.
public struct ImportFileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(self.file): \(self.message)" }
}
