@testable import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// A query on a connection the server has dropped fails at once instead of waiting forever
/// (postgres-nio alone leaves such a query pending), and transactions read every statement.
@Suite("Queries on dropped connections", .timeLimit(.minutes(2)))
struct GuardedQueryTests {
    let logger = Logger(label: "eduql-tests")

    @Test("a connection terminated by the server, or closed by the client, fails the next query with DatabaseUnavailable")
    func dropped() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        try await database.server.withConnection(logger: self.logger) { connection in
            let pid = try await connection.guardedQuery("SELECT pg_backend_pid()", logger: self.logger).collect().first!.decode(Int32.self)
            try await database.superuser.withConnection(logger: self.logger) { admin in
                _ = try await admin.query("SELECT pg_terminate_backend(\(pid))", logger: self.logger).collect()
            }
            // The server's close arrives; every later query fails, none hangs.
            for _ in 0..<20 {
                do {
                    _ = try await connection.guardedQuery("SELECT 1", logger: self.logger).collect()
                } catch {
                    #expect(DatabaseUnavailable.classifies(error), "\(String(reflecting: error))")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(connection.isClosed)
            await #expect(throws: DatabaseUnavailable.self) { try await connection.guardedQuery("SELECT 1", logger: self.logger) }
        }
    }

    @Test("a statement that fails rolls its transaction back, and the connection stays usable")
    func transactionReadsEveryStatement() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        try await database.server.withConnection(logger: self.logger) { connection in
            await #expect(throws: (any Error).self) {
                try await connection.transaction(logger: self.logger) { connection in
                    try await connection.execute("SELECT 1/0", logger: self.logger)
                }
            }
            // Rolled back: the connection answers the next statement.
            let one = try await connection.guardedQuery("SELECT 1", logger: self.logger).collect().first!.decode(Int.self)
            #expect(one == 1)
            let inside = try await connection.transaction(logger: self.logger) { connection in
                try await connection.guardedQuery("SELECT txid_current_if_assigned() IS NULL", logger: self.logger).collect().first!.decode(Bool.self)
            }
            #expect(inside)
        }
    }
}
