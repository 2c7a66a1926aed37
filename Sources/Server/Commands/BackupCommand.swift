import ArgumentParser
import EduQLAudit
import EduQLSchema
import Foundation
import Logging

/// `eduql backup base|point|restore|verify`: base backups, named restore points and
/// point-in-time restores with PostgreSQL's own tools (``Backup``), into `EDUQL_BACKUP_DIR`
/// (default `.data-backup`). The database archives its WAL there: the local cluster does when
/// `EDUQL_WAL_ARCHIVE` names the same folder; another server with `archive_mode = on` and the
/// `archive_command` that `eduql backup base` prints.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Back up, restore to a point in time, and verify a restore.",
        subcommands: [Base.self, Point.self, Restore.self, Verify.self])

    struct Base: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a base backup (pg_basebackup).")

        func run() async throws {
            let backup = try await BackupCommand.backup()
            let label = try backup.0.base(logger: backup.1)
            print("base backup \(label) in \(backup.0.baseFolder)")
            print("the database must archive its WAL with: archive_mode = on, archive_command = '\(Backup.archiveCommand(folder: backup.0.folder))'")
        }
    }

    struct Point: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a named restore point and record what the database holds at it.")

        @Argument(help: "The point's name: letters, digits, '.', '_' or '-'.")
        var name: String

        func run() async throws {
            let backup = try await BackupCommand.backup()
            let point = try await backup.0.point(self.name, logger: backup.1)
            print("restore point \(point.name) at \(point.lsn): audit chain head \(point.auditHead), \(point.rows.values.reduce(0, +)) rows")
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore into a new folder, to a named point or to the end of the archive, and leave it running.")

        @Option(help: "The new cluster's folder (its data goes to FOLDER/pg).")
        var into: String
        @Option(help: "The port the restored cluster listens on.")
        var port: Int
        @Option(help: "The restore point to stop at (default: the end of the archived WAL).")
        var point: String?

        func run() async throws {
            let backup = try await BackupCommand.backup()
            let restored = try await backup.0.restore(into: self.into, port: self.port, point: self.point, logger: backup.1)
            print("restored base \(restored.label) to \(self.point ?? "the end of the archive"); running on port \(self.port) from \(self.into)/pg")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore into a scratch cluster and check it: migrations, the audit chain, and (for a point) its rows and chain head.")

        @Option(help: "The restore point to restore to (default: the end of the archive).")
        var point: String?
        @Option(help: "The restore point to check the restore against (default: --point): a restore to the end of the archive against the last point shows that nothing up to it is lost.")
        var against: String?
        @Option(help: "The scratch cluster's port.")
        var port: Int = 5499

        func run() async throws {
            let backup = try await BackupCommand.backup()
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-restore-\(UUID().uuidString)").path
            let result = try await backup.0.verify(point: self.point, against: self.against, scratch: scratch, port: self.port, logger: backup.1)
            print("base \(result.base), restored to \(result.restoredTo ?? "the end of the archive")")
            print("migrations: " + (result.pendingMigrations.isEmpty ? "all applied" : "missing \(result.pendingMigrations.joined(separator: ", "))"))
            print("audit chain: " + (result.chain.isIntact ? "intact, \(result.chain.checked) events" : "BROKEN at \(result.chain.brokenSequence ?? 0): \(result.chain.reason ?? "")")
                  + ", ends at event \(result.auditHead) (\(result.auditHeadHash.prefix(16))…)")
            if let point = result.point {
                print("point \(point.name): audit head \(point.auditHead) (\(point.auditHeadHash.prefix(16))…) "
                      + (result.hashAtPointHead == point.auditHeadHash ? "held with the same hash" : "NOT held"))
                if let missing = result.missingEvents { print("MISSING audit events \(missing.lowerBound)…\(missing.upperBound)") }
                print("tables whose rows differ from the point's: " + (result.differingTables.isEmpty ? "none" : result.differingTables.joined(separator: ", ")))
            }
            print("rows: \(result.rows.values.reduce(0, +)) in \(result.rows.count) tables")
            guard result.passed else { throw ExitCode(1) }
            print("verified")
        }
    }

    /// The backup folder and a superuser: the local cluster's, or `EDUQL_BACKUP_DATABASE_URL`'s
    /// (a role with REPLICATION that may create restore points) with `DATABASE_URL`.
    static func backup() async throws -> (Backup, Logger) {
        let command = try await CommandContext.load()
        let folder = command.settings.text("EDUQL_BACKUP_DIR", default: ".data-backup", accepts: "the backup folder") ?? ".data-backup"
        let url = "a postgres:// URL of a role with REPLICATION"
        let given = try command.settings.choice("EDUQL_BACKUP_DATABASE_URL", default: "none: the local cluster's superuser", accepts: url,
                                                secret: true) { text -> ConnectionSettings?? in
            text.hasPrefix("none") ? .some(nil) : (try? ConnectionSettings(url: text)).map { .some($0) }
        }
        let cluster = LocalCluster(configuration: command.locator.cluster)
        let superuser: ConnectionSettings
        let database: String
        if let given {
            superuser = given
            database = command.locator.server?.database ?? given.database
        } else {
            guard command.locator.server == nil else {
                throw ValidationError("DATABASE_URL names another server: set EDUQL_BACKUP_DATABASE_URL to a role with REPLICATION there")
            }
            superuser = try await cluster.start(logger: command.logger).superuser
            database = command.locator.cluster.database
        }
        return (Backup(folder: absolute(folder), superuser: superuser, database: database, binaries: try cluster.binDirectory()), command.logger)
    }
}
