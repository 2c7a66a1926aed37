import EduQLServer
import Foundation
import Logging
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The real `eduql serve` executable, as an operator runs it.
@Suite("eduql serve", .timeLimit(.minutes(3)))
struct ServeProcessTests {
    /// The `eduql` binary built beside the test bundle.
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("eduql").path
    }

    @Test("serves /healthz and /readyz, then exits cleanly on SIGTERM")
    func servesAndStopsOnSigterm() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.executable), "build the package before testing (scripts/test does)")
        let database = try await TestCluster.shared.database(.migrated)
        let port = try freePort()
        let url = "postgres://\(database.server.username):\(database.server.password ?? "")@\(database.server.host):\(database.server.port)/\(database.server.database)"
        let pid = try spawn(Self.executable, ["serve"], environment: ["DATABASE_URL": url, "EDUQL_PORT": "\(port)", "LOG_LEVEL": "info"])

        var ready: Int?
        for _ in 0..<100 where ready == nil {
            ready = try? await httpStatus("http://127.0.0.1:\(port)/readyz")
            if ready == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready == 200)
        #expect(try await httpStatus("http://127.0.0.1:\(port)/healthz") == 200)

        kill(pid, SIGTERM)
        let status = try await exitStatus(of: pid, within: .seconds(10))
        #expect(status == 0, "eduql serve should shut down gracefully on SIGTERM")
        await #expect(throws: (any Error).self) { try await httpStatus("http://127.0.0.1:\(port)/healthz") }
    }

    @Test("refuses a bad EDUQL_PORT with a clear message and a non-zero exit")
    func badPort() async throws {
        let pid = try spawn(Self.executable, ["serve"], environment: ["EDUQL_PORT": "eighty", "DATABASE_URL": "postgres://x@127.0.0.1:1/x"])
        let status = try await exitStatus(of: pid, within: .seconds(10))
        #expect(status != 0)
    }
}

/// Whether `url` answers `status` within `limit`, asking every 100 ms.
func answers(_ url: String, _ status: Int = 200, within limit: Duration = .seconds(10)) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if (try? await httpStatus(url)) == status { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return false
}

func httpStatus(_ url: String) async throws -> Int {
    var request = URLRequest(url: URL(string: url)!)
    request.timeoutInterval = 2
    let (_, response) = try await URLSession.shared.data(for: request)
    return (response as? HTTPURLResponse)?.statusCode ?? 0
}

/// Starts a program with extra environment variables, its output appended to the run's log.
func spawn(_ executable: String, _ arguments: [String], environment: [String: String], output: String = TestLog.path) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
    let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, executable, &actions, nil, argv, envp) == 0 else { throw POSIXError(.ENOENT) }
    return pid
}

/// Waits for a child to exit, polling; kills it and fails after `limit`.
func exitStatus(of pid: pid_t, within limit: Duration) async throws -> Int32 {
    let deadline = ContinuousClock.now + limit
    var status: Int32 = 0
    while ContinuousClock.now < deadline {
        if waitpid(pid, &status, WNOHANG) == pid {
            return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    kill(pid, SIGKILL)
    _ = waitpid(pid, &status, 0)
    throw POSIXError(.ETIMEDOUT)
}
