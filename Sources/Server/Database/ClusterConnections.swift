import EduQLSchema
import Logging
import PostgresNIO

/// The three ways into one PostgreSQL server: as superuser (creating roles and databases), as
/// the schema owner (migrations, seeds) and as the server's role (everything `serve` does).
public struct ClusterConnections: Sendable {
    public var superuser: ConnectionSettings
    public var owner: ConnectionSettings
    public var server: ConnectionSettings

    /// Creates the owner (BYPASSRLS, for migrations and seeds) and server (NOBYPASSRLS) roles if
    /// missing, and sets their passwords.
    func ensureRoles(credentials: LocalCluster.Credentials, logger: Logger) async throws {
        try await self.superuser.withConnection(logger: logger) { connection in
            for (role, password, attributes) in [
                (DatabaseRole.owner, credentials.owner, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS"),
                (DatabaseRole.server, credentials.server, "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"),
            ] {
                let exists = try await connection.guardedQuery("SELECT 1 FROM pg_roles WHERE rolname = \(role)", logger: logger)
                    .collect().isEmpty == false
                // Role names and passwords here are generated hex or constants: safe to splice.
                let verb = exists ? "ALTER" : "CREATE"
                try await connection.execute(PostgresQuery(unsafeSQL: "\(verb) ROLE \(role) \(attributes) PASSWORD '\(password)'"), logger: logger)
            }
        }
    }

    /// Creates a database owned by the owner role, optionally as a copy of `template`;
    /// does nothing if it exists.
    public func createDatabase(_ name: String, template: String? = nil, logger: Logger) async throws {
        precondition(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, "database names are plain identifiers")
        try await self.superuser.withConnection(logger: logger) { connection in
            let exists = try await connection.guardedQuery("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger)
                .collect().isEmpty == false
            guard !exists else { return }
            let copy = template.map { " TEMPLATE \($0)" } ?? ""
            try await connection.execute(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) OWNER \(DatabaseRole.owner)\(copy)"), logger: logger)
        }
    }

    /// The same server, another database, for all three roles.
    public func database(_ name: String) -> ClusterConnections {
        ClusterConnections(superuser: self.superuser, owner: self.owner.database(name), server: self.server.database(name))
    }
}
