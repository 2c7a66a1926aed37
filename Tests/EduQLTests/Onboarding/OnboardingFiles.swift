import EduQLAudit
import EduQLOnboarding
import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO

/// Runs imports, exports and rollovers as the operator does (`eduql import` and friends): on
/// the owner's connection, with the region's tenancy set.
struct OnboardingFiles {
    let database: ClusterConnections
    let region: Int
    let logger = Logger(label: "eduql-tests")

    /// The sample set under `Samples/onboarding`, as file name and text.
    static func samples() throws -> [String: String] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Samples/onboarding").standardized
        var files: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".csv") {
            files[file] = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
        }
        return files
    }

    /// Writes `files` to a new folder and imports it.
    func importing(_ files: [String: String], dryRun: Bool = false, progress: @escaping @Sendable (ImportProgress) -> Void = { _ in },
                   connectionID: (@Sendable (Int) -> Void)? = nil) async throws -> ImportReport {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        return try await self.importing(try ImportSet(paths: [folder]), dryRun: dryRun, progress: progress, connectionID: connectionID)
    }

    func importing(_ set: ImportSet, dryRun: Bool = false, progress: @escaping @Sendable (ImportProgress) -> Void = { _ in },
                   connectionID: (@Sendable (Int) -> Void)? = nil) async throws -> ImportReport {
        var configuration = Importer.Configuration()
        configuration.batchSize = 50
        let importer = Importer(set, allowedSheets: Set(Sheet.all.map(\.name)), configuration: configuration)
        let region = self.region
        let logger = self.logger
        return try await self.database.owner.withConnection(logger: logger) { connection in
            if let connectionID { connectionID(try await connection.scalar("SELECT pg_backend_pid()", as: Int.self)) }
            let finished = try await importer.transaction(dryRun: dryRun, event: OperatorTenancy.event("import", region: region), on: connection,
                                                          prepare: { try await OperatorTenancy.set(region: region, on: $0, logger: logger) },
                                                          progress: progress, logger: logger)
            if !finished.eventWritten { try await finished.event.append(on: connection, logger: logger) }
            return finished.report
        }
    }

    /// The region's records as the import's files.
    func export() async throws -> [String: Data] {
        let region = self.region
        let logger = self.logger
        return try await self.database.owner.withConnection(logger: logger) { connection in
            try await connection.transaction(logger: logger) { connection in
                try await OperatorTenancy.set(region: region, on: connection, logger: logger)
                return Dictionary(uniqueKeysWithValues: try await Exporter().export(on: connection, logger: logger).files.map { ($0.file, $0.csv) })
            }
        }
    }

    /// Row counts of every table an import writes.
    func counts() async throws -> [String: Int] {
        try await self.database.owner.withConnection(logger: self.logger) { connection in
            var counts: [String: Int] = [:]
            for table in ["municipalities", "academic_years", "subjects", "organizations", "staff", "classes", "learners", "guardians",
                          "guardian_learners", "enrollments", "teaching_assignments", "timetable_entries", "import_keys", "changes", "movements"] {
                counts[table] = try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM eduql.\(table)"), as: Int.self)
            }
            return counts
        }
    }

    /// A migrated database with one empty region of `code`.
    static func emptyRegion(code: String = "35") async throws -> OnboardingFiles {
        let database = try await TestCluster.shared.database(.migrated)
        try await database.owner.withConnection(logger: Logger(label: "eduql-tests")) { connection in
            try await connection.execute(PostgresQuery(unsafeSQL: "INSERT INTO eduql.regions (id, code, name) VALUES (1, '\(code)', 'Регион')"))
        }
        return OnboardingFiles(database: database, region: 1)
    }
}
