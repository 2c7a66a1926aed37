@testable import EduQLServer
import Foundation
import Testing

/// `scripts/bench --smoke`: every step of the load harness, briefly, on demo data in a cluster
/// of its own, so that the harness cannot rot. Its numbers mean nothing; its checks (0 non-2xx,
/// 0 GraphQL errors in every run, a report row for every scenario) do.
@Suite("Load harness smoke run", .timeLimit(.minutes(8)))
struct BenchSmokeTests {
    @Test("the harness runs every scenario and both ceilings and reports them")
    func smoke() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-bench-smoke-\(getpid())").path
        defer {
            _ = try? Process.run(URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", """
                runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl stop -D '\(folder)/pg' -m immediate >/dev/null 2>&1 \
                || /usr/lib/postgresql/15/bin/pg_ctl stop -D '\(folder)/pg' -m immediate >/dev/null 2>&1; rm -rf '\(folder)'
                """])
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("Benchmarks/scripts/bench.py").path, "--smoke",
                             "--eduql", ServeProcessTests.executable, "--seconds", "1", "--rounds", "1",
                             "--data-dir", folder, "--pg-port", String(try freePort()), "--port", String(try freePort())]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let report = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(report.suffix(2000))")
        // On the demo data every scenario answers, the dashboard too.
        for scenario in ["diary", "class", "journal", "queue", "dashboard", "sign-in", "mixed"] {
            // A row may name the sign-ins the full hashing queue refused: "| mixed (2 of 131 refused 503, …) |".
            #expect(report.contains("| \(scenario) |") || report.contains("| \(scenario) ("), "no row for \(scenario)")
        }
        #expect(report.contains("0 non-2xx answers and 0 GraphQL errors in every run"))
        // The ceilings rotating over the same accounts as EduQL's lines: a figure in the diary's row.
        let diaryRow = report.split(separator: "\n").first { $0.hasPrefix("| diary |") }.map(String.init) ?? ""
        #expect(report.contains("÷ (b rot)") && diaryRow.split(separator: "|").count >= 14
                    && Double(diaryRow.split(separator: "|")[13].trimmingCharacters(in: .whitespaces)) != nil,
                "the diary's rotating ceiling: \(diaryRow)")
        #expect(report.contains("Audit on ÷ off, diary"))
        #expect(report.contains("Caches on ÷ off (plans compiled and statements planned per request), class"))
        // Each generic plan is inspected (on the demo's small tables a sequential scan can be the
        // right plan; the verdict that matters is the one on bench data, in RESULTS.md).
        for scenario in ["diary", "class", "journal", "queue", "dashboard"] {
            #expect(report.contains("- \(scenario): index-driven") || report.contains("- \(scenario): sequential scans of"),
                    "the generic plan of \(scenario)")
        }
    }
}
