import ArgumentParser
import EduQLSchema
import Foundation
import Logging

/// `eduql seed --scale demo|bench [--seed N]`: migrates, then generates data; the demo scale
/// also creates one account per role and writes them to `<data dir>/demo-accounts.json`.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Generate demo or benchmark data.")

    @Option(help: "demo (two regions, ~2,000 learners, demo accounts) or bench (100,000+ learners, 20M+ marks).")
    var scale: String = "demo"

    @Option(help: "The generator's seed: the same seed gives the same data.")
    var seed: Int = 1

    @Flag(help: "Exit successfully without doing anything when the database already has data.")
    var ifEmpty = false

    func run() async throws {
        guard let scale = SeedScale.named(self.scale) else {
            throw ValidationError("--scale must be demo or bench")
        }
        let command = try await CommandContext.load()
        let logger = command.logger
        let database = try await command.database()
        try await database.owner.withConnection(logger: logger) { connection in
            try await Migrator().migrate(connection, logger: logger)
            do {
                try await Seeder(scale: scale, seed: self.seed).run(on: connection, logger: logger) { line in
                    FileHandle.standardOutput.write(Data((line + "\n").utf8))
                }
            } catch is Seeder.AlreadySeeded where self.ifEmpty {
                print("the database already has data; not seeding")
                return
            }
            if scale == .demo {
                let accounts = try await DemoAccounts(seed: self.seed).create(on: connection, logger: logger)
                let path = command.locator.cluster.directory + "/demo-accounts.json"
                try accounts.write(to: path)
                print(accounts.table)
                print("written to \(path)")
            }
        }
    }
}
