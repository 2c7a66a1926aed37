import ArgumentParser
import EduQLSchema
import Foundation
import Logging

/// `eduql rollups rebuild|check`: recomputes the dashboards' rollups from the raw tables, or
/// checks that they hold what a rebuild would write.
struct RollupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollups", abstract: "Rebuild or check the dashboards' rollups.", subcommands: [Rebuild.self, Check.self])

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute every rollup from the raw tables, in one transaction.")

        func run() async throws {
            let command = try await CommandContext.load()
            let logger = command.logger
            let database = try await command.database()
            let rollups = Rollups(logger: logger)
            let (written, organizations) = try await database.owner.withConnection(logger: logger) { connection in
                // The rebuild marks every organization stale; folding them in at once spares the dashboards.
                (try await rollups.rebuild(on: connection), try await rollups.refreshOrganizations(on: connection))
            }
            for (name, rows) in written { print("\(name): \(rows) rows") }
            print("organization rollups: \(organizations) organizations")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compare every rollup, the suppression blocks and the organization rollups with what a rebuild would write; exit 1 on a difference.")

        func run() async throws {
            let command = try await CommandContext.load()
            let logger = command.logger
            let database = try await command.database()
            let differences = try await database.owner.withConnection(logger: logger) { connection in
                let rollups = Rollups(logger: logger)
                return try await rollups.differences(on: connection)
                    + [("suppression_blocks", try await rollups.suppressionDifferences(on: connection)),
                       ("organization rollups", try await rollups.organizationDifferences(on: connection))]
            }
            for (name, rows) in differences { print("\(name): \(rows == 0 ? "current" : "\(rows) rows differ")") }
            if differences.contains(where: { $0.rows > 0 }) { throw ExitCode(1) }
        }
    }
}
