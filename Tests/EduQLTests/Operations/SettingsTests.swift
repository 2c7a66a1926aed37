import EduQLResolvers
@testable import EduQLServer
import Foundation
import Testing

/// One configuration: every key read through ``Settings``, each documented, each refused
/// outside what it accepts with a message naming it.
@Suite("Settings")
struct SettingsTests {
    /// Every key `eduql serve` reads, with what it accepts, as read with nothing set.
    static let entries: [Settings.Entry] = {
        let settings = Settings(environment: [:])
        _ = try? EduQLConfiguration(settings: settings)
        return settings.entries
    }()

    @Test("every key the server reads is in the README's table with its default")
    func everyKeyIsDocumented() throws {
        let readme = try String(contentsOfFile: "README.md", encoding: .utf8)
        #expect(Self.entries.count >= 30)
        for entry in Self.entries {
            let row = readme.split(separator: "\n").first { $0.hasPrefix("| `\(entry.key)`") }
            #expect(row != nil, "\(entry.key) is not documented in README.md's configuration table")
            if let row { #expect(row.contains("`\(entry.defaultValue)`"), "README.md gives \(entry.key) a default other than \(entry.defaultValue)") }
        }
        // And nothing documented is read nowhere.
        let documented = readme.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `"), let end = line.dropFirst(3).firstIndex(of: "`") else { return nil }
            let key = String(line[line.index(line.startIndex, offsetBy: 3)..<end])
            return key.allSatisfy { $0.isUppercase || $0 == "_" || $0.isNumber } && key.contains("_") ? key : nil
        }
        let read = Set(Self.entries.map(\.key)).union(["EDUQL_CONFIG_FILE"])
        #expect(Set(documented).subtracting(read).isEmpty, "documented but never read: \(Set(documented).subtracting(read))")
    }

    @Test("every integer key refuses values below, above and beside its range, naming the key and the range")
    func integersOutOfRange() throws {
        let ranged = Self.entries.filter { $0.accepts.hasPrefix("an integer from ") }
        #expect(ranged.count >= 15)
        for entry in ranged {
            let bounds = entry.accepts.dropFirst("an integer from ".count).split(separator: " ")
            let low = try #require(Int(bounds[0])), high = try #require(Int(bounds[2]))
            for bad in [String(low - 1), String(high + 1), "12abc", "1.5", " "] where !(bad == " ") {
                #expect { try EduQLConfiguration(settings: Settings(environment: [entry.key: bad])) } throws: { error in
                    let text = "\(error)"
                    return error is ConfigurationError && text.contains(entry.key) && text.contains("from \(low) to \(high)")
                }
            }
            // Both ends are accepted.
            for good in [low, high] {
                #expect(throws: Never.self, "\(entry.key)=\(good)") { try EduQLConfiguration(settings: Settings(environment: [entry.key: String(good)])) }
            }
        }
    }

    @Test("every other key refuses what it does not accept, naming the key")
    func choicesRefused() throws {
        let bad: [String: String] = [
            "EDUQL_AUDIT": "yes", "EDUQL_PLAN_CACHE": "1", "LOG_LEVEL": "loud", "EDUQL_LOG_FORMAT": "xml",
            "EDUQL_METRICS_TOKEN": "short", "OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318", "DATABASE_URL": "mysql://x@y/z",
            "EDUQL_OWNER_DATABASE_URL": "nonsense", "EDUQL_TRUSTED_DOCUMENTS_ONLY": "parent,root",
            "EDUQL_RATE_LIMIT_ADDRESS": "fast", "EDUQL_RATE_LIMIT_USER": "10", "EDUQL_RATE_LIMIT_CLIENT": "0/0",
            "EDUQL_FEDERATION_PROVIDERS": "keycloak", "EDUQL_PUBLIC_URL": "ftp://eduql.example/path",
        ]
        for (key, value) in bad {
            #expect { try EduQLConfiguration(settings: Settings(environment: [key: value])) } throws: { error in
                error is ConfigurationError && "\(error)".contains(key) && !"\(error)".isEmpty
            }
        }
        // Providers a relying party must not trust: an issuer over plain http elsewhere than on
        // loopback, `none` or an HMAC among the algorithms, an e-mail as the person's claim, two
        // providers of one id; a refused provider's secret is not echoed.
        let good = #"{"id": "kc", "region": "35", "issuer": "https://id.example/realms/edu", "clientId": "eduql", "clientSecret": "s3cr3t-value""#
        for provider in [#"{"id": "kc", "region": "35", "issuer": "http://id.example", "clientId": "eduql", "clientSecret": "s3cr3t-value"}"#,
                         good + #", "algorithms": ["none"]}"#, good + #", "algorithms": ["HS256"]}"#, good + #", "snilsClaim": "email"}"#,
                         good + "}, " + good + "}", #"{"id": "Bad Id", "region": "35", "issuer": "https://id.example", "clientId": "e", "clientSecret": "s3cr3t-value"}"#] {
            #expect { try EduQLConfiguration(settings: Settings(environment: ["EDUQL_FEDERATION_PROVIDERS": "[\(provider)]"])) } throws: { error in
                error is ConfigurationError && "\(error)".contains("EDUQL_FEDERATION_PROVIDERS") && !"\(error)".contains("s3cr3t-value")
            }
        }
        let accepted = try EduQLConfiguration(settings: Settings(environment: ["EDUQL_FEDERATION_PROVIDERS": "[\(good)}]",
                                                                              "EDUQL_PUBLIC_URL": "https://eduql.example/"]))
        #expect(accepted.server.federation.providers.map(\.issuer) == ["https://id.example/realms/edu"])
        #expect(accepted.server.federation.publicURL == "https://eduql.example")
        // A secret that is refused is not echoed back.
        #expect { try EduQLConfiguration(settings: Settings(environment: ["EDUQL_METRICS_TOKEN": "hunter2"])) } throws: {
            !"\($0)".contains("hunter2")
        }
    }

    @Test("a misspelt EDUQL_ key is named with the key it is closest to; config check exits 1 on it")
    func misspeltKeys() async throws {
        let settings = Settings(environment: ["EDUQL_PROT": "9000", "EDUQL_SHUTDOWN_GRACE_SECOND": "5", "EDUQL_AUDIT": "on",
                                              "EDUQL_TEST_LOG": "/tmp/x", "EDUQL_COMPLETELY_DIFFERENT": "1", "HOME": "/root"])
        _ = try EduQLConfiguration(settings: settings)
        let unknown = Dictionary(uniqueKeysWithValues: settings.unknownKeys.map { ($0.key, $0.closest ?? "") })
        #expect(unknown == ["EDUQL_PROT": "EDUQL_PORT", "EDUQL_SHUTDOWN_GRACE_SECOND": "EDUQL_SHUTDOWN_GRACE_SECONDS",
                            "EDUQL_COMPLETELY_DIFFERENT": ""])
        let check = try await runCommand(ServeProcessTests.executable, ["config", "check"], environment: ["EDUQL_MAX_COTS": "500"])
        #expect(check.status == 1)
        #expect(check.output.contains("unknown setting EDUQL_MAX_COTS (did you mean EDUQL_MAX_COST?)"))
    }

    @Test("a file of KEY=value lines (EDUQL_CONFIG_FILE) is read under the environment")
    func configurationFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-settings-\(getpid()).env").path
        try "# EduQL\nEDUQL_PORT=9100\nEDUQL_MAX_COST=500\nEDUQL_AUDIT=off\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = try await Settings.load(environment: ["EDUQL_CONFIG_FILE": path, "EDUQL_MAX_COST": "700"])
        let configuration = try EduQLConfiguration(settings: settings)
        #expect(configuration.server.port == 9100)
        #expect(configuration.server.limits.maxCost == 700)
        #expect(configuration.server.audit == false)
        await #expect(throws: ConfigurationError.self) { try await Settings.load(environment: ["EDUQL_CONFIG_FILE": path + ".missing"]) }
    }

    @Test("eduql config check prints every key with its effective value, secrets masked; an invalid one exits 1 naming it")
    func configCheck() async throws {
        let secret = "s3cret-password-nobody-may-see"
        let run = try await runCommand(ServeProcessTests.executable, ["config", "check"], environment: [
            "DATABASE_URL": "postgres://eduql_app:\(secret)@db.internal:5432/eduql", "EDUQL_METRICS_TOKEN": secret, "EDUQL_PORT": "9001",
        ])
        #expect(run.status == 0)
        #expect(!run.output.contains(secret))
        #expect(run.output.contains("postgres://eduql_app:****@db.internal:5432/eduql"))
        #expect(run.output.contains("EDUQL_PORT") && run.output.contains("9001"))
        for entry in Self.entries { #expect(run.output.contains(entry.key), "\(entry.key) missing from config check") }
        let invalid = try await runCommand(ServeProcessTests.executable, ["config", "check"], environment: ["EDUQL_SHUTDOWN_GRACE_SECONDS": "0"])
        #expect(invalid.status == 1)
        #expect(invalid.output.contains("EDUQL_SHUTDOWN_GRACE_SECONDS must be an integer from 1 to 300"))
        let serve = try await runCommand(ServeProcessTests.executable, ["serve"], environment: ["EDUQL_MAX_PAGE_SIZE": "1000", "DATABASE_URL": "postgres://x@127.0.0.1:1/x"])
        #expect(serve.status != 0)
        #expect(serve.output.contains("EDUQL_MAX_PAGE_SIZE must be an integer from 1 to 500"))
    }
}

/// Runs a command to its end with extra environment variables: its exit status and output.
func runCommand(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
    try Subprocess.run("/usr/bin/env", environment.map { "\($0.key)=\($0.value)" } + [executable] + arguments, allowedStatuses: Set(0...255))
}
