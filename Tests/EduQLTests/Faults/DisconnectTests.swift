import EduQLResolvers
import EduQLSchema
@testable import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// A client that goes away stops the work done for it: the request is cancelled and audited as
/// 499 while the statement it waited for is still blocked.
@Suite("Client disconnects", .timeLimit(.minutes(2)))
struct DisconnectTests {
    let logger = Logger(label: "eduql-tests")

    @Test("a GraphQL request whose client disconnects is cancelled and audited at once")
    func disconnect() async throws {
        let database = try await TestCluster.shared.database(.demo)
        // The statement waits on the lock, and the request on it, as long as the test needs, however
        // loaded the machine: had either timed out first, its answer (not the disconnect) would end
        // the request (a loaded CI machine once took longer than the default 12 s deadline).
        try await TestAPI.run(database, configure: {
            $0.limits.statementTimeoutMilliseconds = 60_000
            $0.requestDeadline = .seconds(90)
        }) { api in
            let token = try await api.demoToken("school.admin")
            let owner = try await PostgresConnection.connect(configuration: database.owner.connectionConfiguration, id: 1, logger: self.logger)
            defer { Task { try? await owner.close() } }
            // Hold the table the query reads, so the query blocks in the database.
            try await owner.execute("BEGIN", logger: self.logger)
            try await owner.execute("LOCK TABLE eduql.organizations IN ACCESS EXCLUSIVE MODE", logger: self.logger)

            let client = try await RawConnection.open(port: api.port)
            try await client.post(body: RawHTTP.graphql("query Blocked { organization(id: 1) { shortName } }"), token: token)
            // Wait until the request's statement is blocked on the lock, then hang up.
            // Only a superuser sees what other roles' sessions wait for; one connection, opened once.
            let observer = try await PostgresConnection.connect(configuration: database.superuser.connectionConfiguration, id: 2, logger: self.logger)
            defer { Task { try? await observer.close() } }
            var blocked = false
            for _ in 0..<400 where !blocked {
                try await Task.sleep(for: .milliseconds(50))
                blocked = try await observer.query("""
                    SELECT count(*)::int FROM pg_stat_activity WHERE datname = \(database.server.database) AND usename = 'eduql_app' AND wait_event_type = 'Lock' AND query LIKE '%act_as%'
                    """, logger: self.logger).collect().first!.decode(Int.self) > 0
            }
            try #require(blocked, "the request reached the database")
            try await client.close()

            // While the table is still locked, the request has been cancelled and audited.
            var status: String?
            for _ in 0..<300 where status == nil {
                try await Task.sleep(for: .milliseconds(100))
                status = try await database.owner.withConnection(logger: self.logger) { connection in
                    try await connection.query("""
                        SELECT detail->>'status' FROM eduql.audit_events WHERE operation_name = 'Blocked'
                        """, logger: self.logger).collect().first?.decode(String?.self)
                }
            }
            // Had the work run on, it would have ended (at the request deadline) in an answer
            // recorded with its own status; 499 is recorded only when the disconnect cancelled it.
            #expect(status == "499")
            try await owner.execute("ROLLBACK", logger: self.logger)
            // The server answers the next request normally.
            #expect(try await api.graphql("{ organization(id: 1) { shortName } }", token: token).status == .ok)
        }
    }
}
