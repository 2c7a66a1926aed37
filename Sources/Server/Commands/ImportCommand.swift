import ArgumentParser
import EduQLAudit
import EduQLOnboarding
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// `eduql import --region <id> [--dry-run] FILE…`: imports CSV files, XLSX workbooks or ZIP
/// archives of them into one region, all or nothing.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import organizations, staff, classes, learners, guardians, enrollments, assignments and timetables from CSV/XLSX files.",
        discussion: "Every problem is reported by file, row and column, and then nothing is written. The README describes the files."
    )

    @Option(help: "The region's id.") var region: Int
    @Flag(help: "Check everything and change nothing.") var dryRun = false
    @Option(help: "Rows per statement.") var batchSize = 1000
    @Flag(help: "Print the report as JSON.") var json = false
    @Argument(help: "CSV files, XLSX workbooks, ZIP archives, or folders of them.") var files: [String]

    func run() async throws {
        let command = try await CommandContext.load()
        let logger = command.logger
        let set = try ImportSet(paths: self.files.map { URL(fileURLWithPath: $0) })
        var configuration = Importer.Configuration()
        configuration.batchSize = max(1, self.batchSize)
        let importer = Importer(set, allowedSheets: Set(Sheet.all.map(\.name)), configuration: configuration)
        let database = try await command.database()
        let region = self.region
        let dryRun = self.dryRun
        let finished = try await OperatorError.explaining { try await database.owner.withConnection(logger: logger) { connection in
            let finished = try await importer.transaction(
                dryRun: dryRun, event: OperatorTenancy.event("import", region: region), on: connection,
                prepare: { try await OperatorTenancy.set(region: region, on: $0, logger: logger) },
                progress: { progress in FileHandle.standardError.write(Data(("\r" + progress.line + "   ").utf8)) },
                logger: logger)
            if !finished.eventWritten { try await finished.event.append(on: connection, logger: logger) }
            return finished
        } }
        FileHandle.standardError.write(Data("\n".utf8))
        let report = finished.report
        if self.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for sheet in report.sheets {
                print("\(sheet.file): \(sheet.rows) rows — \(sheet.created) created, \(sheet.updated) updated, \(sheet.unchanged) unchanged")
            }
            for problem in report.problems {
                print("\(problem.file), row \(problem.row)\(problem.column.map { ", column \($0)" } ?? ""): \(problem.message)")
            }
            if report.problemCount > report.problems.count { print("… and \(report.problemCount - report.problems.count) more problems") }
            print(report.committed ? "imported: \(report.created) created, \(report.updated) updated, \(report.unchanged) unchanged"
                  : dryRun && report.problemCount == 0 ? "dry run: no problems; nothing was changed"
                  : "\(report.problemCount) problems: nothing was changed")
        }
        if report.problemCount > 0 { throw ExitCode(2) }
    }
}
