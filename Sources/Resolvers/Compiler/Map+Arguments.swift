import Foundation
import GraphQL

/// Conversions of coerced argument values to what the database stores.
enum ArgumentConversion {
    /// An `ID` as a database id; a malformed id is bad input.
    static func id(_ value: Map, _ name: String) throws -> Int? {
        guard let text = value.text else { return nil }
        guard let id = Int(text), id > 0 else { throw QueryError.badInput("\(name) is not a valid id") }
        return id
    }

    @Sendable static func int(_ value: Map) -> Int? {
        if case .number(let number) = value { return number.intValue }
        return nil
    }

    @Sendable static func bool(_ value: Map) -> Bool? {
        if case .bool(let flag) = value { return flag }
        return nil
    }

    static func date(_ value: Map, _ name: String) throws -> String? {
        guard let text = value.text else { return nil }
        guard DateScalar.isValidDate(text) else { throw QueryError.badInput("\(name) is not an ISO-8601 date (YYYY-MM-DD)") }
        return text
    }

    static func dateTime(_ value: Map, _ name: String) throws -> String? {
        guard let text = value.text else { return nil }
        guard DateScalar.isValidDateTime(text) else { throw QueryError.badInput("\(name) is not an ISO-8601 date-time") }
        return text
    }
}

/// Typed reads of coerced argument values, for the mutation executor.
extension Dictionary where Key == String, Value == Map {
    /// An `ID` argument as a database id; a malformed id is bad input.
    public func id(_ name: String) throws -> Int? {
        try self[name].flatMap { try ArgumentConversion.id($0, name) }
    }

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
