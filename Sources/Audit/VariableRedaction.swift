import Foundation

/// Removes secrets from request variables before they are audited: the value of every key that
/// names a password, secret or token, at any depth.
public enum VariableRedaction {
    static let secretWords = ["password", "secret", "token", "passwd"]

    /// `json` with secrets replaced by `"[redacted]"`; nil when it is not JSON.
    public static func redacted(_ json: Data) -> Data? {
        // Most requests carry no such key: leave them as they are.
        let lowered = String(decoding: json, as: UTF8.self).lowercased()
        guard secretWords.contains(where: lowered.contains) else { return json }
        guard let value = try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]) else { return nil }
        return try? JSONSerialization.data(withJSONObject: self.redact(value), options: [.fragmentsAllowed, .sortedKeys])
    }

    static func redact(_ value: Any) -> Any {
        switch value {
        case let object as [String: Any]:
            var result: [String: Any] = [:]
            for (key, item) in object {
                let lowered = key.lowercased()
                result[key] = secretWords.contains(where: lowered.contains) ? "[redacted]" : redact(item)
            }
            return result
        case let list as [Any]:
            return list.map(redact)
        default:
            return value
        }
    }
}
