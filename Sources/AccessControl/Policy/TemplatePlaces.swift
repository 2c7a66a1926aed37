/// Splits a SQL template of policy or catalog data into its text and its places: a place is
/// a name in braces (`{t}`, `{region}`, `{rows:lessons:l}`: letters, digits, `_` and `:`); any
/// other brace is text (`'{}'::jsonb`). Templates are split once, when they are made, and
/// printed by joining typed parts, never by searching and replacing text.
public enum TemplatePlaces {
    /// A place that nothing fills: a mistake in the policy's or the catalog's own text.
    public struct UnknownPlace: Error, Equatable, CustomStringConvertible {
        public let place: String
        public let template: String

        public init(_ place: some StringProtocol, in template: String) {
            self.place = String(place)
            self.template = template
        }

        public var description: String { "unknown place {\(self.place)} in \(self.template)" }
    }

    public enum Piece: Equatable, Sendable {
        case text(Substring)
        case place(Substring)
    }

    /// The template's pieces, in order.
    public static func pieces(of template: String) -> [Piece] {
        var pieces: [Piece] = []
        var textStart = template.startIndex
        var index = template.startIndex
        while let open = template[index...].firstIndex(of: "{") {
            let nameStart = template.index(after: open)
            let nameEnd = template[nameStart...].firstIndex { !Self.isNameCharacter($0) } ?? template.endIndex
            guard nameEnd > nameStart, nameEnd < template.endIndex, template[nameEnd] == "}" else {
                index = nameStart
                continue
            }
            if textStart < open { pieces.append(.text(template[textStart..<open])) }
            pieces.append(.place(template[nameStart..<nameEnd]))
            textStart = template.index(after: nameEnd)
            index = textStart
        }
        if textStart < template.endIndex { pieces.append(.text(template[textStart...])) }
        return pieces
    }

    /// Whether `text` has any place.
    public static func hasPlaces(_ text: String) -> Bool {
        Self.pieces(of: text).contains { if case .place = $0 { true } else { false } }
    }

    static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == ":")
    }
}
