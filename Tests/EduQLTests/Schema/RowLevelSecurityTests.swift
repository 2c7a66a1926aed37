@testable import EduQLServer
import EduQLSchema
import Logging
import PostgresNIO
import Testing

/// Proves the tenancy underneath the policy layer: the server's role sees nothing without
/// settings, and only its tenant's rows with them — in every tenant table, found by the catalog.
@Suite("Row-level security")
struct RowLevelSecurityTests {
    let logger = Logger(label: "eduql-tests")

    /// Tables that hold no tenant rows, and so carry no tenancy policy: bookkeeping, documents,
    /// the audit chain's head, prune records and walks, audit events staged for the chain, the change feed's pruned position, the
    /// regions whose suppression a transaction must refresh at its commit (the owner's alone),
    /// the statistical forms' editions, which every region files alike, sign-in attempts per
    /// address, and import jobs (the server's role reaches those two only through functions, by
    /// address, or by job id and user).
    static let untenanted: Set<String> = ["schema_migrations", "audit_documents", "audit_chain", "audit_prunes", "audit_verifications",
                                          "rollup_sources", "change_prunes", "instance", "suppression_pending", "form_definitions",
                                          "sign_in_attempts", "import_jobs", "audit_staged"]

    /// A demo database in which every tenant table has rows in both regions.
    func database() async throws -> ClusterConnections {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            for statement in Self.fixtures {
                do {
                    try await connection.execute(PostgresQuery(unsafeSQL: statement))
                } catch {
                    Issue.record("fixture failed: \(String(reflecting: error))")
                    throw error
                }
            }
        }
        return database
    }

    /// Rows for the tables the demo seed leaves empty, in both regions.
    static let fixtures = [
        // A change in each region (the seed itself is not captured): one learner touched per region.
        "UPDATE eduql.learners SET middle_name = middle_name WHERE id IN (SELECT min(id) FROM eduql.learners GROUP BY region_id)",
        """
        INSERT INTO eduql.users (region_id, login, display_name, password_hash, must_change_password)
        SELECT r, 'fixture.r' || r, 'Fixture', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', false FROM unnest(ARRAY[1, 2]) r
        """,
        "INSERT INTO eduql.role_assignments (region_id, user_id, role) SELECT region_id, id, 'region_admin' FROM eduql.users WHERE login LIKE 'fixture.r%'",
        """
        INSERT INTO eduql.sessions (region_id, user_id, role_assignment_id, token_sha256, expires_at)
        SELECT u.region_id, u.id, a.id, sha256(u.login::bytea), now() + interval '1 hour'
        FROM eduql.users u JOIN eduql.role_assignments a ON a.user_id = u.id WHERE u.login LIKE 'fixture.r%'
        """,
        """
        INSERT INTO eduql.federated_identities (region_id, user_id, provider, issuer, subject, linked_how)
        SELECT region_id, id, 'fixture', 'https://id.example', 'subject-' || id, 'administrator' FROM eduql.users WHERE login LIKE 'fixture.r%'
        """,
        """
        INSERT INTO eduql.federated_logins (state_sha256, region_id, provider, nonce, code_verifier, return_to, expires_at)
        SELECT sha256(('state' || r)::bytea), r, 'fixture', 'nonce', repeat('v', 43), '/', now() + interval '10 minutes' FROM unnest(ARRAY[1, 2]) r
        """,
        """
        INSERT INTO eduql.federated_link_approvals (region_id, user_id, provider, approved_by, expires_at)
        SELECT region_id, id, 'fixture', id, now() + interval '1 day' FROM eduql.users WHERE login LIKE 'fixture.r%'
        """,
        // A statistical form computed in each region: its report, cells and history.
        """
        SELECT eduql.compute_form('OO-1', '2024', (SELECT min(o.id) FROM eduql.organizations o WHERE o.kind = 'school' AND o.region_id = r), current_date)
        FROM unnest(ARRAY[1, 2]) r
        """,
        """
        INSERT INTO eduql.integration_clients (region_id, client_id, name, secret_hash)
        SELECT r, 'fixture-client-' || r, 'Fixture', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g' FROM unnest(ARRAY[1, 2]) r
        """,
        """
        INSERT INTO eduql.integration_grants (region_id, client_id, fields, expires_at)
        SELECT region_id, id, ARRAY['Organization.shortName'], now() + interval '1 day' FROM eduql.integration_clients WHERE client_id LIKE 'fixture-client-%'
        """,
        """
        INSERT INTO eduql.integration_tokens (region_id, client_id, grant_id, token_sha256, expires_at)
        SELECT g.region_id, g.client_id, g.id, sha256(('token' || g.id)::bytea), now() + interval '1 hour' FROM eduql.integration_grants g
        """,
        """
        INSERT INTO eduql.queue_transfers (region_id, municipality_id, from_municipality_id, application_id, transferred_at, original_registered_at)
        SELECT DISTINCT ON (a.region_id) a.region_id, (SELECT max(m.id) FROM eduql.municipalities m WHERE m.region_id = a.region_id),
               a.municipality_id, a.id, now(), a.registered_at
        FROM eduql.queue_applications a
        WHERE a.municipality_id = (SELECT min(m.id) FROM eduql.municipalities m WHERE m.region_id = a.region_id)
        ORDER BY a.region_id, a.id
        """,
        """
        INSERT INTO eduql.mark_history (region_id, municipality_id, organization_id, mark_id, learner_id, class_id, subject_id, term_id,
                                        lesson_id, kind, old_value, new_value, old_weight, new_weight, reason, changed_by, changed_by_name)
        SELECT DISTINCT ON (m.region_id) m.region_id, m.municipality_id, m.organization_id, m.id, m.learner_id, m.class_id, m.subject_id,
               m.term_id, m.lesson_id, m.kind, m.value, 5, m.weight, 1, 'fixture', u.id, 'Fixture'
        FROM eduql.marks m JOIN eduql.users u ON u.login = 'fixture.r' || m.region_id ORDER BY m.region_id, m.id
        """,
        """
        INSERT INTO eduql.transfers (region_id, municipality_id, organization_id, learner_id, learner_name, enrollment_id, to_municipality_id,
                                     to_organization_id, transfer_on, order_number, status)
        SELECT DISTINCT ON (e.region_id) e.region_id, e.municipality_id, e.organization_id, e.learner_id, 'Fixture', e.id, e.municipality_id,
               (SELECT max(o.id) FROM eduql.organizations o WHERE o.municipality_id = e.municipality_id AND o.id <> e.organization_id),
               current_date, '1-fixture', 'awaiting_confirmation'
        FROM eduql.enrollments e
        WHERE e.status = 'active'
          AND EXISTS (SELECT 1 FROM eduql.organizations o WHERE o.municipality_id = e.municipality_id AND o.id > e.organization_id)
        ORDER BY e.region_id, e.organization_id, e.id
        """,
        "INSERT INTO eduql.idempotent_answers (principal, key, region_id, request, answer) SELECT 'fixture' || r, 'key', r, '\\x00', '{}' FROM unnest(ARRAY[1, 2]) r",
        // A threshold above the demo's class sizes puts classes in suppression blocks.
        "UPDATE eduql.regions SET privacy_threshold = 40",
        // The organization rollups stored (blocks included), then one class per region touched: stored and stale rows in both.
        "SELECT eduql.refresh_coarse_rollups()",
        "UPDATE eduql.classes SET name = name WHERE id IN (SELECT min(id) FROM eduql.classes GROUP BY region_id)",
    ] + RollupTests.journalChangesPerRegion  // the journal's pending rollup rows in both regions

    /// The tenant tables and their region, municipality and organization columns.
    struct TenantTable: Sendable, CustomTestStringConvertible {
        var name: String
        var region: String
        var municipality: String?
        var organization: String?
        var testDescription: String { self.name }
    }

    func tenantTables(_ connection: PostgresConnection) async throws -> [TenantTable] {
        let rows = try await connection.query("""
            SELECT c.relname,
                   CASE WHEN c.relname = 'regions' THEN 'id' ELSE 'region_id' END,
                   CASE WHEN c.relname = 'municipalities' THEN 'id'
                        WHEN EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'municipality_id' AND NOT a.attisdropped) THEN 'municipality_id' END,
                   CASE WHEN c.relname = 'organizations' THEN 'id'
                        WHEN EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped) THEN 'organization_id' END
            FROM pg_class c
            WHERE c.relnamespace = 'eduql'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND c.relname <> ALL (\(Array(Self.untenanted)))
            ORDER BY c.relname
            """, logger: self.logger)
        var tables: [TenantTable] = []
        for try await (name, region, municipality, organization) in rows.decode((String, String, String?, String?).self) {
            tables.append(TenantTable(name: name, region: region, municipality: municipality, organization: organization))
        }
        return tables
    }

    /// Runs `body` in a transaction of the server's role with the given tenancy settings.
    func asServer<T: Sendable>(_ database: ClusterConnections, region: Int? = nil, municipality: Int? = nil, organization: Int? = nil,
                               _ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await database.server.withConnection(logger: self.logger) { connection in
            try await connection.withTransaction(logger: self.logger) { connection in
                for (name, value) in [("eduql.region_id", region), ("eduql.municipality_id", municipality), ("eduql.organization_id", organization)] {
                    if let value { try await connection.execute("SELECT set_config(\(name), \(String(value)), true)") }
                }
                return try await body(connection)
            }
        }
    }

    @Test("every table but the untenanted ones has row-level security enabled and forced, with a policy")
    func everyTableIsCovered() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        try await database.owner.withConnection(logger: self.logger) { connection in
            let uncovered = try await connection.column("""
                SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = 'eduql'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                  AND c.relname <> ALL (\(Array(Self.untenanted)))
                  AND NOT (c.relrowsecurity AND c.relforcerowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
                """, as: String.self)
            #expect(uncovered == [])
            let tenant = try await self.tenantTables(connection)
            #expect(tenant.count >= 30)
            #expect(tenant.contains { $0.name == "audit_events" })
        }
    }

    @Test("the server's role is NOBYPASSRLS, no superuser, and owns nothing")
    func serverRoleIsPlain() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        try await database.server.withConnection(logger: self.logger) { connection in
            let value1 = try await connection.scalar("SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user", as: Bool.self)
            #expect(value1 == false)
            let value2 = try await connection.scalar("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)", as: Int.self)
            #expect(value2 == 0)
            let value3 = try await connection.scalar("SELECT count(*) FROM pg_namespace WHERE nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)", as: Int.self)
            #expect(value3 == 0)
        }
    }

    @Test("with no settings the server's role sees no row of any tenant table")
    func noSettingsNoRows() async throws {
        let database = try await self.database()
        let tables = try await database.owner.withConnection(logger: self.logger) { try await self.tenantTables($0) }
        let counts = try await database.owner.withConnection(logger: self.logger) { connection in
            try await tables.asyncMap { try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(DISTINCT \($0.region)) FROM eduql.\($0.name)"), as: Int.self) }
        }
        // Every table except the audit log has rows in both regions, so the assertions below bite.
        for (table, regions) in zip(tables, counts) where table.name != "audit_events" && table.name != "import_keys" {
            #expect(regions == 2, "\(table.name) should have rows in both regions")
        }
        let visible = try await self.asServer(database) { connection in
            try await tables.asyncMap { try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(*) FROM eduql.\($0.name)"), as: Int.self) }
        }
        for (table, count) in zip(tables, visible) {
            #expect(count == 0, "\(table.name) shows \(count) rows without tenancy settings")
        }
    }

    @Test("with a region's settings the server's role sees its rows and none of the other region's", arguments: [(1, 2), (2, 1)])
    func regionSeesOnlyItself(own: Int, other: Int) async throws {
        let database = try await self.database()
        let tables = try await database.owner.withConnection(logger: self.logger) { try await self.tenantTables($0) }
        let results = try await self.asServer(database, region: own) { connection in
            try await tables.asyncMap { table in
                (try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(*) FROM eduql.\(table.name) WHERE \(table.region) = \(own)"), as: Int.self),
                 try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(*) FROM eduql.\(table.name) WHERE \(table.region) IS DISTINCT FROM \(own)"), as: Int.self))
            }
        }
        for (table, (mine, foreign)) in zip(tables, results) {
            #expect(foreign == 0, "\(table.name): region \(own) sees \(foreign) rows of another region")
            if table.name != "audit_events", table.name != "import_keys" {  // the seed imports nothing
                #expect(mine > 0, "\(table.name): region \(own) sees none of its own rows")
            }
        }
    }

    @Test("a municipality-scoped session sees no other municipality's rows")
    func municipalityNarrows() async throws {
        let database = try await self.database()
        let tables = try await database.owner.withConnection(logger: self.logger) { try await self.tenantTables($0) }.filter { $0.municipality != nil }
        let foreign = try await self.asServer(database, region: 1, municipality: 1) { connection in
            try await tables.asyncMap { table in
                try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(*) FROM eduql.\(table.name) WHERE \(table.municipality!) <> 1"), as: Int.self)
            }
        }
        #expect(tables.count > 20)
        for (table, count) in zip(tables, foreign) {
            #expect(count == 0, "\(table.name): municipality 1 sees \(count) rows of other municipalities")
        }
        let ownLearners = try await self.asServer(database, region: 1, municipality: 1) { connection in
            try await connection.scalar("SELECT count(*) FROM eduql.learners", as: Int.self)
        }
        #expect(ownLearners > 0)
    }

    @Test("an organization-scoped session sees no other organization's rows")
    func organizationNarrows() async throws {
        let database = try await self.database()
        let tables = try await database.owner.withConnection(logger: self.logger) { try await self.tenantTables($0) }.filter { $0.organization != nil }
        let foreign = try await self.asServer(database, region: 1, municipality: 1, organization: 1) { connection in
            try await tables.asyncMap { table in
                try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(*) FROM eduql.\(table.name) WHERE \(table.organization!) <> 1"), as: Int.self)
            }
        }
        #expect(tables.count > 15)
        for (table, count) in zip(tables, foreign) {
            #expect(count == 0, "\(table.name): organization 1 sees \(count) rows of other organizations")
        }
        let marks = try await self.asServer(database, region: 1, municipality: 1, organization: 1) { connection in
            try await connection.scalar("SELECT count(*) FROM eduql.marks", as: Int.self)
        }
        #expect(marks > 0)
    }

    @Test("a session cannot write rows into another tenant, nor change them")
    func writesStayInTenant() async throws {
        let database = try await self.database()
        let insert = await #expect(throws: (any Error).self) {
            try await self.asServer(database, region: 1) { connection in
                try await connection.execute("INSERT INTO eduql.subjects (region_id, name, short_name) VALUES (2, 'Астрономия', 'Астр')")
            }
        }
        #expect(sqlState(of: insert) == "42501")
        let move = await #expect(throws: (any Error).self) {
            try await self.asServer(database, region: 1) { connection in
                try await connection.execute("UPDATE eduql.learners SET region_id = 2 WHERE id = (SELECT min(id) FROM eduql.learners)")
            }
        }
        #expect(sqlState(of: move) == "42501")
        let changed = try await self.asServer(database, region: 1) { connection in
            try await connection.query("UPDATE eduql.learners SET last_name = 'Взломов' WHERE region_id = 2", logger: self.logger)
            return try await connection.scalar("SELECT count(*) FROM eduql.learners WHERE last_name = 'Взломов'", as: Int.self)
        }
        #expect(changed == 0)
        let untouched = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("SELECT count(*) FROM eduql.learners WHERE last_name = 'Взломов'", as: Int.self)
        }
        #expect(untouched == 0)
    }

    @Test("settings are transaction-local: the next transaction on the same connection sees nothing")
    func settingsDoNotOutliveTheTransaction() async throws {
        let database = try await self.database()
        let (inside, after) = try await database.server.withConnection(logger: self.logger) { connection in
            let inside = try await connection.withTransaction(logger: self.logger) { connection in
                try await connection.execute("SELECT set_config('eduql.region_id', '1', true)")
                return try await connection.scalar("SELECT count(*) FROM eduql.learners", as: Int.self)
            }
            let after = try await connection.scalar("SELECT count(*) FROM eduql.learners", as: Int.self)
            return (inside, after)
        }
        #expect(inside > 0)
        #expect(after == 0)
    }

    @Test("the audit log is append-only for the server's role, and triggers block changes even by the owner")
    func auditIsAppendOnly() async throws {
        let database = try await self.database()
        try await self.asServer(database, region: 1) { connection in
            try await connection.execute("""
                INSERT INTO eduql.audit_events (seq, occurred_at, region_id, request_id, kind, action, outcome)
                VALUES (1, now(), 1, 'test', 'auth', 'login', 'ok')
                """)
        }
        for statement: PostgresQuery in ["UPDATE eduql.audit_events SET outcome = 'error'", "DELETE FROM eduql.audit_events", "TRUNCATE eduql.audit_events"] {
            let denied = await #expect(throws: (any Error).self) {
                try await self.asServer(database, region: 1) { try await $0.execute(statement) }
            }
            #expect(sqlState(of: denied) == "42501", "the server's role may not \(statement.sql)")
            let blocked = await #expect(throws: (any Error).self) {
                try await database.owner.withConnection(logger: self.logger) { try await $0.execute(statement) }
            }
            #expect(sqlState(of: blocked) == "42501", "the trigger must block \(statement.sql) by the owner")
        }
        let count = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("SELECT count(*) FROM eduql.audit_events WHERE outcome = 'ok'", as: Int.self)
        }
        #expect(count == 1)
    }
}

extension Array where Element: Sendable {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        result.reserveCapacity(self.count)
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

@Suite("Audit partitions")
struct AuditPartitionTests {
    @Test("the server's role recreates a missing month's partition, so audit inserts keep working")
    func partitionsAreEnsured() async throws {
        let logger = Logger(label: "eduql-tests")
        let database = try await TestCluster.shared.database(.migrated)
        let next = try await database.owner.withConnection(logger: logger) { connection in
            let name = try await connection.scalar("SELECT 'audit_events_' || to_char(current_date + interval '1 month', 'YYYY_MM')", as: String.self)
            try await connection.execute(PostgresQuery(unsafeSQL: "DROP TABLE eduql.\(name)"))
            return name
        }
        let pool = PostgresClient(configuration: database.server.clientConfiguration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            defer { group.cancelAll() }
            try await HousekeepingService(database: pool, logger: logger).ensurePartitions()
        }
        let exists = try await database.owner.withConnection(logger: logger) { connection in
            try await connection.scalar("SELECT to_regclass('eduql.' || \(next)) IS NOT NULL", as: Bool.self)
        }
        #expect(exists)
    }
}
