import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO

#if canImport(Glibc)
import Glibc
#endif

/// The test run's own PostgreSQL 15: a throwaway cluster on a free port, started on first use
/// and removed when the test process exits. Suites get their own databases, cloned from a
/// migrated template (or a demo-seeded one) with `CREATE DATABASE … TEMPLATE`.
actor TestCluster {
    static let shared: TestCluster = {
        TestLog.start()
        return TestCluster()
    }()

    /// The demo seed the demo template is made with.
    static let demoSeed = 1

    enum Template: String {
        /// All migrations applied, no data.
        case migrated = "template_migrated"
        /// Migrated, demo data and demo accounts.
        case demo = "template_demo"
    }

    /// Startup runs once; every caller awaits the same task (the actor is reentrant).
    private var startup: Task<(ClusterConnections, [DemoAccounts.Account]), any Error>?
    private var databaseCount = 0
    let logger = Logger(label: "eduql-tests")

    /// A fresh database cloned from `template`, with the three roles' settings for it.
    func database(_ template: Template = .migrated) async throws -> ClusterConnections {
        let cluster = try await self.start()
        self.databaseCount += 1
        let name = "test_\(getpid())_\(self.databaseCount)"
        try await cluster.createDatabase(name, template: template.rawValue, logger: self.logger)
        return cluster.database(name)
    }

    /// A fresh, empty database (no migrations).
    func emptyDatabase() async throws -> ClusterConnections {
        let cluster = try await self.start()
        self.databaseCount += 1
        let name = "empty_\(getpid())_\(self.databaseCount)"
        try await cluster.createDatabase(name, logger: self.logger)
        return cluster.database(name)
    }

    /// The demo accounts of the demo template, with their passwords.
    func accounts() async throws -> [DemoAccounts.Account] {
        try await self.started().1
    }

    private func start() async throws -> ClusterConnections {
        try await self.started().0
    }

    private func started() async throws -> (ClusterConnections, [DemoAccounts.Account]) {
        if let startup { return try await startup.value }
        let logger = self.logger
        let startup = Task { try await Self.boot(logger: logger) }
        self.startup = startup
        return try await startup.value
    }

    private static func boot(logger: Logger) async throws -> (ClusterConnections, [DemoAccounts.Account]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-tests-\(getpid())").path
        let cluster = LocalCluster(configuration: .init(
            directory: folder, port: try freePort(), database: "postgres",
            settings: ["shared_preload_libraries": "pg_stat_statements", "pg_stat_statements.track_utility": "off",
                       // Suites run in parallel, each with its own server pools.
                       "max_connections": "500"]))
        let connections = try await cluster.start(logger: logger)
        try cluster.removeWhenProcessExits(getpid())

        try await connections.createDatabase(Template.migrated.rawValue, logger: logger)
        try await connections.owner.database(Template.migrated.rawValue).withConnection(logger: logger) { connection in
            try await Migrator().migrate(connection, logger: logger)
        }
        try await connections.createDatabase(Template.demo.rawValue, template: Template.migrated.rawValue, logger: logger)
        let accounts = try await connections.owner.database(Template.demo.rawValue).withConnection(logger: logger) { connection in
            try await Seeder(scale: .demo, seed: Self.demoSeed).run(on: connection, logger: logger)
            return try await DemoAccounts(seed: Self.demoSeed).create(on: connection, logger: logger).accounts
        }
        return (connections, accounts)
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    guard bound else { throw ConfigurationError("cannot find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
