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

    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public func locate(logger: Logger) async throws -> Connections {
        if let url = self.environment["DATABASE_URL"], !url.isEmpty {
            let server = try ConnectionSettings(url: url)
            let owner = try self.environment["EDUQL_OWNER_DATABASE_URL"].map(ConnectionSettings.init(url:)) ?? server
            return Connections(owner: owner, server: server)
        }
        var configuration = LocalCluster.Configuration()
        if let directory = self.environment["EDUQL_DATA_DIR"] { configuration.directory = directory }
        if let port = self.environment["EDUQL_PG_PORT"] {
            guard let number = Int(port), (1...65535).contains(number) else {
                throw ConfigurationError("EDUQL_PG_PORT must be a port number, not '\(port)'")
            }
            configuration.port = number
        }
        let cluster = try await LocalCluster(configuration: configuration).start(logger: logger)
        return Connections(owner: cluster.owner, server: cluster.server)
    }
}
