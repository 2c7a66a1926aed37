import EduQLOnboarding
import Foundation
import Synchronization

/// One import started through the API, in the process running it: who started it, how far it
/// is, and how it ended (``ImportJobs`` keeps that answer in the database for every process).
/// The import itself runs in a task of its own, in one transaction (``Importer/transaction``).
final class ImportJob: Sendable {
    enum Status: String, Codable, Sendable { case running, succeeded, failed, cancelled }

    /// What `GET /onboarding/imports/{id}` answers.
    struct Snapshot: Codable, Sendable {
        var id: String
        var status: Status
        var dryRun: Bool
        var progress: ImportProgress?
        var report: ImportReport?
        var message: String?
    }

    let id: String
    let userID: Int
    private let state: Mutex<(snapshot: Snapshot, task: Task<Void, Never>?)>

    init(userID: Int, dryRun: Bool) {
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        self.id = id
        self.userID = userID
        self.state = Mutex((Snapshot(id: id, status: .running, dryRun: dryRun), nil))
    }

    var snapshot: Snapshot { self.state.withLock { $0.snapshot } }

    func started(_ task: Task<Void, Never>) {
        self.state.withLock { $0.task = task }
    }

    func progressed(_ progress: ImportProgress) {
        self.state.withLock { $0.snapshot.progress = progress }
    }

    func ended(_ status: Status, report: ImportReport? = nil, message: String? = nil) {
        self.state.withLock { state in
            guard state.snapshot.status == .running else { return }
            state.snapshot.status = status
            state.snapshot.report = report
            state.snapshot.message = message
        }
    }

    /// Stops a running import; its transaction rolls back.
    func cancel() {
        let task = self.state.withLock { $0.snapshot.status == .running ? $0.task : nil }
        task?.cancel()
    }
}
