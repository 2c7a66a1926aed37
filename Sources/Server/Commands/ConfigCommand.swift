import ArgumentParser
import Foundation

/// `eduql config check`: reads every setting as `eduql serve` would and prints the effective
/// configuration, secrets masked; an invalid value is named with what it accepts, and an
/// `EDUQL_…` variable that nothing reads (a misspelt key) with the key it is closest to: exit 1.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check the configuration.", subcommands: [Check.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check", abstract: "Print the effective configuration (secrets masked), or what is invalid.")

        func run() async throws {
            let settings: Settings
            do {
                settings = try await Settings.load()
                _ = try EduQLConfiguration(settings: settings)
            } catch let error as ConfigurationError {
                FileHandle.standardError.write(Data("invalid configuration: \(error)\n".utf8))
                throw ExitCode(1)
            }
            print(Self.table(settings.entries))
            let unknown = settings.unknownKeys
            guard unknown.isEmpty else {
                for (key, closest) in unknown {
                    FileHandle.standardError.write(Data("unknown setting \(key)\(closest.map { " (did you mean \($0)?)" } ?? "")\n".utf8))
                }
                throw ExitCode(1)
            }
        }

        /// One line per key: its effective value (or `(default)`), and what it accepts.
        static func table(_ entries: [Settings.Entry]) -> String {
            let width = entries.map(\.key.count).max() ?? 0
            return entries.map { entry in
                let shown = entry.value.map { entry.isSecret ? Self.masked($0) : $0 } ?? "\(entry.defaultValue) (default)"
                return entry.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + shown + "    # " + entry.accepts
            }.joined(separator: "\n")
        }

        /// A URL with its password replaced, or a secret replaced whole.
        static func masked(_ secret: String) -> String {
            if var url = URLComponents(string: secret), url.scheme != nil, url.host != nil {
                if url.password != nil { url.password = "****" }
                return url.string ?? "****"
            }
            return "**** (set, \(secret.count) characters)"
        }
    }
}
