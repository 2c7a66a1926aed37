/// One column of a sheet: its documented English name (the database's key and the export's
/// header), the Russian headers accepted for it, what it holds, and whether a row needs it.
public struct Column: Sendable {
    public var name: String
    public var aliases: [String]
    public var kind: ValueKind
    public var required: Bool

    init(_ name: String, _ aliases: [String], _ kind: ValueKind, required: Bool = false) {
        self.name = name
        self.aliases = aliases.map(Header.fold)
        self.kind = kind
        self.required = required
    }
}

/// Header and value matching: case, `ё`, spaces and underscores do not matter.
enum Header {
    static func fold(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}")))
            .lowercased()
            .replacingOccurrences(of: "ё", with: "е")
            .split(whereSeparator: { $0 == " " || $0 == "_" }).joined(separator: " ")
    }
}

import Foundation
