/// JSON text for the rows sent to the database, written directly (string values only).
enum JSONText {
    static func object(_ pairs: [(String, String?)]) -> String {
        var text = "{"
        for (index, (key, value)) in pairs.enumerated() {
            if index > 0 { text += "," }
            text += Self.string(key) + ":" + (value.map(Self.string) ?? "null")
        }
        return text + "}"
    }

    static func string(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case let c where c.value < 0x20: text += String(format: "\\u%04x", c.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}

import Foundation
