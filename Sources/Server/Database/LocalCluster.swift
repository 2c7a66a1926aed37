import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// A project-local PostgreSQL 15 cluster: created with `initdb` on first use, started with
/// `pg_ctl`, and reused on later runs. Used when no `DATABASE_URL` is given, and by the tests.
///
/// The cluster listens on TCP only (no Unix socket), with SCRAM passwords for every role; the
/// generated passwords are kept in `credentials.json` (mode 0600) beside the data folder.
public struct LocalCluster: Sendable {
    public struct Configuration: Sendable {
        /// The folder holding `pg/` (the data directory), `pg.log` and `credentials.json`. Default `.data`.
        public var directory: String
        /// Listen address. Default `127.0.0.1`.
        public var host: String
        /// Listen port. Default 5433, beside a system server on 5432.
        public var port: Int
        /// The application database. Default `eduql`.
        public var database: String
        /// PostgreSQL's programs; default `pg_config --bindir`, else Debian's `/usr/lib/postgresql/15/bin`.
        public var binDirectory: String?
        /// Further server settings passed with `-c` at start (e.g. `shared_preload_libraries`). Default none.
        public var settings: [String: String] = [:]

        public init(directory: String = ".data", host: String = "127.0.0.1", port: Int = 5433, database: String = "eduql",
                    binDirectory: String? = nil, settings: [String: String] = [:]) {
            self.settings = settings
            self.directory = directory
            self.host = host
            self.port = port
            self.database = database
            self.binDirectory = binDirectory
        }
    }

    /// The generated passwords of the cluster's roles.
    public struct Credentials: Codable, Sendable {
        public var superuser: String
        public var owner: String
        public var server: String

        static func generate() -> Credentials {
            Credentials(superuser: randomSecret(), owner: randomSecret(), server: randomSecret())
        }

        static func randomSecret() -> String {
            var generator = SystemRandomNumberGenerator()
            return (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    var dataDirectory: String { absolute(self.configuration.directory) + "/pg" }
    var credentialsPath: String { absolute(self.configuration.directory) + "/credentials.json" }
    var logPath: String { self.dataDirectory + "/server.log" }

    /// Creates the cluster if missing, starts it if stopped, and ensures the roles and database.
    /// Returns the connection settings of the superuser, the owner and the server role.
    public func start(logger: Logger) async throws -> ClusterConnections {
        let binaries = try self.binDirectory()
        let credentials = try self.initializeIfNeeded(binaries: binaries, logger: logger)
        let status = try Subprocess.run(binaries + "/pg_ctl", ["status", "-D", self.dataDirectory], asPostgresUser: true, allowedStatuses: [0, 3])
        if status.status == 3 {
            logger.info("starting local PostgreSQL", metadata: ["data": "\(self.dataDirectory)", "port": "\(self.configuration.port)"])
            try self.launch(binaries: binaries)
        }
        let connections = ClusterConnections(
            superuser: ConnectionSettings(host: self.configuration.host, port: self.configuration.port, username: "postgres",
                                          password: credentials.superuser, database: "postgres"),
            owner: ConnectionSettings(host: self.configuration.host, port: self.configuration.port, username: DatabaseRole.owner,
                                      password: credentials.owner, database: self.configuration.database),
            server: ConnectionSettings(host: self.configuration.host, port: self.configuration.port, username: DatabaseRole.server,
                                       password: credentials.server, database: self.configuration.database)
        )
        try await connections.ensureRoles(credentials: credentials, logger: logger)
        try await connections.createDatabase(self.configuration.database, logger: logger)
        return connections
    }

    /// Starts the server of the cluster's data folder on its port, with its settings.
    func launch(binaries: String) throws {
        try Subprocess.run(
            binaries + "/pg_ctl",
            ["start", "-w", "-t", "60", "-D", self.dataDirectory, "-l", self.logPath, "-o",
             "-p \(self.configuration.port) -c listen_addresses=\(self.configuration.host) -c unix_socket_directories=''"
                + self.configuration.settings.sorted { $0.key < $1.key }.map { " -c \($0.key)='\($0.value.replacingOccurrences(of: "'", with: "''"))'" }.joined()],
            asPostgresUser: true
        )
    }

    /// Stops the cluster (fast shutdown); a stopped cluster is left as it is.
    public func stop() throws {
        let binaries = try self.binDirectory()
        try Subprocess.run(binaries + "/pg_ctl", ["stop", "-D", self.dataDirectory, "-m", "fast"], asPostgresUser: true, allowedStatuses: [0, 3])
    }

    /// Stops the cluster and deletes its folder once the process `pid` has exited, from a
    /// detached watcher: how a test run cleans up after itself even when it crashes.
    public func removeWhenProcessExits(_ pid: Int32) throws {
        let binaries = try self.binDirectory()
        let runAs = Subprocess.isRoot ? "/usr/sbin/runuser -u postgres -- " : ""
        let folder = absolute(self.configuration.directory)
        try Subprocess.detach(script: """
            while kill -0 \(pid) 2>/dev/null; do sleep 0.5; done
            \(runAs)'\(binaries)/pg_ctl' stop -D '\(self.dataDirectory)' -m immediate >/dev/null 2>&1
            rm -rf '\(folder)'
            """)
    }

    private func initializeIfNeeded(binaries: String, logger: Logger) throws -> Credentials {
        let files = FileManager.default
        if files.fileExists(atPath: self.dataDirectory + "/PG_VERSION") {
            guard let data = files.contents(atPath: self.credentialsPath) else {
                throw ConfigurationError("\(self.dataDirectory) exists but \(self.credentialsPath) is missing; remove the folder to start afresh")
            }
            return try JSONDecoder().decode(Credentials.self, from: data)
        }
        logger.info("creating local PostgreSQL cluster", metadata: ["data": "\(self.dataDirectory)"])
        // The parent stays traversable for the postgres user; the data folder is its own.
        try files.createDirectory(atPath: absolute(self.configuration.directory), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try files.createDirectory(atPath: self.dataDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        if Subprocess.isRoot {
            try Subprocess.run("/bin/chown", ["postgres:postgres", self.dataDirectory])
        }
        let credentials = Credentials.generate()
        // initdb reads the superuser's password from a file the postgres user can open.
        let passwordFile = self.dataDirectory + ".password"
        files.createFile(atPath: passwordFile, contents: Data((credentials.superuser + "\n").utf8), attributes: [.posixPermissions: 0o600])
        defer { try? files.removeItem(atPath: passwordFile) }
        if Subprocess.isRoot {
            try Subprocess.run("/bin/chown", ["postgres:postgres", passwordFile])
        }
        try Subprocess.run(
            binaries + "/initdb",
            ["-D", self.dataDirectory, "-U", "postgres", "--pwfile=\(passwordFile)", "--auth-host=scram-sha-256",
             "--auth-local=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"],
            asPostgresUser: true
        )
        let data = try JSONEncoder().encode(credentials)
        files.createFile(atPath: self.credentialsPath, contents: data, attributes: [.posixPermissions: 0o600])
        return credentials
    }

    func binDirectory() throws -> String {
        if let configured = self.configuration.binDirectory { return configured }
        if let found = try? Subprocess.run("/usr/bin/pg_config", ["--bindir"]).output.trimmingCharacters(in: .whitespacesAndNewlines),
           FileManager.default.fileExists(atPath: found + "/pg_ctl") {
            return found
        }
        let debian = "/usr/lib/postgresql/15/bin"
        guard FileManager.default.fileExists(atPath: debian + "/pg_ctl") else {
            throw ConfigurationError("PostgreSQL 15 was not found (no pg_ctl in \(debian)); install postgresql-15")
        }
        return debian
    }
}

/// `path` made absolute against the working directory.
func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}
