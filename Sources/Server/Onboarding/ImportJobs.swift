import EduQLSchema
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The imports started through the API. Each runs in the process that started it (at most
/// ``Configuration/concurrent`` there at once); its answer lives in the database
/// (`eduql.import_jobs`), written every ``Configuration/heartbeat`` while it runs and once more
/// when it ends, so that any process behind the balancer answers for it and can stop it. A
/// finished job is answered for an hour.
final class ImportJobs: Sendable {
    struct Configuration: Sendable {
        /// Imports running at once in this process; default 2 (more wait for none: they are refused with 429).
        var concurrent = 2
        /// How often a running job's answer is written, and whether it was asked to stop read; default 1 second.
        var heartbeat: Duration = .seconds(1)
        /// A running job not written for this long is answered as failed (its process stopped); default 30 seconds.
        var staleAfter: Duration = .seconds(30)
        /// The largest upload; default 256 MiB.
        var maximumBodyBytes = 256 * 1024 * 1024
        /// The longest an import's transaction may run before its connection is closed; default 30 minutes.
        var transactionLimit: Duration = .seconds(1800)
    }

    let configuration: Configuration
    let database: PostgresClient
    let logger: Logger
    /// The jobs running in this process.
    private let running = Mutex<[String: ImportJob]>([:])

    init(database: PostgresClient, logger: Logger, configuration: Configuration = .init()) {
        self.database = database
        self.logger = logger
        self.configuration = configuration
    }

    /// A new job of `userID`, recorded; nil when as many imports as allowed run in this process.
    func start(userID: Int, regionID: Int, dryRun: Bool) async throws -> ImportJob? {
        let job: ImportJob? = self.running.withLock { running in
            guard running.count < self.configuration.concurrent else { return nil }
            let job = ImportJob(userID: userID, dryRun: dryRun)
            running[job.id] = job
            return job
        }
        guard let job else { return nil }
        do {
            let answer = try Self.encoded(job.snapshot)
            _ = try await self.query("SELECT eduql.import_job_start(\(job.id), \(regionID), \(userID), \(answer)::jsonb)")
        } catch {
            self.running.withLock { $0[job.id] = nil }
            throw error
        }
        return job
    }

    /// Runs `body` as the job's task: the job's answer is written while it runs (and the job
    /// stopped when a process was asked to stop it), and once more when it ends.
    func run(_ job: ImportJob, _ body: @escaping @Sendable () async -> Void) {
        let task = Task { await body() }
        job.started(task)
        Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await task.value }
                group.addTask {
                    while (try? await Task.sleep(for: self.configuration.heartbeat)) != nil {
                        if (try? await self.write(job, finished: false)) == true { job.cancel() }
                    }
                }
                await group.next()
                group.cancelAll()
            }
            // The ending is written as soon as the database takes it (bounded: a minute).
            for attempt in 0..<60 {
                do {
                    _ = try await self.write(job, finished: true)
                    break
                } catch {
                    if attempt == 59 { self.logger.error("an import's ending could not be recorded", metadata: ["job": "\(job.id)"]) }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            self.running.withLock { $0[job.id] = nil }
        }
    }

    /// The answer for the job of that id, if it is this user's.
    func answer(_ id: String, userID: Int) async throws -> ImportJob.Snapshot? {
        let stale = Int(self.configuration.staleAfter.components.seconds)
        let rows = try await self.query("SELECT eduql.import_job_answer(\(id), \(userID), \(stale)::integer)::text")
        guard let text = try rows.first?.decode(String?.self) else { return nil }
        return try JSONDecoder().decode(ImportJob.Snapshot.self, from: Data(text.utf8))
    }

    /// Asks for the user's running job of that id to stop (at once when it runs here, within a
    /// heartbeat elsewhere); whether there was such a job.
    func cancel(_ id: String, userID: Int) async throws -> Bool {
        if let job = self.running.withLock({ $0[id] }), job.userID == userID { job.cancel() }
        return try await self.query("SELECT eduql.import_job_cancel(\(id), \(userID))").first?.decode(Bool.self) ?? false
    }

    /// Writes the job's answer; whether it was asked to stop.
    private func write(_ job: ImportJob, finished: Bool) async throws -> Bool {
        let answer = try Self.encoded(job.snapshot)
        return try await self.query("SELECT eduql.import_job_write(\(job.id), \(answer)::jsonb, \(finished))").first?.decode(Bool?.self) ?? false
    }

    /// One statement, waiting at most 2 s for a connection and 5 s in all.
    private func query(_ sql: PostgresQuery) async throws -> [PostgresRow] {
        try await self.database.withConnection(lease: .seconds(2), total: .seconds(5)) { connection in
            try await connection.guardedQuery(sql, logger: self.logger).collect()
        }
    }

    static func encoded(_ snapshot: ImportJob.Snapshot) throws -> String {
        String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)
    }
}
