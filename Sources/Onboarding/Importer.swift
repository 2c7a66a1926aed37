import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// Imports an ``ImportSet`` on one connection, inside the caller's transaction and under its
/// tenancy: every cell is read and checked here (types, SNILS control numbers, dates in the
/// future, duplicates within a file), then the rows go to the database in batches
/// (`eduql.import_rows`), which resolves the references, matches people and source ids, writes,
/// and reports what it could not. The caller commits only a report without problems.
public struct Importer: Sendable {
    public struct Configuration: Sendable {
        /// Rows sent to the database in one statement; default 1,000.
        public var batchSize = 1000
        /// Problems reported one by one; default 1,000 (the rest are only counted).
        public var problemLimit = 1000
        /// Rows a sheet creates before the planner's statistics of its tables are refreshed
        /// (`eduql.import_analyze`); default 1,000.
        public var analyzeAfter = 1000

        public init() {}
    }

    public var configuration: Configuration
    let tables: [ImportTable]
    /// The sheets the caller's role may import (``EduQLAccessControl/Policy/onboarding``).
    let allowedSheets: Set<String>

    public init(_ set: ImportSet, allowedSheets: Set<String>, configuration: Configuration = .init()) {
        self.tables = set.tables
        self.allowedSheets = allowedSheets
        self.configuration = configuration
    }

    /// Reads, checks and imports every table; `progress` hears after each batch, and a cancel
    /// is seen before each.
    public func run(on connection: PostgresConnection, dryRun: Bool, today: Date = Date(),
                    progress: @Sendable (ImportProgress) -> Void = { _ in }, cancellation: ImportCancellation = .init(),
                    logger: Logger) async throws -> ImportReport {
        var run = Run(report: ImportReport(dryRun: dryRun), limit: self.configuration.problemLimit)
        let total = try self.tables.reduce(0) { $0 + (try $1.count()) }
        let started = ContinuousClock.now
        var done = 0
        func report(_ sheet: String?) {
            let elapsed = ContinuousClock.now - started
            progress(ImportProgress(rowsDone: done, rowsTotal: total,
                                    elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                                    sheet: sheet))
        }
        report(nil)
        for table in self.tables {
            var counts = ImportReport.Counts(sheet: table.sheet.name, file: table.file)
            guard self.allowedSheets.contains(table.sheet.name) else {
                run.problem(table.file, 1, nil, "your role may not import \(table.sheet.name)")
                done += try table.count()
                run.report.sheets.append(counts)
                continue
            }
            // Branches after their parents: organizations are read twice, heads first.
            let passes: [Bool?] = table.sheet.name == "organizations" ? [false, true] : [nil]
            // A row's key by its 64-bit hash, not its text: the memory a sheet of 200,000 rows
            // needs stays a few MiB. Two different keys of one sheet sharing a hash (odds of about
            // one in 10^9 for a region's largest sheet) would be reported as a repeated key.
            var seen: [Int: Int] = [:]
            var analyzed = 0
            for branches in passes {
                let rows = try table.rows()
                guard let header = rows.next() else {
                    if let failure = rows.failure() { run.problem(table.file, 1, nil, failure) }
                    break
                }
                guard let columns = run.columns(of: header, in: table) else {
                    if branches != true { done += try table.count() }
                    break
                }
                var batch: [String] = []
                var line = 1
                var broken = false
                while let cells = rows.next() {
                    line += 1
                    // A row cut short by bytes that are not UTF-8 is reported where it stands, and reading stops.
                    if let failure = rows.failure() {
                        if branches != true { run.problem(table.file, line, nil, failure) }
                        broken = true
                        break
                    }
                    if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
                    if let branches, branches != (self.cell(cells, columns, "parent_id") != nil) { continue }
                    // Each row belongs to one pass (heads or branches), and is counted in it.
                    done += 1
                    counts.rows += 1
                    var hasher = Hasher()
                    for column in table.sheet.key { hasher.combine(self.cell(cells, columns, column) ?? "") }
                    let key = hasher.finalize()
                    if let first = seen[key] {
                        run.problem(table.file, line, table.sheet.key.first, "the same \(table.sheet.key.joined(separator: ", ")) as row \(first)")
                        continue
                    }
                    seen[key] = line
                    guard let values = run.read(cells, columns: columns, table: table, line: line, today: today) else { continue }
                    batch.append(JSONText.object([("_line", String(line))] + table.sheet.columns.map { ($0.name, values[$0.name]) }))
                    if batch.count >= self.configuration.batchSize {
                        try await self.send(&batch, table: table, counts: &counts, run: &run, on: connection, cancellation: cancellation, logger: logger)
                        // A sheet's own table grows under its per-row lookups: statistics at 1,000, 10,000, 100,000 … rows.
                        if counts.created >= analyzed * 10 || (analyzed == 0 && counts.created >= self.configuration.analyzeAfter) {
                            try await connection.execute("SELECT eduql.import_analyze(\(table.sheet.entity))", logger: logger)
                            analyzed = max(counts.created, self.configuration.analyzeAfter)
                        }
                        report(table.sheet.name)
                    }
                }
                try await self.send(&batch, table: table, counts: &counts, run: &run, on: connection, cancellation: cancellation, logger: logger)
                if !broken, branches != true, let failure = rows.failure() { run.problem(table.file, line + 1, nil, failure) }
            }
            run.report.sheets.append(counts)
            // What this sheet wrote is what the next sheets' statements look up.
            if counts.created >= self.configuration.analyzeAfter {
                try await connection.execute("SELECT eduql.import_analyze(\(table.sheet.entity))", logger: logger)
            }
            report(table.sheet.name)
        }
        return run.report
    }

    /// The trimmed text of a named column of a raw row.
    func cell(_ cells: [String], _ columns: [Int: Column], _ name: String) -> String? {
        guard let index = columns.first(where: { $0.value.name == name })?.key, index < cells.count else { return nil }
        let text = cells[index].trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : text
    }

    /// Sends a batch to the database and tallies what it answers.
    func send(_ batch: inout [String], table: ImportTable, counts: inout ImportReport.Counts, run: inout Run,
              on connection: PostgresConnection, cancellation: ImportCancellation, logger: Logger) async throws {
        guard !batch.isEmpty else { return }
        try Task.checkCancellation()
        try cancellation.check()
        let rows = "[" + batch.joined(separator: ",") + "]"
        batch.removeAll(keepingCapacity: true)
        let answer = try await connection.guardedQuery(
            "SELECT line, outcome, column_name, problem FROM eduql.import_rows(\(table.sheet.entity), \(rows)::jsonb)", logger: logger)
        for try await (line, outcome, column, problem) in answer.decode((Int, String, String?, String?).self) {
            switch outcome {
            case "created": counts.created += 1
            case "updated": counts.updated += 1
            case "unchanged": counts.unchanged += 1
            default: run.problem(table.file, line, column, problem ?? "cannot be imported")
            }
        }
    }
}
