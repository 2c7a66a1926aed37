import EduQLSchema
import EduQLServer
import Logging
import PostgresNIO
import Testing

@Suite("Migrations")
struct MigrationTests {
    let logger = Logger(label: "eduql-tests")

    @Test("an empty database gets every migration, each recorded with its checksum")
    func migratesFromEmpty() async throws {
        let database = try await TestCluster.shared.emptyDatabase()
        try await database.owner.withConnection(logger: self.logger) { connection in
            let applied = try await Migrator().migrate(connection, logger: self.logger)
            #expect(applied == Migration.bundled)
            #expect(applied.map(\.version) == Array(1...applied.count))
            let recorded = try await Migrator.applied(connection, logger: self.logger)
            #expect(recorded == Migration.bundled.map { Migrator.AppliedMigration(version: $0.version, checksum: $0.checksum) })
            let tables = try await connection.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'eduql'", as: Int.self)
            #expect(tables > 30)
        }
    }

    @Test("running migrate again changes nothing")
    func rerunIsNoOp() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        try await database.owner.withConnection(logger: self.logger) { connection in
            let before = try await connection.column("SELECT applied_at::text FROM eduql.schema_migrations ORDER BY version", as: String.self)
            let applied = try await Migrator().migrate(connection, logger: self.logger)
            #expect(applied.isEmpty)
            let after = try await connection.column("SELECT applied_at::text FROM eduql.schema_migrations ORDER BY version", as: String.self)
            #expect(before == after)
            #expect(before.count == Migration.bundled.count)
        }
    }

    @Test("a migration changed after it was applied is refused before anything new is applied")
    func changedMigrationIsRefused() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        var migrations = Migration.bundled
        migrations[1] = Migration(version: 2, name: migrations[1].name, sql: migrations[1].sql + "\n-- edited")
        migrations.append(Migration(version: 999, name: "later", sql: "CREATE TABLE eduql.should_not_exist (id int)"))
        try await database.owner.withConnection(logger: self.logger) { connection in
            await #expect(throws: MigrationError.checksumMismatch(version: 2, name: migrations[1].name)) {
                try await Migrator(migrations: migrations).migrate(connection, logger: self.logger)
            }
            let created = try await connection.scalar("SELECT to_regclass('eduql.should_not_exist') IS NOT NULL", as: Bool.self)
            #expect(!created)
        }
    }

    @Test("a database newer than the build is refused")
    func unknownAppliedMigrationIsRefused() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        let older = Array(Migration.bundled.dropLast())
        try await database.owner.withConnection(logger: self.logger) { connection in
            await #expect(throws: MigrationError.unknownAppliedVersion(Migration.bundled.count)) {
                try await Migrator(migrations: older).migrate(connection, logger: self.logger)
            }
        }
    }

    @Test("a failing migration leaves no trace")
    func failingMigrationRollsBack() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        let broken = Migration.bundled + [Migration(version: 999, name: "broken", sql: "CREATE TABLE eduql.half_done (id int); SELECT 1/0;")]
        try await database.owner.withConnection(logger: self.logger) { connection in
            let error = await #expect(throws: (any Error).self) {
                try await Migrator(migrations: broken).migrate(connection, logger: self.logger)
            }
            #expect(sqlState(of: error) == "22012", "the migration's own error (division by zero) is reported")
            let value1 = try await connection.scalar("SELECT to_regclass('eduql.half_done') IS NULL", as: Bool.self)
            #expect(value1)
            let value2 = try await connection.scalar("SELECT count(*) FROM eduql.schema_migrations WHERE version = 999", as: Int.self)
            #expect(value2 == 0)
        }
    }

    /// The region column of a key between tenant tables (migration 0040) is left out: a region
    /// has many rows per key, so an index on the key's own columns serves its checks.
    @Test("every foreign key is covered by an index that starts with its columns (region_id aside)")
    func foreignKeysAreIndexed() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        try await database.owner.withConnection(logger: self.logger) { connection in
            let unindexed = try await connection.column("""
                WITH k AS (
                    SELECT c.conrelid, c.conname,
                           CASE WHEN cardinality(c.conkey) > 1
                                THEN array(SELECT n FROM unnest(c.conkey) n
                                           WHERE n <> (SELECT attnum FROM pg_attribute WHERE attrelid = c.conrelid AND attname = 'region_id'))
                                ELSE c.conkey END::int2[] AS columns
                    FROM pg_constraint c
                    WHERE c.contype = 'f' AND c.connamespace = 'eduql'::regnamespace)
                SELECT k.conrelid::regclass::text || ' (' || k.conname || ')'
                FROM k
                WHERE NOT EXISTS (
                      SELECT 1 FROM pg_index i
                      WHERE i.indrelid = k.conrelid
                        AND (i.indkey::int2[])[0:cardinality(k.columns) - 1] @> k.columns
                        AND (i.indkey::int2[])[0:cardinality(k.columns) - 1] <@ k.columns)
                ORDER BY 1
                """, as: String.self)
            #expect(unindexed == [])
            let foreignKeys = try await connection.scalar("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'eduql'::regnamespace", as: Int.self)
            #expect(foreignKeys > 50)
        }
    }

    @Test("constraints hold: mark values, one attendance row per lesson and learner")
    func constraintsHold() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            let value = await #expect(throws: (any Error).self) {
                try await connection.execute("UPDATE eduql.marks SET value = 6 WHERE id = (SELECT min(id) FROM eduql.marks)")
            }
            #expect(sqlState(of: value) == "23514")
            let duplicate = await #expect(throws: (any Error).self) {
                try await connection.execute("INSERT INTO eduql.attendance SELECT * FROM eduql.attendance LIMIT 1")
            }
            #expect(sqlState(of: duplicate) == "23505")
            let weight = await #expect(throws: (any Error).self) {
                try await connection.execute("UPDATE eduql.marks SET weight = 4 WHERE id = (SELECT min(id) FROM eduql.marks)")
            }
            #expect(sqlState(of: weight) == "23514")
        }
    }
}
