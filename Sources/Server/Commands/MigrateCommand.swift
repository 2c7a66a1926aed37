import ArgumentParser
import EduQLSchema
import Foundation
import Logging

/// `eduql migrate`: applies pending migrations as the schema owner.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending SQL migrations.")

    func run() async throws {
        let command = try await CommandContext.load()
        let logger = command.logger
        let database = try await command.database()
        let applied = try await database.owner.withConnection(logger: logger) { connection in
            try await Migrator().migrate(connection, logger: logger)
        }
        print(applied.isEmpty ? "database is current" : "applied \(applied.count) migration(s): " + applied.map { "\($0.version)_\($0.name)" }.joined(separator: ", "))
    }
}
