import ArgumentParser
import EduQLAudit
import EduQLOnboarding
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// `eduql export --region <id> [--municipality <id> | --organization <id>] --out DIR`: the
/// records of a scope as the CSV files an import reads.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a region's, a municipality's or an organization's records as the import's CSV files."
    )

    @Option(help: "The region's id.") var region: Int
    @Option(help: "Only this municipality's organizations.") var municipality: Int?
    @Option(help: "Only this organization.") var organization: Int?
    @Option(help: "The folder the files are written to (created if missing).") var out: String

    func run() async throws {
        let command = try await CommandContext.load()
        let logger = command.logger
        let database = try await command.database()
        let exporter = Exporter(municipalityID: self.municipality, organizationID: self.organization)
        let region = self.region
        var event = OperatorTenancy.event("export", region: region)
        event.municipalityID = self.municipality
        event.organizationID = self.organization
        let audited = event
        let files = try await OperatorError.explaining { try await database.owner.withConnection(logger: logger) { connection in
            try await connection.transaction(logger: logger) { connection in
                try await OperatorTenancy.set(region: region, on: connection, logger: logger)
                let (files, learners) = try await exporter.export(on: connection, logger: logger)
                var event = audited
                event.learnerIDs = learners
                try await event.append(on: connection, logger: logger)
                return files
            }
        } }
        let folder = URL(fileURLWithPath: self.out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, data) in files {
            try data.write(to: folder.appendingPathComponent(name))
        }
        print("wrote \(files.count) files to \(folder.path)")
    }
}
