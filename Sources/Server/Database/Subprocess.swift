import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a command to completion, as the `postgres` system user when this process is root
/// (PostgreSQL refuses to run as root).
///
/// Built on `posix_spawn` and `waitpid`: Foundation's `Process` can miss a child's exit when
/// waited on from a concurrency task.
struct Subprocess {
    /// A command that exited with a non-zero status.
    struct Failure: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        var description: String { "`\(self.command)` exited with \(self.status): \(self.output)" }
    }

    static var isRoot: Bool { getuid() == 0 }

    /// Runs `executable` with `arguments`; returns the exit status and combined output. Output
    /// goes through a file, not a pipe, so that a daemon the command leaves behind (the
    /// postmaster) cannot hold a pipe open.
    @discardableResult
    static func run(
        _ executable: String,
        _ arguments: [String],
        asPostgresUser: Bool = false,
        allowedStatuses: Set<Int32> = [0]
    ) throws -> (status: Int32, output: String) {
        let command = asPostgresUser && isRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments : [executable] + arguments
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }
        let pid = try spawn(command, outputPath: outputPath)
        let status = try wait(for: pid)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard allowedStatuses.contains(status) else {
            throw Failure(command: command.joined(separator: " "), status: status, output: output)
        }
        return (status, output)
    }

    /// Starts a shell script in a session of its own that outlives this process.
    static func detach(script: String) throws {
        let pid = try spawn(["/usr/bin/setsid", "-f", "/bin/sh", "-c", script], outputPath: "/dev/null")
        _ = try wait(for: pid)
    }

    private static func spawn(_ command: [String], outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard code == 0 else {
            throw Failure(command: command.joined(separator: " "), status: -1, output: String(cString: strerror(code)))
        }
        return pid
    }

    private static func wait(for pid: pid_t) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw Failure(command: "waitpid", status: -1, output: String(cString: strerror(errno))) }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
