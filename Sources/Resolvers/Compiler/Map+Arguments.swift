import Foundation
import GraphQL
import OrderedCollections

/// Typed reads of coerced argument values.
extension Dictionary where Key == String, Value == Map {
    /// An `ID` argument as a database id; a malformed id is bad input.
    public func id(_ name: String) throws -> Int? {
        guard let value = self[name], let text = value.text else { return nil }
        guard let id = Int(text), id > 0 else { throw QueryError.badInput("\(name) is not a valid id") }
        return id
    }

    func int(_ name: String) -> Int? {
        if case .number(let number)? = self[name] { return number.intValue }
        return nil
    }

    func bool(_ name: String) -> Bool? {
        if case .bool(let value)? = self[name] { return value }
        return nil
    }

    func string(_ name: String) -> String? { self[name]?.text }

    /// An enum argument as the database spells it (`NAME_ASC` stays, `CITY_DISTRICT` → `city_district`).
    func enumValue(_ name: String) -> String? { self[name]?.text }

    /// An input-object argument.
    public func object(_ name: String) -> [String: Map]? {
        if case .dictionary(let fields)? = self[name] { return Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) }) }
        return nil
    }
}

extension Map {
    /// The text of a string (or of an id given as a number).
    public var text: String? {
        switch self {
        case .string(let text): text
        case .number(let number): String(number.intValue)
        default: nil
        }
    }
}

extension Dictionary where Key == String, Value == Map {
    /// A `Date` argument, checked to be a real ISO-8601 calendar date.
    func date(_ name: String) throws -> String? {
        guard let text = self[name]?.text else { return nil }
        guard DateScalar.isValidDate(text) else { throw QueryError.badInput("\(name) is not an ISO-8601 date (YYYY-MM-DD)") }
        return text
    }

    /// A `DateTime` argument, checked to be ISO-8601 with an offset.
    func dateTime(_ name: String) throws -> String? {
        guard let text = self[name]?.text else { return nil }
        guard DateScalar.isValidDateTime(text) else { throw QueryError.badInput("\(name) is not an ISO-8601 date-time") }
        return text
    }
}

extension Character {
    var isASCIIDigit: Bool { self.isASCII && self.isNumber }
}

/// Checks of the `Date` and `DateTime` scalars: ISO-8601, within what PostgreSQL's `date` and
/// `timestamptz` accept (years 0001–9999; PostgreSQL has no year 0).
enum DateScalar {
    static func isValidDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              parts[0].count == 4, parts[1].count == 2, parts[2].count == 2, (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, every field in range.
    static func isValidDateTime(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count >= 20, isValidDate(String(characters[0..<10])), characters[10] == "T" || characters[10] == "t" else { return false }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= characters.count, characters[range].allSatisfy(\.isASCIIDigit) else { return nil }
            return Int(String(characters[range]))
        }
        guard let hour = number(11..<13), characters[13] == ":", let minute = number(14..<16), characters[16] == ":",
              let second = number(17..<19), hour < 24, minute < 60, second < 60 else { return false }
        var index = 19
        if index < characters.count, characters[index] == "." {
            index += 1
            let digits = characters[index...].prefix { $0.isASCIIDigit }.count
            guard (1...9).contains(digits) else { return false }
            index += digits
        }
        guard index < characters.count else { return false }
        if characters[index] == "Z" || characters[index] == "z" { return index + 1 == characters.count }
        guard characters[index] == "+" || characters[index] == "-", characters.count == index + 6,
              let offsetHours = number((index + 1)..<(index + 3)), characters[index + 3] == ":",
              let offsetMinutes = number((index + 4)..<(index + 6)) else { return false }
        return offsetHours <= 15 && offsetMinutes < 60
    }
}
