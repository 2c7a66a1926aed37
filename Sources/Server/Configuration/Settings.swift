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

    /// Settings from `environment` alone (tests and the commands' own children).
    public init(environment: [String: String]) {
        self.reader = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment))
    }

    private init(reader: ConfigReader) {
        self.reader = reader
    }

    /// The process's settings: its environment, over `EDUQL_CONFIG_FILE` when that is set.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> Settings {
        let variables = EnvironmentVariablesProvider(environmentVariables: environment)
        guard let path = environment["EDUQL_CONFIG_FILE"], !path.isEmpty else { return Settings(reader: ConfigReader(provider: variables)) }
        do {
            let file = try await EnvironmentVariablesProvider(environmentFilePath: FilePath(path))
            return Settings(reader: ConfigReader(providers: [variables, file]))
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
