import Crypto
import Foundation

/// One SQL migration: applied once, in order, inside a transaction, recorded with its checksum.
public struct Migration: Sendable, Hashable {
    /// The order of the migration, from its file name (`0003_journal.sql` → 3).
    public let version: Int
    /// The descriptive part of the file name (`journal`).
    public let name: String
    /// The SQL text, possibly of many statements.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// SHA-256 of the SQL text, hex-encoded; an applied migration whose text changed is refused.
    public var checksum: String {
        SHA256.hash(data: Data(self.sql.utf8)).hexadecimal
    }
}

extension Migration {
    /// The migrations shipped in this module's `Migrations` folder, in version order.
    public static let bundled: [Migration] = {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            fatalError("the Migrations resource folder is missing from the EduQLSchema bundle")
        }
        do {
            return try load(from: folder)
        } catch {
            fatalError("cannot read the bundled migrations: \(error)")
        }
    }()

    /// Reads `NNNN_name.sql` files from a folder, sorted by version; rejects duplicate versions.
    public static func load(from folder: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }
        let migrations = try files.map { file -> Migration in
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw MigrationError.badFileName(file)
            }
            let sql = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            return Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql)
        }.sorted { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(next.version)
        }
        return migrations
    }
}
