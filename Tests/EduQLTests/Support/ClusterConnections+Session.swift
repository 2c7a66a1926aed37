import Crypto
@testable import EduQLResolvers
import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

extension ClusterConnections {
    /// Signs `login` (a demo account) in through the real API, then runs `body` with a pool of one
    /// connection of the server's role and whom its statements act for.
    func withSession(of login: String, logger: Logger,
                     _ body: @Sendable (PostgresClient, ActingAs) async throws -> Void) async throws {
        let acting = try await self.actingAs(login, logger: logger)
        var configuration = self.server.clientConfiguration
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await body(client, acting)
            group.cancelAll()
        }
    }

    /// Signs `login` (a demo account) in through the real API: whom its statements act for.
    func actingAs(_ login: String, logger: Logger) async throws -> ActingAs {
        let (token, assignment) = try await TestAPI.run(self) { api in
            let reply = try await api.loginRetryingWhenBusy(login, try await TestCluster.shared.password(of: login))
            let roles = try #require(reply["roles"] as? [[String: Any]], "sign-in of \(login): \(reply.status) \(reply.text)")
            return (try #require(reply["token"] as? String), try #require(roles.first?["id"] as? Int))
        }
        let region = try await self.owner.withConnection(logger: logger) { connection in
            try await connection.query("SELECT region_id::int FROM eduql.role_assignments WHERE id = \(assignment)", logger: logger)
                .collect().first!.decode(Int.self)
        }
        return ActingAs.user(tokenSHA256: Data(SHA256.hash(data: Data(token.utf8))), assignmentID: assignment, idleSeconds: 1800, regionID: region)
    }
}
