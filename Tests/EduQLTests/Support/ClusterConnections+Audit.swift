@testable import EduQLServer
import Logging
import PostgresNIO

extension ClusterConnections {
    /// The request ids among `answered` that have no audit event, chained or staged with its change.
    func requestsWithoutEvent(_ answered: [String]) async throws -> [String] {
        let recorded = Set(try await self.owner.withConnection(logger: Logger(label: "eduql-tests")) { connection in
            try await connection.column("""
                SELECT request_id FROM eduql.audit_events WHERE request_id = ANY(\(answered))
                UNION SELECT event->>'request_id' FROM eduql.audit_staged WHERE event->>'request_id' = ANY(\(answered))
                """, as: String.self)
        })
        return answered.filter { !recorded.contains($0) }
    }

    /// Whether `eduql.audit_verify()` finds the chain intact.
    func auditChainIntact() async throws -> Bool {
        try await self.owner.withConnection(logger: Logger(label: "eduql-tests")) {
            try await $0.scalar("SELECT broken_seq IS NULL FROM eduql.audit_verify()", as: Bool.self)
        }
    }
}
