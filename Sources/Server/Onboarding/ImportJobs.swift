import Foundation
import Synchronization

/// The imports this process runs or ran lately, by id. A job is known to this process only (a
/// status asked of another process behind the same balancer is not found); finished jobs are
/// forgotten after ``Configuration/retention``.
final class ImportJobs: Sendable {
    struct Configuration: Sendable {
        /// Imports running at once in this process; default 2 (more wait for none: they are refused with 429).
        var concurrent = 2
        /// How long a finished job's report is kept; default one hour.
        var retention: Duration = .seconds(3600)
        /// The largest upload; default 256 MiB.
        var maximumBodyBytes = 256 * 1024 * 1024
        /// The longest an import's transaction may run before its connection is closed; default 30 minutes.
        var transactionLimit: Duration = .seconds(1800)
    }

    let configuration: Configuration
    private let jobs = Mutex<[String: ImportJob]>([:])

    init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// A new job for `userID`, or nil when as many imports as allowed are running.
    func start(userID: Int, dryRun: Bool) -> ImportJob? {
        self.jobs.withLock { jobs in
            let now = ContinuousClock.now
            jobs = jobs.filter { $0.value.finished.map { now - $0 < self.configuration.retention } ?? true }
            guard jobs.values.filter({ $0.finished == nil }).count < self.configuration.concurrent else { return nil }
            let job = ImportJob(userID: userID, dryRun: dryRun)
            jobs[job.id] = job
            return job
        }
    }

    /// The job of that id, if it is this user's.
    func job(_ id: String, userID: Int) -> ImportJob? {
        self.jobs.withLock { $0[id] }.flatMap { $0.userID == userID ? $0 : nil }
    }
}
