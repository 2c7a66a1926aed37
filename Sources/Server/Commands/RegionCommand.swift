import ArgumentParser
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// `eduql region create --code 77 --name …`: a new, empty region, to import into.
struct RegionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "region", abstract: "Create regions.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an empty region and print its id.")

        @Option(help: "The region's two-digit code.") var code: String
        @Option(help: "The region's name.") var name: String

        func run() async throws {
            let command = try await CommandContext.load()
            let logger = command.logger
            let database = try await command.database()
            let (code, name) = (self.code, self.name)
            let id = try await database.owner.withConnection(logger: logger) { connection in
                let rows = try await connection.guardedQuery(
                    "INSERT INTO eduql.regions (code, name) VALUES (\(code), \(name)) RETURNING id", logger: logger)
                return try await rows.collect().first?.decode(Int.self)
            }
            print(id.map { "created region \($0) (\(code) \(name))" } ?? "no region created")
        }
    }
}
