import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// Counts, with pg_stat_statements, the statements the server's role runs per operation: one
/// per root data field, however deep the nesting — the token check and the tenancy settings
/// ride in the same statement. The audit event is appended by the group-committed sink, one
/// statement per batch, counted apart; the organization rollups' periodic refresh, no request's
/// statement, is not counted.
@Suite("One SQL statement per root field", .timeLimit(.minutes(3)))
struct StatementCountTests {
    let logger = Logger(label: "eduql-tests")

    /// Statements the server role ran in this database since the last reset.
    func statements(_ superuser: ConnectionSettings, reset: Bool = false) async throws -> Int {
        try await superuser.withConnection(logger: self.logger) { connection in
            if reset {
                try await connection.execute("SELECT pg_stat_statements_reset()")
                return 0
            }
            return try await connection.scalar("""
                SELECT coalesce(sum(s.calls), 0)::int FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
                WHERE r.rolname = 'eduql_app' AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND s.query NOT IN ('SELECT 1', 'SELECT $1') AND s.query NOT LIKE '%append_audit%'
                  AND s.query NOT LIKE '%refresh_coarse_rollups%'
                """, as: Int.self)
        }
    }

    /// Audit batches the server role appended since the last reset.
    func auditBatches(_ superuser: ConnectionSettings) async throws -> Int {
        try await superuser.withConnection(logger: self.logger) { connection in
            try await connection.scalar("""
                SELECT coalesce(sum(s.calls), 0)::int FROM pg_stat_statements s
                WHERE s.query LIKE '%append_audit%' AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                """, as: Int.self)
        }
    }

    @Test("each operation costs one statement per root data field")
    func onePerRootField() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let superuser = database.superuser.database(database.owner.database)
        try await superuser.withConnection(logger: self.logger) { try await $0.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements") }
        let operations: [(login: String, query: String, variables: String, roots: Int)] = [
            ("parent", try ConsumerDocuments.text("parent/diary-week.graphql"), #"{"learnerId": "609", "from": "2026-09-07", "to": "2026-09-13"}"#, 1),
            ("school.admin", try ConsumerDocuments.text("school-portal/class-page.graphql"), #"{"classId": "21"}"#, 1),
            ("region.admin", try ConsumerDocuments.text("region-dashboard/municipality-stats.graphql"), #"{"byTerm": true}"#, 1),
            ("mouo.admin", try ConsumerDocuments.text("municipal-queue-desk/queue.graphql"), #"{"first": 100}"#, 1),
            ("teacher", try ConsumerDocuments.text("teacher/journal-page.graphql"),
             #"{"classId": "21", "subjectId": "101", "from": "2026-09-01", "to": "2026-11-30"}"#, 1),
            ("school.admin", """
                { organization(id: 1) { classes { learners { guardians { guardian { id } } } } }
                  me { name roles { id scope { name } } } learners(first: 100) { totalCount edges { node { id class { name } } } } __typename }
                """, "{}", 3),
        ]
        try await TestAPI.run(database) { api in
            for operation in operations {
                let token = try await api.demoToken(operation.login)
                _ = try await api.graphql("{ __typename }", token: token)  // signs the token into the principal cache
                _ = try await self.statements(superuser, reset: true)
                let variables = try JSONSerialization.jsonObject(with: Data(operation.variables.utf8)) as? [String: Any] ?? [:]
                let reply = try await api.graphql(operation.query, variables: variables, token: token)
                #expect(reply.status == .ok && reply.errorCodes.isEmpty, "\(reply.text.prefix(300))")
                let count = try await self.statements(superuser)
                #expect(count == operation.roots, "\(operation.login): \(operation.query.prefix(60)) ran \(count) statements")
                let batches = try await self.auditBatches(superuser)
                #expect(batches == 1, "one request alone is one audit batch")
            }
        }
    }
}
