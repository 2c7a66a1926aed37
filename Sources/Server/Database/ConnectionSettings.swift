import Foundation
import PostgresNIO

/// Where and as whom to connect to PostgreSQL.
public struct ConnectionSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// Require TLS; off for loopback servers such as the local cluster.
    public var requireTLS: Bool
    /// The name TLS checks the server's certificate against, when not `host` (connections
    /// relayed to a cluster's primary: `DATABASE_URL`'s host).
    public var tlsServerName: String?

    public init(host: String, port: Int, username: String, password: String?, database: String, requireTLS: Bool = false) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.requireTLS = requireTLS
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=require`.
    public init(url: String) throws {
        guard let components = URLComponents(string: url),
              components.scheme == "postgres" || components.scheme == "postgresql",
              let host = components.host, let username = components.user
        else {
            throw ConfigurationError("DATABASE_URL must look like postgres://user:password@host:port/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        let sslMode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: username,
            password: components.password?.removingPercentEncoding,
            database: database.isEmpty ? username : database,
            requireTLS: sslMode == "require" || sslMode == "verify-full"
        )
    }

    /// The same server and credentials, another database.
    public func database(_ name: String) -> ConnectionSettings {
        var copy = self
        copy.database = name
        return copy
    }

    /// A postgres-nio client configuration for these settings. JIT compilation is off: the
    /// API's statements run in milliseconds, and compiling a large generic plan (the change
    /// feed's, the dashboards') costs about a second every time it runs.
    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: self.host,
            port: self.port,
            username: self.username,
            password: self.password,
            database: self.database,
            tls: self.requireTLS ? .require(.makeClientConfiguration()) : .disable
        )
        configuration.options.additionalStartupParameters = Self.startupParameters
        configuration.options.tlsServerName = self.tlsServerName
        return configuration
    }

    /// What every connection of the server sets at start-up.
    static let startupParameters = [("jit", "off")]

    /// A single-connection configuration for these settings.
    public var connectionConfiguration: PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: self.host,
            port: self.port,
            username: self.username,
            password: self.password,
            database: self.database,
            tls: self.requireTLS ? .require(try! .init(configuration: .makeClientConfiguration())) : .disable
        )
        configuration.options.tlsServerName = self.tlsServerName
        return configuration
    }

    /// Opens one connection, runs `body`, and closes it.
    public func withConnection<Result>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        let connection = try await PostgresConnection.connect(configuration: self.connectionConfiguration, id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// A configuration value that cannot be used, with a message saying which and why.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
