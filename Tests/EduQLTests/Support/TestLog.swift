@testable import EduQLServer
import Foundation
import Logging

/// The test run's log: every logger of the test process, and every `eduql` process a test
/// starts, writes JSON lines to one file (`EDUQL_TEST_LOG`, or one per test process), so that
/// ``LogScanTests`` can read what a whole run logged.
enum TestLog {
    /// The file the run logs to.
    static let path: String = {
        if let path = ProcessInfo.processInfo.environment["EDUQL_TEST_LOG"], !path.isEmpty { return path }
        return FileManager.default.temporaryDirectory.appendingPathComponent("eduql-tests-\(getpid()).log").path
    }()

    private static let bootstrapped: Void = {
        let output = (try? JSONLogHandler.Output(appendingTo: TestLog.path)) ?? .standardError
        LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: .info, output: output) }
    }()

    /// Sends the process's logging to ``path`` (once).
    static func start() {
        _ = Self.bootstrapped
    }
}
