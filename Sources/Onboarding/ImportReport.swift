/// What an import found and did: per sheet the rows created, updated and left unchanged, and
/// every problem by file, row and column. Nothing is written unless there is no problem.
public struct ImportReport: Sendable, Codable, Equatable {
    /// One problem: the file (and sheet), the row (1 is the header), the column, and what is wrong.
    public struct Problem: Sendable, Codable, Equatable {
        public var file: String
        public var row: Int
        public var column: String?
        public var message: String
    }

    /// What became of one sheet's rows.
    public struct Counts: Sendable, Codable, Equatable {
        public var sheet: String
        public var file: String
        public var rows = 0
        public var created = 0
        public var updated = 0
        public var unchanged = 0
    }

    public var dryRun: Bool
    /// Whether the import's changes were committed (never for a dry run or with problems).
    public var committed = false
    public var sheets: [Counts] = []
    /// The problems, up to the configured limit.
    public var problems: [Problem] = []
    /// All the problems found, also those beyond the limit.
    public var problemCount = 0

    public var created: Int { self.sheets.reduce(0) { $0 + $1.created } }
    public var updated: Int { self.sheets.reduce(0) { $0 + $1.updated } }
    public var unchanged: Int { self.sheets.reduce(0) { $0 + $1.unchanged } }
    public var rows: Int { self.sheets.reduce(0) { $0 + $1.rows } }

    public init(dryRun: Bool) {
        self.dryRun = dryRun
    }

    /// The counts as the audit event's detail records them.
    public var auditDetail: [String: String] {
        var detail = ["dry_run": String(self.dryRun), "rows": String(self.rows), "created": String(self.created),
                      "updated": String(self.updated), "unchanged": String(self.unchanged), "problems": String(self.problemCount)]
        for sheet in self.sheets {
            detail["\(sheet.sheet)"] = "\(sheet.created)/\(sheet.updated)/\(sheet.unchanged)"
        }
        return detail
    }
}

/// How far an import has got: rows done of all, the rate, and the time left at that rate.
public struct ImportProgress: Sendable, Codable, Equatable {
    public var rowsDone: Int
    public var rowsTotal: Int
    public var rowsPerSecond: Double
    public var secondsLeft: Double?
    public var sheet: String?

    public init(rowsDone: Int, rowsTotal: Int, elapsedSeconds: Double, sheet: String?) {
        self.rowsDone = rowsDone
        self.rowsTotal = rowsTotal
        self.rowsPerSecond = elapsedSeconds > 0 ? (Double(rowsDone) / elapsedSeconds).rounded() : 0
        self.secondsLeft = self.rowsPerSecond > 0 ? (Double(rowsTotal - rowsDone) / self.rowsPerSecond).rounded() : nil
        self.sheet = sheet
    }

    /// `12000/110000 rows, 2400 rows/s, 41 s left`.
    public var line: String {
        "\(self.rowsDone)/\(self.rowsTotal) rows, \(Int(self.rowsPerSecond)) rows/s"
            + (self.secondsLeft.map { ", \(Int($0)) s left" } ?? "") + (self.sheet.map { " (\($0))" } ?? "")
    }
}
