import EduQLAccessControl

/// A SQL fragment of the catalog with places the compiler fills in: `{t}` the parent row's
/// alias, `{c}` the row's own, `{region}` the principal's region (a bound parameter) and
/// `{rows:table:alias}` the region's condition and the policy's predicate over a table's row.
/// Only the literal text has places, split out once when the template is made; an
/// interpolated value (a placeholder, an alias, a predicate already printed) stays text.
struct SQLTemplate: Sendable, ExpressibleByStringInterpolation {
    enum Part: Sendable {
        case text(String)
        case parent
        case child
        case region
        case rows(Table, alias: String)
    }

    private(set) var parts: [Part] = []

    private init() {}

    init(stringLiteral value: String) { self.init(parsing: value) }

    /// `text` with its places.
    init(parsing text: String) { self.appendLiteral(text) }

    /// The parts of `literal`; an unknown place is a mistake in the catalog's own text.
    static func parts(parsing literal: String) throws(TemplatePlaces.UnknownPlace) -> [Part] {
        try TemplatePlaces.pieces(of: literal).map { piece throws(TemplatePlaces.UnknownPlace) in
            switch piece {
            case .text(let text): return .text(String(text))
            case .place("t"): return .parent
            case .place("c"): return .child
            case .place("region"): return .region
            case .place(let name):
                let words = name.split(separator: ":", omittingEmptySubsequences: false)
                guard words.count == 3, words[0] == "rows", let table = Table(rawValue: String(words[1])), !words[2].isEmpty else {
                    throw TemplatePlaces.UnknownPlace(name, in: literal)
                }
                return .rows(table, alias: String(words[2]))
            }
        }
    }

    init(stringInterpolation: Interpolation) { self = stringInterpolation.template }

    /// `text` as it is, without places.
    init(verbatim text: String) { self.append(.text(text)) }

    mutating func append(_ part: Part) {
        if case .text(let more) = part, case .text(let text)? = self.parts.last {
            self.parts[self.parts.count - 1] = .text(text + more)
        } else {
            self.parts.append(part)
        }
    }

    mutating func appendLiteral(_ literal: String) {
        do {
            try Self.parts(parsing: literal).forEach { self.append($0) }
        } catch {
            preconditionFailure("the catalog's SQL: \(error)")
        }
    }

    struct Interpolation: StringInterpolationProtocol {
        fileprivate var template = SQLTemplate()

        init(literalCapacity: Int, interpolationCount: Int) {}

        mutating func appendLiteral(_ literal: String) { self.template.appendLiteral(literal) }

        /// Text as it is: a placeholder, an alias, SQL already printed. Text that still has
        /// places is a catalog mistake (they would reach PostgreSQL unfilled): interpolate an
        /// ``SQLTemplate`` instead.
        mutating func appendInterpolation(_ text: String) {
            precondition(!TemplatePlaces.hasPlaces(text),
                         "interpolated SQL with places: \(text)")
            self.template.append(.text(text))
        }

        mutating func appendInterpolation(_ number: Int) { self.template.append(.text(String(number))) }

        /// Another template's parts, places and all.
        mutating func appendInterpolation(_ other: SQLTemplate) { other.parts.forEach { self.template.append($0) } }
    }
}

extension [SQLTemplate] {
    /// The templates one after another, `separator` between them.
    func joined(separator: String) -> SQLTemplate {
        var joined = SQLTemplate(verbatim: "")
        for (index, template) in self.enumerated() {
            if index > 0 { joined.append(.text(separator)) }
            template.parts.forEach { joined.append($0) }
        }
        return joined
    }
}
