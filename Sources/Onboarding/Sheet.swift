/// One kind of file (or workbook sheet) an import reads and an export writes: its name (the
/// file's stem, or the sheet's name) and the Russian names accepted for it, the entity the
/// database imports its rows as, its columns in export order, and the columns that identify a
/// row within the file (a row whose key appeared before is a duplicate).
public struct Sheet: Sendable {
    public var name: String
    public var aliases: [String]
    public var entity: String
    public var columns: [Column]
    public var key: [String]
    /// Checks across the columns of one read row: the column and the problem.
    var rowCheck: @Sendable ([String: String]) -> [(column: String, message: String)] = { _ in [] }

    /// The column a header names.
    func column(forHeader header: String) -> Column? {
        let folded = Header.fold(header)
        return self.columns.first { Header.fold($0.name) == folded || $0.aliases.contains(folded) }
    }

    /// Whether a file or sheet named `name` (without extension) is this sheet.
    func matches(_ name: String) -> Bool {
        let folded = Header.fold(name)
        return Header.fold(self.name) == folded || self.aliases.map(Header.fold).contains(folded)
    }
}

extension Sheet {
    /// The sheet a file or workbook sheet is named for.
    public static func named(_ name: String) -> Sheet? {
        Self.all.first { $0.matches(name) }
    }
}
