import Logging

/// Finds the database from the environment: `DATABASE_URL` (the server's role) and
/// `EDUQL_OWNER_DATABASE_URL` (the schema owner, for migrate and seed; defaults to
/// `DATABASE_URL`); with neither, the project-local cluster under `EDUQL_DATA_DIR` (default
/// `.data`) on `EDUQL_PG_PORT` (default 5433), created and started as needed.
public struct DatabaseLocator: Sendable {
    /// The owner's and the server's way in.
    public struct Connections: Sendable {
        public var owner: ConnectionSettings
        public var server: ConnectionSettings
    }

    /// The server's connections, from `DATABASE_URL`; nil for the local cluster.
    public var server: ConnectionSettings?
    /// The owner's connections, from `EDUQL_OWNER_DATABASE_URL`; nil for the server's.
    public var owner: ConnectionSettings?
    /// The local cluster used when `DATABASE_URL` is unset.
    public var cluster = LocalCluster.Configuration()

    /// Reads `DATABASE_URL`, `EDUQL_OWNER_DATABASE_URL`, `EDUQL_DATA_DIR` and `EDUQL_PG_PORT`.
    public init(settings: Settings) throws {
        let url = "a postgres:// URL (user, password, host, port, database, ?sslmode=)"
        self.server = try settings.choice("DATABASE_URL", default: "none: the local cluster", accepts: url, secret: true) { text -> ConnectionSettings?? in
            text.hasPrefix("none") ? .some(nil) : (try? ConnectionSettings(url: text)).map { .some($0) }
        }
        self.owner = try settings.choice("EDUQL_OWNER_DATABASE_URL", default: "none: DATABASE_URL", accepts: url, secret: true) { text -> ConnectionSettings?? in
            text.hasPrefix("none") ? .some(nil) : (try? ConnectionSettings(url: text)).map { .some($0) }
        }
        self.cluster.directory = settings.text("EDUQL_DATA_DIR", default: self.cluster.directory,
                                               accepts: "the local cluster's folder") ?? self.cluster.directory
        self.cluster.port = try settings.integer("EDUQL_PG_PORT", default: self.cluster.port, in: 1...65535)
        // The local cluster archives its WAL for `eduql backup` (taking effect when it starts).
        if let archive = settings.text("EDUQL_WAL_ARCHIVE", default: "none", accepts: "the backup folder the local cluster archives its WAL to"),
           archive != "none" {
            self.cluster.settings["archive_mode"] = "on"
            self.cluster.settings["archive_command"] = Backup.archiveCommand(folder: archive)
        }
    }

    /// Reads the process's settings.
    public static func fromEnvironment() async throws -> DatabaseLocator {
        try DatabaseLocator(settings: await Settings.load())
    }

    public func locate(logger: Logger) async throws -> Connections {
        if let server = self.server {
            return Connections(owner: self.owner ?? server, server: server)
        }
        let cluster = try await LocalCluster(configuration: self.cluster).start(logger: logger)
        return Connections(owner: cluster.owner, server: cluster.server)
    }
}
