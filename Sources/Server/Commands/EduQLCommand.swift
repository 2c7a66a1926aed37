import ArgumentParser

/// The `eduql` command line: serve, migrate, seed, admin, audit.
public struct EduQLCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "eduql",
        abstract: "EduQL — the GraphQL API of a regional education information system.",
        subcommands: [ServeCommand.self, ConfigCommand.self, MigrateCommand.self, SeedCommand.self, AdminCommand.self, RegionCommand.self, ImportCommand.self, ExportCommand.self, RolloverCommand.self, AuditCommand.self, RollupsCommand.self, DocumentsCommand.self, BenchCommand.self, BackupCommand.self]
    )

    public init() {}
}
