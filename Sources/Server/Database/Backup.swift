import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// Backups with PostgreSQL's own tools, in one folder:
///
/// - `base/<label>/` — base backups by `pg_basebackup` (tar, gzip, with the WAL they need);
/// - `wal/` — the WAL the database archives there (`archive_mode = on`, with
///   ``archiveCommand(folder:)`` as its `archive_command`);
/// - `points.json` — named restore points, each with what the database held at it: the audit
///   chain's head (sequence number and hash) and the row count of every table.
///
/// A restore replays a base backup and the archived WAL into a new data folder, to the end of
/// the archive or to a named point, and promotes it (``restore(into:port:point:logger:)``).
struct Backup: Sendable {
    /// What a named restore point recorded.
    struct Point: Codable, Sendable, Equatable {
        var name: String
        var createdAt: Date
        var lsn: String
        /// The audit chain's last event at the point, and its hash (hex).
        var auditHead: Int
        var auditHeadHash: String
        /// Rows of every table of the `eduql` schema at the point.
        var rows: [String: Int]
    }

    /// The backup folder.
    let folder: String
    /// A role with the REPLICATION attribute that may create restore points (the cluster's superuser).
    let superuser: ConnectionSettings
    /// The application database.
    let database: String
    /// PostgreSQL's programs.
    let binaries: String

    var baseFolder: String { self.folder + "/base" }
    var walFolder: String { self.folder + "/wal" }
    var pointsPath: String { self.folder + "/points.json" }

    /// The `archive_command` that copies a finished WAL segment into `folder/wal` (never over one).
    static func archiveCommand(folder: String) -> String {
        "test ! -f \(absolute(folder))/wal/%f && cp %p \(absolute(folder))/wal/%f"
    }

    /// Creates the folder's layout, owned by the `postgres` user when this process is root (the
    /// server archives into it, and the tools run as that user).
    func prepare() throws {
        // Folders above it stay traversable for the postgres user; the backup is its own.
        let parent = URL(fileURLWithPath: self.folder).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        for path in [self.folder, self.baseFolder, self.walFolder] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        if Subprocess.isRoot { try Subprocess.run("/bin/chown", ["-R", "postgres:postgres", self.folder]) }
    }

    /// Takes a base backup; its label.
    func base(logger: Logger) throws -> String {
        try self.prepare()
        let label = Self.label(Date())
        let target = self.baseFolder + "/" + label
        try self.withPassFile { passFile in
            try Subprocess.run(self.binaries + "/pg_basebackup", [
                "-d", self.connectionString(passFile: passFile, database: "postgres"), "-D", target,
                "-F", "tar", "-z", "-X", "stream", "-c", "fast", "--label", "eduql \(label)",
            ], asPostgresUser: true)
        }
        logger.info("base backup taken", metadata: ["label": "\(label)", "folder": "\(target)"])
        return label
    }

    /// Creates a named restore point and records what the database holds at it — the audit
    /// chain's head and every table's rows, as of the moment just before the point (exact when
    /// nothing writes meanwhile; the chain's events are checked by hash, so events committed
    /// meanwhile do not matter) — and waits until the WAL segment holding it is archived.
    func point(_ name: String, logger: Logger) async throws -> Point {
        guard name.range(of: "^[A-Za-z0-9_.-]{1,60}$", options: .regularExpression) != nil else {
            throw ConfigurationError("a restore point's name is 1–60 letters, digits, '.', '_' or '-'")
        }
        guard try self.points().allSatisfy({ $0.name != name }) else { throw ConfigurationError("there is a restore point named \(name) already") }
        let point = try await self.superuser.database(self.database).withConnection(logger: logger) { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ", logger: logger)
            let rows = try await Self.rowCounts(on: connection, logger: logger)
            let head = try await connection.query("SELECT last_seq::int, encode(last_hash, 'hex') FROM eduql.audit_chain WHERE id = 1",
                                                  logger: logger).collect().first!.decode((Int, String).self)
            let lsn = try await connection.query("SELECT pg_create_restore_point(\(name))::text", logger: logger).collect().first!.decode(String.self)
            try await connection.query("COMMIT", logger: logger)
            let segment = try await connection.query("SELECT pg_walfile_name(pg_switch_wal())", logger: logger).collect().first!.decode(String.self)
            // The archiver copies the segment within moments (bounded: a minute).
            for attempt in 0..<600 {
                let archived = try await connection.query("SELECT coalesce(last_archived_wal, '') >= \(segment) FROM pg_stat_archiver",
                                                          logger: logger).collect().first!.decode(Bool.self)
                if archived { break }
                if attempt == 599 { throw ConfigurationError("WAL segment \(segment) was not archived within a minute: is archive_mode on, into \(self.walFolder)?") }
                try await Task.sleep(for: .milliseconds(100))
            }
            return Point(name: name, createdAt: Date(), lsn: lsn, auditHead: head.0, auditHeadHash: head.1, rows: rows)
        }
        try self.save(try self.points() + [point])
        logger.info("restore point created", metadata: ["name": "\(name)", "lsn": "\(point.lsn)", "auditHead": "\(point.auditHead)"])
        return point
    }

    /// The restore points recorded so far, oldest first.
    func points() throws -> [Point] {
        guard let data = FileManager.default.contents(atPath: self.pointsPath) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode([Point].self, from: data)
    }

    private func save(_ points: [Point]) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = self.pointsPath + ".new"
        FileManager.default.createFile(atPath: path, contents: try encoder.encode(points), attributes: [.posixPermissions: 0o600])
        // Replaced whole, at once: a reader never sees half a file.
        guard rename(path, self.pointsPath) == 0 else { throw ConfigurationError("cannot write \(self.pointsPath): errno \(errno)") }
    }

    /// The row count of every table of the `eduql` schema (partitions counted in their parent).
    static func rowCounts(on connection: PostgresConnection, logger: Logger) async throws -> [String: Int] {
        let tables = try await connection.query("""
            SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'eduql'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            ORDER BY 1
            """, logger: logger).collect().map { try $0.decode(String.self) }
        var counts: [String: Int] = [:]
        for table in tables {
            counts[table] = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM eduql.\"\(table)\""), logger: logger)
                .collect().first!.decode(Int.self)
        }
        return counts
    }

    /// A libpq connection string for the superuser, its password read from `passFile`.
    func connectionString(passFile: String, database: String) -> String {
        "host=\(self.superuser.host) port=\(self.superuser.port) user=\(self.superuser.username) dbname=\(database) passfile=\(passFile)"
    }

    /// Runs `body` with a password file for the superuser (see ``ConnectionSettings/withPassFile(_:)``).
    func withPassFile<T>(_ body: (String) throws -> T) throws -> T {
        try self.superuser.withPassFile(body)
    }

    /// A base backup's label: its UTC time, sortable.
    static func label(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
