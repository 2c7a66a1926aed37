import EduQLAccessControl
import EduQLAudit
import EduQLOnboarding
import EduQLResolvers
import EduQLSchema
import Foundation
import Hummingbird
import Logging
import NIOFoundationCompat
import PostgresNIO

extension OnboardingController {
    /// Reads the upload, checks that its files can be read at all, and starts the job.
    func startImport(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let (user, caller) = try self.caller(context) { !$0.importSheets.isEmpty }
        let dryRun = ["true", "1", "yes"].contains(request.uri.queryParameters["dryRun"].map(String.init) ?? "")
        let sheet = request.uri.queryParameters["sheet"].map(String.init)
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: self.jobs.configuration.maximumBodyBytes)
        } catch {
            throw APIError.contentTooLarge(limit: self.jobs.configuration.maximumBodyBytes)
        }
        let set: ImportSet
        do {
            set = try ImportSet(upload: Data(buffer: body), sheet: sheet)
        } catch let error as ImportFileError {
            throw APIError.badRequest(error.description, code: "BAD_USER_INPUT")
        } catch {
            throw APIError.badRequest("the upload cannot be read: \(error)", code: "BAD_USER_INPUT")
        }
        guard let job = try await self.jobs.start(userID: user.userID, regionID: user.scope.regionID, dryRun: dryRun) else {
            throw APIError(status: .tooManyRequests, code: "RATE_LIMITED", message: "as many imports as this server runs at once are running; retry later",
                           headers: [.retryAfter: "30"])
        }
        var event = AuditEvent(kind: .admin, action: "import", outcome: .ok, requestID: job.id)
        caller.principal.describe(into: &event)
        event.clientIP = request.info(context).clientIP
        event.detail["job"] = job.id
        AuditRecord.current?.update { $0.detail["job"] = job.id }
        let importer = Importer(set, allowedSheets: caller.principal.policy.onboarding.importSheets)
        let started = event
        self.jobs.run(job) { await self.run(importer, job: job, dryRun: dryRun, event: started, actingAs: caller.actingAs) }
        var response = try Self.json(job.snapshot, status: .accepted)
        response.headers[.location] = "/onboarding/imports/\(job.id)"
        return response
    }

    /// Runs the job's import to its end; its audit event commits with it, or is recorded after.
    func run(_ importer: Importer, job: ImportJob, dryRun: Bool, event: AuditEvent, actingAs: ActingAs) async {
        var event = event
        do {
            let finished = try await self.database.withConnection { connection in
                try await connection.watched(within: self.jobs.configuration.transactionLimit) {
                    try await importer.transaction(
                        dryRun: dryRun, event: event, on: connection,
                        prepare: { try await Self.check(actingAs, on: $0, logger: self.logger) },
                        progress: { job.progressed($0) }, logger: self.logger)
                }
            }
            event = finished.event
            job.ended(finished.report.problemCount == 0 ? .succeeded : .failed, report: finished.report,
                      message: finished.report.committed ? "imported" : finished.report.problemCount == 0 ? "dry run: no problems" : "problems: nothing was changed")
            if !finished.eventWritten { await self.record(event, job: job) }
        } catch is CancellationError {
            job.ended(.cancelled, message: "cancelled: nothing was changed")
            event.outcome = .error
            event.errorCodes = ["CANCELLED"]
            await self.record(event, job: job)
        } catch {
            let cancelled = Task.isCancelled
            job.ended(cancelled ? .cancelled : .failed, message: cancelled ? "cancelled: nothing was changed" : "failed: nothing was changed")
            self.logger.error("import failed", metadata: ["job": "\(job.id)", "error": "\(String(reflecting: error))"])
            event.outcome = .error
            event.errorCodes = [cancelled ? "CANCELLED" : "INTERNAL_SERVER_ERROR"]
            await self.record(event, job: job)
        }
    }

    /// Records the event of an import that wrote nothing (a dry run, problems, a failure): the
    /// job's answer is already decided, so an audit log that cannot take it is logged loudly.
    func record(_ event: AuditEvent, job: ImportJob) async {
        do {
            try await self.audit?.record(event)
        } catch {
            self.logger.error("the audit event of an import that wrote nothing could not be recorded",
                              metadata: ["job": "\(job.id)", "error": "\(String(reflecting: error))"])
        }
    }

    /// The job's answer, whichever process runs it.
    func status(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let (user, _) = try self.caller(context) { !$0.importSheets.isEmpty }
        return try Self.json(try await self.answer(context.parameters.get("id") ?? "", userID: user.userID))
    }

    /// Asks the job's process to stop it (at once here, within a second elsewhere).
    func cancel(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let (user, _) = try self.caller(context) { !$0.importSheets.isEmpty }
        let id = context.parameters.get("id") ?? ""
        _ = try await self.jobs.cancel(id, userID: user.userID)
        return try Self.json(try await self.answer(id, userID: user.userID), status: .accepted)
    }

    private func answer(_ id: String, userID: Int) async throws -> ImportJob.Snapshot {
        guard let answer = try await self.jobs.answer(id, userID: userID) else {
            throw APIError(status: .notFound, code: "NOT_FOUND", message: "no such import of yours (or it finished over an hour ago)")
        }
        return answer
    }
}
