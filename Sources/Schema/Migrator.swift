import Logging
import PostgresNIO

/// Applies migrations in order, each once and in its own transaction, as the schema owner.
///
/// Before applying anything it checks every applied migration's checksum, so a changed
/// migration stops the run with the database untouched. A session advisory lock keeps two
/// migrators from racing.
public struct Migrator: Sendable {
    /// The migrations this build knows, in version order.
    public let migrations: [Migration]

    public init(migrations: [Migration] = Migration.bundled) {
        self.migrations = migrations
    }

    /// A version and checksum recorded in `eduql.schema_migrations`.
    public struct AppliedMigration: Sendable, Equatable {
        public var version: Int
        public var checksum: String

        public init(version: Int, checksum: String) {
            self.version = version
            self.checksum = checksum
        }
    }

    /// Applies the pending migrations and returns them; a no-op when the database is current.
    @discardableResult
    public func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [Migration] {
        try await connection.execute("SELECT pg_advisory_lock(hashtext('eduql.migrate'))", logger: logger)
        do {
            let applied = try await self.prepare(connection, logger: logger)
            let pending = try self.pending(applied: applied)
            for migration in pending {
                try await self.apply(migration, on: connection, logger: logger)
            }
            try await connection.execute("SELECT pg_advisory_unlock(hashtext('eduql.migrate'))", logger: logger)
            return pending
        } catch {
            try? await connection.execute("SELECT pg_advisory_unlock(hashtext('eduql.migrate'))", logger: logger)
            throw error
        }
    }

    /// The migrations not yet applied; throws if an applied one changed or is unknown.
    public func pending(applied: [AppliedMigration]) throws -> [Migration] {
        let known = Dictionary(uniqueKeysWithValues: self.migrations.map { ($0.version, $0) })
        for record in applied {
            guard let migration = known[record.version] else {
                throw MigrationError.unknownAppliedVersion(record.version)
            }
            guard migration.checksum == record.checksum else {
                throw MigrationError.checksumMismatch(version: migration.version, name: migration.name)
            }
        }
        let done = Set(applied.map(\.version))
        return self.migrations.filter { !done.contains($0.version) }
    }

    /// The migrations recorded as applied, read with whatever role the connection has.
    public static func applied(_ connection: PostgresConnection, logger: Logger) async throws -> [AppliedMigration] {
        let rows = try await connection.query(
            "SELECT version, checksum FROM eduql.schema_migrations ORDER BY version",
            logger: logger
        )
        var applied: [AppliedMigration] = []
        for try await (version, checksum) in rows.decode((Int, String).self) {
            applied.append(AppliedMigration(version: version, checksum: checksum))
        }
        return applied
    }

    private func prepare(_ connection: PostgresConnection, logger: Logger) async throws -> [AppliedMigration] {
        try await connection.execute("CREATE SCHEMA IF NOT EXISTS eduql", logger: logger)
        try await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS eduql.schema_migrations (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
        return try await Self.applied(connection, logger: logger)
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection, logger: Logger) async throws {
        logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        try await connection.withTransaction(logger: logger) { connection in
            // postgres-nio speaks the extended protocol only, one statement per query; PL/pgSQL's
            // EXECUTE runs a string of many statements, so a migration file stays plain SQL.
            try await connection.execute(
                """
                CREATE OR REPLACE FUNCTION pg_temp.eduql_run_migration(sql text) RETURNS void
                LANGUAGE plpgsql AS $$ BEGIN EXECUTE sql; END $$
                """,
                logger: logger
            )
            try await connection.execute("SELECT pg_temp.eduql_run_migration(\(migration.sql))", logger: logger)
            try await connection.execute(
                """
                INSERT INTO eduql.schema_migrations (version, name, checksum)
                VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                """,
                logger: logger
            )
        }
    }
}
