import EduQLAudit
import EduQLSchema
import Hummingbird
import Logging

extension EduQLRequestContext {
    /// Runs a handler, answering 503 with `Retry-After` if it has not finished within `limit`
    /// (a database that stopped answering must not hold a client, nor the server's shutdown).
    /// The handler is cancelled; a state change it had not yet committed rolls back.
    func bounded(within limit: Duration, _ work: @escaping @Sendable () async throws -> Response) async throws -> Response {
        do {
            return try await Deadline.run(within: limit, work)
        } catch is Deadline.Exceeded {
            self.logger.warning("request deadline exceeded; answering 503")
            // A change whose event is already in its transaction commits or rolls back with it;
            // any other rolls back (``AuditRecord/abandon()``), and this answer's event says so.
            _ = AuditRecord.current?.abandon()
            AuditRecord.current?.update(decides: true) { event in
                event.outcome = .error
                event.errorCodes = ["SERVICE_UNAVAILABLE"]
            }
            throw APIError.databaseUnavailable
        }
    }
}
