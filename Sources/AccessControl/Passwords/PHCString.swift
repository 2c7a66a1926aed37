/// The parts of an Argon2id PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`.
public struct PHCString: Sendable, Equatable {
    public var version: UInt32
    public var parameters: Argon2Parameters
    /// Salt and tag as their unpadded Base64 text.
    public var salt: Substring
    public var hash: Substring

    /// Parses an Argon2id PHC string; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].isEmpty, parts[1] == "argon2id", parts[2].hasPrefix("v="),
              let version = UInt32(parts[2].dropFirst(2))
        else { return nil }
        var values: [Substring: UInt32] = [:]
        for pair in parts[3].split(separator: ",") {
            let keyValue = pair.split(separator: "=", maxSplits: 1)
            guard keyValue.count == 2, let value = UInt32(keyValue[1]) else { return nil }
            values[keyValue[0]] = value
        }
        guard values.count == 3, let m = values["m"], let t = values["t"], let p = values["p"],
              !parts[4].isEmpty, !parts[5].isEmpty
        else { return nil }
        self.version = version
        self.parameters = Argon2Parameters(memoryKiB: m, iterations: t, parallelism: p)
        self.salt = parts[4]
        self.hash = parts[5]
    }
}
