import EduQLResolvers
@testable import EduQLServer
import Logging
import PostgresNIO
import Testing

/// The pool GraphQL reads run on cannot write, and its statements are time-limited.
@Suite("Read-only reader pool", .timeLimit(.minutes(3)))
struct ReaderPoolTests {
    @Test("a write on the reader pool is refused; statements are cancelled after the timeout")
    func readOnly() async throws {
        let database = try await TestCluster.shared.database(.demo)
        var limits = QueryLimits()
        limits.statementTimeoutMilliseconds = 300
        let readers = PostgresClient(configuration: database.server.readerConfiguration(limits: limits), backgroundLogger: Logger(label: "eduql-tests"))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await readers.run() }
            await #expect {
                try await readers.query("INSERT INTO eduql.audit_documents (sha256, document) VALUES (sha256('x'), 'x')").collect()
            } throws: { sqlState(of: $0) == "25006" }
            await #expect {
                try await readers.query("SELECT pg_sleep(2)").collect()
            } throws: { sqlState(of: $0) == "57014" }
            let readOnly = try await readers.query("SHOW transaction_read_only").collect().first?.decode(String.self)
            #expect(readOnly == "on")
            group.cancelAll()
        }
    }
}
