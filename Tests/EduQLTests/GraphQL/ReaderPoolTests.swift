import EduQLSchema
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
        // Long enough for a busy CI machine to plan the INSERT, short beside the sleep below.
        limits.statementTimeoutMilliseconds = 2_000
        let readers = PostgresClient(configuration: database.server.readerConfiguration(limits: limits), backgroundLogger: Logger(label: "eduql-tests"))
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await readers.run() }
            do {
                _ = try await readers.query("INSERT INTO eduql.audit_documents (sha256, document) VALUES (sha256('x'), 'x')").collect()
                Issue.record("the reader pool wrote a row")
            } catch {
                #expect(sqlState(of: error) == "25006", "\(String(reflecting: error))")
            }
            do {
                _ = try await readers.query("SELECT pg_sleep(10)").collect()
                Issue.record("a ten-second statement was not cancelled")
            } catch {
                #expect(sqlState(of: error) == "57014", "\(String(reflecting: error))")
            }
            let readOnly = try await readers.query("SHOW transaction_read_only").collect().first?.decode(String.self)
            #expect(readOnly == "on")
            group.cancelAll()
        }
    }
}
