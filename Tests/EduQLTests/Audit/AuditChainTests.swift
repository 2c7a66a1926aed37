@testable import EduQLAudit
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// The hash chain: appended in strict order under its lock; changing, deleting or reordering an
/// event breaks `audit verify` at that event; pruning whole partitions does not.
@Suite("Audit chain: verify, tamper, prune", .timeLimit(.minutes(3)))
struct AuditChainTests {
    let logger = Logger(label: "eduql-tests")

    /// A migrated database holding `old` events of January 2025 and `recent` events of now.
    func chain(old: Int = 0, recent: Int) async throws -> ClusterConnections {
        let database = try await TestCluster.shared.database(.migrated)
        if old > 0 {
            try await database.owner.withConnection(logger: self.logger) { try await $0.execute("SELECT eduql.ensure_audit_partition('2025-01-01')") }
        }
        try await self.append(database, old: old, recent: recent)
        return database
    }

    /// Appends `old` events of January 2025, then `recent` events of now, as the server does.
    func append(_ database: ClusterConnections, old: Int = 0, recent: Int) async throws {
        try await database.server.withConnection(logger: self.logger) { connection in
            for index in 0..<(old + recent) {
                let date = index < old ? Date(timeIntervalSince1970: 1_736_000_000 + Double(index)) : Date()
                var event = AuditEvent(kind: .graphql, action: "query", outcome: .ok, requestID: "request-\(index)", occurredAt: date)
                event.regionID = 1
                event.learnerIDs = [index + 100]
                event.rootFields = ["learner"]
                event.variables = Data(#"{"id": "\#(index)"}"#.utf8)
                try await event.append(on: connection, logger: self.logger)
            }
        }
    }

    func verify(_ database: ClusterConnections, from: Int? = nil, to: Int? = nil) async throws -> AuditChain.Verification {
        try await database.owner.withConnection(logger: self.logger) { try await AuditChain(logger: self.logger).verify(on: $0, from: from, to: to) }
    }

    /// Runs `sql` as the superuser with the append-only triggers off, as an attacker with the keys would.
    func tamper(_ database: ClusterConnections, _ sql: String) async throws {
        try await database.superuser.database(database.owner.database).withConnection(logger: self.logger) { connection in
            try await connection.execute("SET session_replication_role = replica")
            try await connection.execute(PostgresQuery(unsafeSQL: sql))
        }
    }

    @Test("events are numbered 1…n, each naming its predecessor's hash, and the chain verifies")
    func intact() async throws {
        let database = try await self.chain(recent: 20)
        let links = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("""
                SELECT count(*)::int FROM eduql.audit_events e JOIN eduql.audit_events p ON p.seq = e.seq - 1 WHERE e.prev_hash = p.hash
                """, as: Int.self)
        }
        #expect(links == 19)
        let result = try await self.verify(database)
        #expect(result == .init(checked: 20, brokenSequence: nil, reason: nil))
        #expect(try await self.verify(database, from: 5, to: 9).checked == 5)
    }

    /// The walk the server runs every few minutes, as the server's role; `full` as `eduql audit verify` does.
    func check(_ database: ClusterConnections, full: Bool = false) async throws -> AuditChain.Verification {
        try await database.server.withConnection(logger: self.logger) { try await AuditChain(logger: self.logger).check(on: $0, full: full) }
    }

    @Test("the server's walk covers what is new, catches a rewritten chain, and a break stands until a whole walk")
    func recordedWalks() async throws {
        let database = try await self.chain(recent: 10)
        #expect(try await self.check(database) == .init(checked: 10, brokenSequence: nil, reason: nil), "the first walk is whole")
        #expect(try await self.check(database).checked == 0, "nothing new")
        try await self.append(database, recent: 5)
        #expect(try await self.check(database) == .init(checked: 5, brokenSequence: nil, reason: nil))
        let walks = try await database.server.withConnection(logger: self.logger) { connection in
            try await connection.query("SELECT full_walk, checked::int, through_seq::int FROM eduql.audit_verifications ORDER BY id", logger: self.logger)
                .collect().map { try $0.decode((Bool, Int, Int).self) }
        }
        #expect(walks.map(\.0) == [true, false, false])
        #expect(walks.map(\.2) == [10, 10, 15])

        // An event changed without its hash lies behind the last walk: a whole walk finds it,
        // and the walks after it keep answering the break.
        try await self.tamper(database, "UPDATE eduql.audit_events SET learner_ids = '{}' WHERE seq = 3")
        #expect(try await self.check(database).isIntact, "the new-events walk does not go back")
        #expect(try await self.check(database, full: true).brokenSequence == 3)
        try await self.append(database, recent: 2)
        #expect(try await self.check(database).brokenSequence == 3, "a break stands")
        try await self.tamper(database, "UPDATE eduql.audit_events SET learner_ids = '{102}' WHERE seq = 3")
        #expect(try await self.check(database, full: true) == .init(checked: 17, brokenSequence: nil, reason: nil), "restored")

        // Rewritten with every later hash recomputed: the hash the last walk ended on changed.
        try await self.tamper(database, "UPDATE eduql.audit_events SET hash = sha256('forged') WHERE seq = 17")
        let rewritten = try await self.check(database)
        #expect(rewritten.brokenSequence == 17)
        #expect(rewritten.reason?.contains("rewritten") == true)
    }

    @Test("the server walks the chain by itself every interval and records each walk")
    func verificationService() async throws {
        let database = try await self.chain(recent: 4)
        let pool = PostgresClient(configuration: database.server.clientConfiguration, backgroundLogger: self.logger)
        let recorded = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { await pool.run(); return nil }
            group.addTask { try await AuditVerificationService(database: pool, logger: self.logger, interval: .milliseconds(100)).run(); return nil }
            defer { group.cancelAll() }
            // Two walks: the first whole, then one of what is new (bounded: 100 tries, 10 s).
            for _ in 0..<100 {
                let walks = try await pool.withConnection { connection in
                    try await connection.query("SELECT count(*)::int, max(through_seq)::int FROM eduql.audit_verifications", logger: self.logger)
                        .collect().first!.decode((Int, Int?).self)
                }
                if walks.0 >= 2 { return walks.1 }
                try await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }
        #expect(recorded == 4)
    }

    @Test("changing an event breaks the chain at that event")
    func changed() async throws {
        let database = try await self.chain(recent: 10)
        try await self.tamper(database, "UPDATE eduql.audit_events SET learner_ids = '{}' WHERE seq = 6")
        let result = try await self.verify(database)
        #expect(result.brokenSequence == 6)
        #expect(result.checked == 5)
    }

    @Test("deleting an event breaks the chain where it was")
    func deleted() async throws {
        let database = try await self.chain(recent: 10)
        try await self.tamper(database, "DELETE FROM eduql.audit_events WHERE seq = 4")
        #expect(try await self.verify(database).brokenSequence == 4)
        let last = try await self.chain(recent: 3)
        try await self.tamper(last, "DELETE FROM eduql.audit_events WHERE seq = 3")
        #expect(try await self.verify(last).brokenSequence == 3, "the head names the deleted last event")
    }

    @Test("reordering two events breaks the chain")
    func reordered() async throws {
        let database = try await self.chain(recent: 10)
        try await self.tamper(database, """
            UPDATE eduql.audit_events SET seq = CASE seq WHEN 3 THEN 7 WHEN 7 THEN 3 END WHERE seq IN (3, 7)
            """)
        #expect(try await self.verify(database).brokenSequence == 3)
    }

    @Test("pruning whole old partitions keeps the chain verifiable; retention under 3 months is refused")
    func pruned() async throws {
        let database = try await self.chain(old: 5, recent: 5)
        #expect(try await self.verify(database).checked == 10)
        let chain = AuditChain(logger: self.logger)
        try await database.owner.withConnection(logger: self.logger) { connection in
            await #expect(throws: AuditChain.PruneRefused.self) {
                _ = try await chain.prune(on: connection, before: Date(), retentionMonths: 2)
            }
            await #expect(throws: AuditChain.PruneRefused.self) {
                _ = try await chain.prune(on: connection, before: Date().addingTimeInterval(-86_400 * 60))
            }
            let dropped = try await chain.prune(on: connection, before: Date(timeIntervalSince1970: 1_748_736_000))  // 2025-06-01
            #expect(dropped == ["audit_events_2025_01"])
        }
        let result = try await self.verify(database)
        #expect(result == .init(checked: 5, brokenSequence: nil, reason: nil))
        try await self.tamper(database, "UPDATE eduql.audit_events SET outcome = 'error' WHERE seq = 6")
        #expect(try await self.verify(database).brokenSequence == 6, "the first kept event is still checked against the pruned head")
    }

    @Test("`eduql audit verify` exits 0 on an intact chain and 1 on a broken one")
    func command() async throws {
        let database = try await self.chain(recent: 4)
        func url(_ settings: ConnectionSettings) -> String {
            "postgres://\(settings.username):\(settings.password ?? "")@\(settings.host):\(settings.port)/\(settings.database)"
        }
        let environment = ["DATABASE_URL": url(database.server), "EDUQL_OWNER_DATABASE_URL": url(database.owner), "LOG_LEVEL": "error"]
        let intact = try spawn(ServeProcessTests.executable, ["audit", "verify"], environment: environment)
        #expect(try await exitStatus(of: intact, within: .seconds(30)) == 0)
        try await self.tamper(database, "UPDATE eduql.audit_events SET action = 'mutation' WHERE seq = 2")
        let broken = try spawn(ServeProcessTests.executable, ["audit", "verify"], environment: environment)
        #expect(try await exitStatus(of: broken, within: .seconds(30)) == 1)
    }
}
