import Configuration
import Foundation
import Synchronization
import SystemPackage

/// EduQL's settings, read through swift-configuration: environment variables over an optional
/// file of `KEY=value` lines named by `EDUQL_CONFIG_FILE`. Every read names its key, its default
/// and what it accepts; a value outside that stops start-up with a ``ConfigurationError`` naming
/// the key. ``entries`` lists every key read so far, for `eduql config check`.
public final class Settings: Sendable {
    /// One key as read: its effective value (masked when secret) and its default.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: String?
        public var defaultValue: String
        public var accepts: String
        public var isSecret: Bool
    }

    private let reader: ConfigReader
    private let read = Mutex<[String: Entry]>([:])
    /// The `EDUQL_…` names set in the environment or the file.
    private let given: Set<String>

    /// Settings from `environment` alone (tests and the commands' own children).
    public convenience init(environment: [String: String]) {
        self.init(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)), given: Set(environment.keys))
    }

    private init(reader: ConfigReader, given: some Sequence<String>) {
        self.reader = reader
        self.given = Set(given.filter { $0.hasPrefix("EDUQL_") })
    }

    /// `EDUQL_…` variables of the scripts and the tests, not of the server.
    static let tooling: Set<String> = ["EDUQL_CONFIG_FILE", "EDUQL_BUILD", "EDUQL_TEST_LOG", "EDUQL_SCAN_LOG"]

    /// The `EDUQL_…` names that were set but that nothing read (a misspelt key, most likely),
    /// each with the read key it is closest to; call after the configuration is read.
    public var unknownKeys: [(key: String, closest: String?)] {
        let known = Set(self.read.withLock { Array($0.keys) })
        return self.given.subtracting(known).subtracting(Self.tooling).sorted().map { key in
            let closest = known.map { ($0, Self.distance(key, $0)) }.min { $0.1 < $1.1 }
            return (key, closest.flatMap { $0.1 <= 3 ? $0.0 : nil })
        }
    }

    /// Levenshtein distance, for "did you mean".
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }

    /// The process's settings: its environment, over `EDUQL_CONFIG_FILE` when that is set.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> Settings {
        let variables = EnvironmentVariablesProvider(environmentVariables: environment)
        guard let path = environment["EDUQL_CONFIG_FILE"], !path.isEmpty else {
            return Settings(reader: ConfigReader(provider: variables), given: environment.keys)
        }
        do {
            let file = try await EnvironmentVariablesProvider(environmentFilePath: FilePath(path))
            let names = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line -> String? in
                let text = line.trimmingCharacters(in: .whitespaces)
                guard !text.hasPrefix("#"), let equals = text.firstIndex(of: "=") else { return nil }
                return text[..<equals].trimmingCharacters(in: .whitespaces)
            }
            return Settings(reader: ConfigReader(providers: [variables, file]), given: Array(environment.keys) + names)
        } catch {
            throw ConfigurationError("EDUQL_CONFIG_FILE names a file that cannot be read as KEY=value lines: \(path) (\(error))")
        }
    }

    /// Every key read so far, by name.
    public var entries: [Entry] {
        self.read.withLock { $0.values.sorted { $0.key < $1.key } }
    }

    /// The text of `key` (an environment variable's name, such as `EDUQL_HOST`), or nil.
    public func text(_ key: String, default defaultValue: String = "unset", accepts: String, secret: Bool = false) -> String? {
        let value = self.reader.string(forKey: Self.configKey(key), isSecret: secret).flatMap { $0.isEmpty ? nil : $0 }
        self.read.withLock { $0[key] = Entry(key: key, value: value, defaultValue: defaultValue, accepts: accepts, isSecret: secret) }
        return value
    }

    /// `key` as an integer within `range`; `defaultValue` when unset.
    public func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>, unit: String = "") throws -> Int {
        let accepts = "an integer from \(range.lowerBound) to \(range.upperBound)" + (unit.isEmpty ? "" : " (\(unit))")
        guard let text = self.text(key, default: String(defaultValue), accepts: accepts) else { return defaultValue }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw ConfigurationError("\(key) must be \(accepts), not '\(text)'")
        }
        return value
    }

    /// `key` as `on` or `off`; `defaultValue` when unset.
    public func flag(_ key: String, default defaultValue: Bool) throws -> Bool {
        try self.choice(key, default: defaultValue ? "on" : "off", accepts: "on or off") { ["on": true, "off": false][$0] }
    }

    /// `key` parsed by `parse`, which returns nil for what it does not accept; `defaultValue`'s
    /// parse when unset.
    public func choice<Value>(_ key: String, default defaultValue: String, accepts: String, secret: Bool = false,
                              parse: (String) throws -> Value?) throws -> Value {
        let text = self.text(key, default: defaultValue, accepts: accepts, secret: secret)
        guard let value = try parse(text ?? defaultValue) else {
            throw ConfigurationError("\(key) must be \(accepts), not '\(secret ? "…" : text ?? defaultValue)'")
        }
        return value
    }

    /// swift-configuration's key for an environment variable's name: `EDUQL_PORT` is `eduql.port`.
    static func configKey(_ name: String) -> ConfigKey {
        ConfigKey(name.lowercased().split(separator: "_").map(String.init))
    }
}
