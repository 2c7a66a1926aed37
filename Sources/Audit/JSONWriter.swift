import Foundation

/// Writes one flat JSON object, member by member; nil values are left out.
public struct JSONWriter {
    private var members: [String] = []

    var text: String { "{" + self.members.joined(separator: ",") + "}" }

    mutating func raw(_ key: String, _ value: String?) {
        if let value { self.members.append(Self.quoted(key) + ":" + value) }
    }

    mutating func string(_ key: String, _ value: String?) { self.raw(key, value.map(Self.quoted)) }
    mutating func int(_ key: String, _ value: Int?) { self.raw(key, value.map(String.init)) }
    mutating func number(_ key: String, _ value: Double?) { self.raw(key, value.map { $0.isFinite ? String($0) : "null" }) }
    mutating func strings(_ key: String, _ values: [String]) { self.raw(key, "[" + values.map(Self.quoted).joined(separator: ",") + "]") }

    /// JSON text as jsonb can store it: every `\u0000` escape (U+0000, which jsonb refuses)
    /// becomes `\ufffd`, the replacement character; the rest is unchanged.
    static func storable(_ json: String) -> String {
        guard json.contains("\\u0000") else { return json }
        let bytes = Array(json.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                result.append(bytes[index])
                index += 1
                continue
            }
            if bytes[index + 1] == UInt8(ascii: "u"), index + 5 < bytes.count, Array(bytes[(index + 2)...(index + 5)]) == Array("0000".utf8) {
                result += Array("\\ufffd".utf8)
                index += 6
            } else {
                // An escape of two characters (\\, \", \n …) or the start of another \uXXXX.
                result += bytes[index...(index + 1)]
                index += 2
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// A JSON string literal.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{0}": result += "\\ufffd"  // jsonb cannot hold U+0000: recorded as the replacement character
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
