import EduQLAudit
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

extension Importer {
    /// The outcome of an import run in its own transaction.
    public struct Finished: Sendable {
        public var report: ImportReport
        /// The import's one audit event, with its counts.
        public var event: AuditEvent
        /// Whether the event committed with the import; if not, the caller records it.
        public var eventWritten: Bool
    }

    /// Runs the whole import in one transaction on `connection`: `prepare` sets the tenancy (and
    /// checks the caller's session) first; a run without problems that is no dry run commits,
    /// with `event` carrying its counts; anything else rolls back and leaves the records as
    /// they were. A cancelled or failed run rolls back too, and throws. Cancelling the calling
    /// task stops the run between two statements (``ImportCancellation``): it returns once the
    /// rollback is done and the connection is free again.
    public func transaction(dryRun: Bool, event: AuditEvent, on connection: PostgresConnection,
                            prepare: @escaping @Sendable (PostgresConnection) async throws -> Void,
                            progress: @escaping @Sendable (ImportProgress) -> Void = { _ in }, logger: Logger) async throws -> Finished {
        let cancellation = ImportCancellation()
        let work = Task {
            try await self.transaction(dryRun: dryRun, event: event, on: connection, prepare: prepare, progress: progress,
                                       cancellation: cancellation, logger: logger)
        }
        return try await withTaskCancellationHandler {
            try await work.value
        } onCancel: {
            cancellation.cancel()
        }
    }

    func transaction(dryRun: Bool, event: AuditEvent, on connection: PostgresConnection,
                     prepare: @Sendable (PostgresConnection) async throws -> Void, progress: @Sendable (ImportProgress) -> Void,
                     cancellation: ImportCancellation, logger: Logger) async throws -> Finished {
        var event = event
        event.action = dryRun ? "import.dry_run" : "import"
        try await connection.execute("BEGIN", logger: logger)
        do {
            try await prepare(connection)
            var report = try await self.run(on: connection, dryRun: dryRun, progress: progress, cancellation: cancellation, logger: logger)
            event.detail.merge(report.auditDetail) { _, new in new }
            event.rowCount = report.rows
            event.outcome = report.problemCount == 0 ? .ok : .invalid
            if report.problemCount > 0 { event.errorCodes = ["BAD_USER_INPUT"] }
            guard !dryRun, report.problemCount == 0 else {
                try await connection.execute("ROLLBACK", logger: logger)
                return Finished(report: report, event: event, eventWritten: false)
            }
            // A cancel that came after the last batch still undoes the import.
            try cancellation.check()
            try await event.append(on: connection, logger: logger)
            try await connection.execute("COMMIT", logger: logger)
            report.committed = true
            return Finished(report: report, event: event, eventWritten: true)
        } catch {
            try? await connection.execute("ROLLBACK", logger: logger)
            throw error
        }
    }
}
