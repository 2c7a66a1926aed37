@testable import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging

/// A primary with the demo data and its streaming standby (`pg_basebackup -R`), on loopback,
/// each removed when the test process exits.
struct ReplicatedCluster {
    let primary: LocalCluster
    let standby: LocalCluster
    let connections: ClusterConnections
    let accounts: [DemoAccounts.Account]

    /// Starts both under `root`, the primary's database named `database`.
    static func start(root: String, database: String, logger: Logger) async throws -> ReplicatedCluster {
        let primary = LocalCluster(configuration: .init(directory: root + "/primary", port: try freePort(), database: database))
        let connections = try await primary.start(logger: logger)
        try primary.removeWhenProcessExits(getpid())
        let accounts = try await connections.owner.withConnection(logger: logger) { connection in
            try await Migrator().migrate(connection, logger: logger)
            try await Seeder(scale: .demo, seed: 1).run(on: connection, logger: logger)
            return try await DemoAccounts(seed: 1).create(on: connection, logger: logger).accounts
        }
        let standby = try primary.startStandby(directory: root + "/standby", port: try freePort(), logger: logger)
        try standby.removeWhenProcessExits(getpid())
        return ReplicatedCluster(primary: primary, standby: standby, connections: connections, accounts: accounts)
    }

    /// Stops both.
    func stop() {
        try? self.standby.stop()
        try? self.primary.stop()
    }

    /// A postgres:// URL of the server's role on `port` (the primary's or the standby's).
    func url(_ port: Int) -> String {
        let server = self.connections.server
        return "postgres://\(server.username):\(server.password ?? "")@\(server.host):\(port)/\(server.database)"
    }
}

/// Polls `condition` every 100 ms, at most `seconds`; whether it came true.
func eventually(_ seconds: Int, _ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<(seconds * 10) {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return false
}
