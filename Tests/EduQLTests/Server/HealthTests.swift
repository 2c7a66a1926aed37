import EduQLServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@Suite("Health endpoints", .timeLimit(.minutes(3)))
struct HealthTests {
    let logger = Logger(label: "eduql-tests")

    func status(_ path: String, database: ConnectionSettings) async throws -> (HTTPResponse.Status, String) {
        let app = try await buildApplication(server: ServerConfiguration(host: "127.0.0.1", port: 0), database: database, logger: self.logger)
        return try await app.test(.live) { client in
            try await client.execute(uri: path, method: .get) { response in
                (response.status, String(buffer: response.body))
            }
        }
    }

    @Test("/healthz answers while the process is up, whatever the database")
    func healthz() async throws {
        let unreachable = ConnectionSettings(host: "127.0.0.1", port: try freePort(), username: "nobody", password: nil, database: "none")
        let (status, body) = try await self.status("/healthz", database: unreachable)
        #expect(status == .ok)
        #expect(body.contains(#""status":"ok""#))
    }

    @Test("/readyz is 200 when the database answers and its migrations are this build's")
    func ready() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        // Readiness answers within 2 s or says unavailable; on a loaded machine (the whole suite
        // starting at once) a probe polls again, as a load balancer does.
        var (status, body) = try await self.status("/readyz", database: database.server)
        for _ in 0..<5 where status == .serviceUnavailable && body.contains("unreachable") {
            try await Task.sleep(for: .seconds(1))
            (status, body) = try await self.status("/readyz", database: database.server)
        }
        #expect(status == .ok)
        #expect(body.contains(#""status":"ready""#))
    }

    @Test("/readyz is 503 on a database that is not migrated")
    func notMigrated() async throws {
        let database = try await TestCluster.shared.emptyDatabase()
        let (status, _) = try await self.status("/readyz", database: database.server)
        #expect(status == .serviceUnavailable)
    }

    @Test("/readyz is 503 when a migration is missing")
    func migrationPending() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.execute("DELETE FROM eduql.schema_migrations WHERE version = (SELECT max(version) FROM eduql.schema_migrations)")
        }
        let (status, body) = try await self.status("/readyz", database: database.server)
        #expect(status == .serviceUnavailable)
        #expect(body.contains("pending"))
    }

    @Test("/readyz is 503 when the database is unreachable")
    func unreachable() async throws {
        let unreachable = ConnectionSettings(host: "127.0.0.1", port: try freePort(), username: "nobody", password: nil, database: "none")
        let (status, body) = try await self.status("/readyz", database: unreachable)
        #expect(status == .serviceUnavailable)
        #expect(body.contains("unreachable"))
    }
}
