import Foundation

/// Writes one flat JSON object, member by member; nil values are left out.
struct JSONWriter {
    private var members: [String] = []

    var text: String { "{" + self.members.joined(separator: ",") + "}" }

    mutating func raw(_ key: String, _ value: String?) {
        if let value { self.members.append(Self.quoted(key) + ":" + value) }
    }

    mutating func string(_ key: String, _ value: String?) { self.raw(key, value.map(Self.quoted)) }
    mutating func int(_ key: String, _ value: Int?) { self.raw(key, value.map(String.init)) }
    mutating func number(_ key: String, _ value: Double?) { self.raw(key, value.map { $0.isFinite ? String($0) : "null" }) }
    mutating func strings(_ key: String, _ values: [String]) { self.raw(key, "[" + values.map(Self.quoted).joined(separator: ",") + "]") }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
