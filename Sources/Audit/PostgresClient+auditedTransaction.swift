import EduQLSchema
import Logging
import PostgresNIO

extension PostgresClient {
    /// A transaction that changes state: the current request's audit event is staged in it,
    /// after `body`, so the change and its event commit together or not at all, and chained once
    /// it committed. Outside an audited request it is a plain transaction.
    public func auditedTransaction<Result>(
        logger: Logger,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        let record = AuditRecord.current
        do {
            let result = try await self.transaction(logger: logger, isolation: isolation) { connection in
                let result = try await body(connection)
                try await record?.stage(on: connection, logger: logger)
                return result
            }
            await record?.committed()
            return result
        } catch {
            record?.unwritten()
            throw error
        }
    }
}
