@testable import EduQLAudit
@testable import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// Backups with PostgreSQL's own tools on a cluster of the test's own that archives its WAL: a
/// base backup, named restore points around an accident, restores to the point before it and
/// to the end of the archive — each verified (migrations, the audit chain, the rows) — and a
/// restore that lost the last WAL segment naming exactly the audit events it lacks.
@Suite("Backups and point-in-time restores", .serialized, .timeLimit(.minutes(6)))
struct BackupTests {
    let logger = Logger(label: "eduql-tests")

    /// Appends `count` audit events as the server does.
    func audit(_ connections: ClusterConnections, _ count: Int, _ label: String) async throws {
        try await connections.server.withConnection(logger: self.logger) { connection in
            for index in 0..<count {
                var event = AuditEvent(kind: .graphql, action: "query", outcome: .ok, requestID: "\(label)-\(index)")
                event.regionID = 1
                try await event.append(on: connection, logger: self.logger)
            }
        }
    }

    @Test("restored to the point before an accident and to the end of the archive, verified; a lost WAL segment shows as the audit events it held")
    func pointInTime() async throws {
        do { try await self.backUpAndRestore() } catch { Issue.record("\(String(reflecting: error))") }
    }

    /// The walk of the test: its failures name the statement (postgres-nio hides it otherwise).
    func backUpAndRestore() async throws {
        _ = try await TestCluster.shared.database(.demo)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-backup-\(getpid())-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = root + "/backup"
        let cluster = LocalCluster(configuration: .init(directory: root + "/primary", port: try freePort(), database: "backups", settings: [
            "archive_mode": "on", "archive_command": Backup.archiveCommand(folder: folder),
        ]))
        var backup = Backup(folder: folder, superuser: ConnectionSettings(host: "127.0.0.1", port: 0, username: "postgres", password: nil, database: "postgres"),
                            database: "backups", binaries: try cluster.binDirectory())
        try backup.prepare()
        let connections = try await cluster.start(logger: self.logger)
        try cluster.removeWhenProcessExits(getpid())
        defer { try? cluster.stop() }
        backup = Backup(folder: folder, superuser: connections.superuser, database: "backups", binaries: backup.binaries)
        try await connections.owner.withConnection(logger: self.logger) { connection in
            try await Migrator().migrate(connection, logger: self.logger)
            try await Seeder(scale: .demo, seed: 1).run(on: connection, logger: self.logger)
        }

        let label = try backup.base(logger: self.logger)
        try await self.audit(connections, 5, "before")
        let before = try await backup.point("before-accident", logger: self.logger)
        // The accident: attendance deleted by hand; and more requests audited.
        try await connections.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("DELETE FROM eduql.attendance WHERE (lesson_id, learner_id) IN (SELECT lesson_id, learner_id FROM eduql.attendance ORDER BY 1, 2 LIMIT 40)", logger: self.logger)
        }
        try await self.audit(connections, 3, "after")
        let after = try await backup.point("after-accident", logger: self.logger)
        #expect(before.rows["attendance"]! == after.rows["attendance"]! + 40 && after.auditHead == before.auditHead + 3, "\(before.auditHead) \(after.auditHead)")

        // To the point before the accident: its rows and its chain, exactly.
        let atPoint = try await backup.verify(point: "before-accident", scratch: root + "/r1", port: try freePort(), logger: self.logger)
        #expect(atPoint.passed && atPoint.base == label && atPoint.pendingMigrations.isEmpty && atPoint.chain.isIntact, "\(atPoint)")
        #expect(atPoint.auditHead == before.auditHead && atPoint.auditHeadHash == before.auditHeadHash)
        #expect(atPoint.differingTables.isEmpty && atPoint.rows["attendance"] == before.rows["attendance"], "\(atPoint.differingTables)")

        // To the end of the archive: the accident too, and nothing up to the last point lost.
        let toEnd = try await backup.verify(point: nil, against: "after-accident", scratch: root + "/r2", port: try freePort(), logger: self.logger)
        #expect(toEnd.passed && toEnd.missingEvents == nil && toEnd.auditHead == after.auditHead, "\(toEnd)")
        #expect(toEnd.rows["attendance"] == after.rows["attendance"])

        // The last archived segment lost: the restore ends before it, and says which events it held.
        let segments = try FileManager.default.contentsOfDirectory(atPath: backup.walFolder).filter { $0.count == 24 }.sorted()
        try FileManager.default.removeItem(atPath: backup.walFolder + "/" + segments.last!)
        let short = try await backup.verify(point: nil, against: "after-accident", scratch: root + "/r3", port: try freePort(), logger: self.logger)
        #expect(!short.passed && short.chain.isIntact && short.hashAtPointHead == nil, "\(short)")
        #expect(short.missingEvents == (before.auditHead + 1)...after.auditHead, "\(String(describing: short.missingEvents))")
    }
}
