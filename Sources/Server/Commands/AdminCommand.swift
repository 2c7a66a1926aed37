import ArgumentParser
import EduQLAccessControl
import Foundation
import Logging

/// `eduql admin …`: administration that has no signed-in administrator yet.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Administer accounts from the command line.", subcommands: [Bootstrap.self]
    )

    /// `eduql admin bootstrap --region <id> --login <l>`: the first region admin.
    struct Bootstrap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a region's first admin and print its temporary password.")

        @Option(help: "The region's id.") var region: Int
        @Option(help: "The new admin's login.") var login: String

        func run() async throws {
            let command = try await CommandContext.load()
            let logger = command.logger
            let database = try await command.database()
            let credentials = try await database.owner.withConnection(logger: logger) { connection in
                try await AccountAdministration.bootstrap(regionID: self.region, login: self.login, on: connection, logger: logger)
            }
            print("created region admin '\(self.login)' (user \(credentials.userID)) in region \(self.region)")
            print("temporary password: \(credentials.temporaryPassword)")
            print("it must be changed at first sign-in (POST /auth/password)")
        }
    }
}
