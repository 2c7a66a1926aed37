import EduQLAudit
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

extension Backup {
    /// What a verified restore found.
    struct Verification: Sendable {
        /// The base backup replayed, the point restored to (nil: the end of the archive), and
        /// the point the restore is checked against (the same, unless another was named).
        var base: String
        var restoredTo: String?
        var point: Point?
        /// Migrations the code ships that the restored database lacks (should be none).
        var pendingMigrations: [String]
        /// The restored audit chain: its last event, that event's hash, and its walk.
        var auditHead: Int
        var auditHeadHash: String
        var chain: AuditChain.Verification
        /// The restored chain's hash of the point's head event: equal to the point's when the
        /// restore holds the same chain up to the point; nil when it lacks that event.
        var hashAtPointHead: String?
        /// Rows of every table after the restore.
        var rows: [String: Int]
        /// The tables whose rows differ from what the point recorded (none when nothing wrote
        /// around the point; rows in flight then differ).
        var differingTables: [String]
        /// The events up to the point's head that the restored chain lacks (first…last), if any.
        var missingEvents: ClosedRange<Int>? {
            guard let point = self.point, point.auditHead > self.auditHead else { return nil }
            return (self.auditHead + 1)...point.auditHead
        }

        /// The restore is what the backup promised: every migration, an intact chain, and (with a
        /// point) the very chain the point recorded, up to its head.
        var passed: Bool {
            self.pendingMigrations.isEmpty && self.chain.isIntact && (self.point.map { $0.auditHeadHash == self.hashAtPointHead } ?? true)
        }
    }

    /// Replays the newest base backup taken before the point (or the newest of all) and the
    /// archived WAL into `directory/pg`, started on `port`, to the named point or to the end of
    /// the archive, and promotes it. Returns how to stop it.
    func restore(into directory: String, port: Int, point: String?, logger: Logger) async throws -> (label: String, stop: @Sendable () throws -> Void) {
        let recorded = try point.map { name in
            guard let found = try self.points().first(where: { $0.name == name }) else { throw ConfigurationError("no restore point named \(name)") }
            return found
        }
        let labels = try FileManager.default.contentsOfDirectory(atPath: self.baseFolder).sorted()
        let cutoff = recorded.map { Self.label($0.createdAt) }
        guard let label = labels.last(where: { cutoff == nil || $0 < cutoff! }) else {
            throw ConfigurationError("no base backup in \(self.baseFolder)" + (cutoff.map { " taken before \($0)" } ?? ""))
        }
        let data = absolute(directory) + "/pg"
        let files = FileManager.default
        guard !files.fileExists(atPath: data) else { throw ConfigurationError("\(data) exists: restore into a new folder") }
        try files.createDirectory(atPath: absolute(directory), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try files.createDirectory(atPath: data, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        if Subprocess.isRoot { try Subprocess.run("/bin/chown", ["postgres:postgres", data]) }
        let source = self.baseFolder + "/" + label
        try Subprocess.run("/bin/tar", ["-xzf", source + "/base.tar.gz", "-C", data], asPostgresUser: true)
        try Subprocess.run("/bin/tar", ["-xzf", source + "/pg_wal.tar.gz", "-C", data + "/pg_wal"], asPostgresUser: true)
        // Replay from the archive, to the point if named, then promote; archive nothing itself.
        var settings = [
            "restore_command = 'cp \(absolute(self.walFolder))/%f %p'",
            "recovery_target_action = 'promote'",
            "archive_mode = 'off'",
        ]
        if let recorded { settings.append("recovery_target_name = '\(recorded.name)'") }
        let configuration = data + "/postgresql.auto.conf"
        let existing = files.contents(atPath: configuration).map { String(decoding: $0, as: UTF8.self) } ?? ""
        files.createFile(atPath: configuration, contents: Data((existing + settings.joined(separator: "\n") + "\n").utf8), attributes: [.posixPermissions: 0o600])
        files.createFile(atPath: data + "/recovery.signal", contents: Data(), attributes: [.posixPermissions: 0o600])
        if Subprocess.isRoot { try Subprocess.run("/bin/chown", ["postgres:postgres", configuration, data + "/recovery.signal"]) }
        try Subprocess.run(self.binaries + "/pg_ctl", [
            "start", "-w", "-t", "300", "-D", data, "-l", data + "/server.log",
            "-o", "-p \(port) -c listen_addresses=\(self.superuser.host) -c unix_socket_directories=''",
        ], asPostgresUser: true)
        let binaries = self.binaries
        let stop: @Sendable () throws -> Void = {
            try Subprocess.run(binaries + "/pg_ctl", ["stop", "-D", data, "-m", "fast"], asPostgresUser: true, allowedStatuses: [0, 3])
        }
        // Recovery ends with the promotion: wait for it (bounded: five minutes).
        var restored = self.superuser.database(self.database)
        restored.port = port
        for attempt in 0..<600 {
            let recovering = try? await restored.withConnection(logger: logger) { connection in
                try await connection.query("SELECT pg_is_in_recovery()", logger: logger).collect().first!.decode(Bool.self)
            }
            if recovering == false { break }
            if attempt == 599 { try? stop(); throw ConfigurationError("the restore did not finish within five minutes; see \(data)/server.log") }
            try await Task.sleep(for: .milliseconds(500))
        }
        logger.info("restored", metadata: ["base": "\(label)", "point": "\(point ?? "end of the archive")", "port": "\(port)"])
        return (label, stop)
    }

    /// Restores into a scratch folder on `port` (to the named point, or to the end of the
    /// archive) and checks the result against a point (`against`, by default the one restored
    /// to): every migration there, the audit chain intact and holding the point's head event
    /// with the point's hash — or naming the events it lacks — and the rows of every table. The
    /// scratch cluster is stopped and removed afterwards.
    func verify(point: String?, against: String? = nil, scratch: String, port: Int, logger: Logger) async throws -> Verification {
        let compared = against ?? point
        let recorded = try compared.map { name in
            guard let found = try self.points().first(where: { $0.name == name }) else { throw ConfigurationError("no restore point named \(name)") }
            return found
        }
        let (label, stop) = try await self.restore(into: scratch, port: port, point: point, logger: logger)
        defer {
            try? stop()
            try? FileManager.default.removeItem(atPath: absolute(scratch))
        }
        var restored = self.superuser.database(self.database)
        restored.port = port
        return try await restored.withConnection(logger: logger) { connection in
            let applied = try await Migrator.applied(connection, logger: logger)
            let pending = try Migrator().pending(applied: applied).map(\.name)
            let chain = try await AuditChain(logger: logger).verify(on: connection)
            let head = try await connection.query("SELECT last_seq::int, encode(last_hash, 'hex') FROM eduql.audit_chain WHERE id = 1",
                                                  logger: logger).collect().first!.decode((Int, String).self)
            var atHead: String?
            if let recorded, recorded.auditHead == 0 {
                atHead = recorded.auditHeadHash  // no event yet at the point: the genesis, held by every chain
            } else if let recorded {
                atHead = try await connection.query("SELECT encode(hash, 'hex') FROM eduql.audit_events WHERE seq = \(recorded.auditHead)",
                                                    logger: logger).collect().first?.decode(String.self)
            }
            let rows = try await Self.rowCounts(on: connection, logger: logger)
            let differing = recorded.map { point in Set(point.rows.keys).union(rows.keys).filter { point.rows[$0] != rows[$0] }.sorted() } ?? []
            return Verification(base: label, restoredTo: point, point: recorded, pendingMigrations: pending, auditHead: head.0,
                                auditHeadHash: head.1, chain: chain, hashAtPointHead: atHead, rows: rows, differingTables: differing)
        }
    }
}

