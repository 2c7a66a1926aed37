import Foundation
import GraphQL
import PostgresNIO

/// The values of one row to write: the SELECT list of an insert (`$n::type AS column`), or the
/// JSON object of an update's changes. Values are bound only when the SELECT list is printed,
/// so an update binds nothing it does not use (an unused NULL parameter has no type).
struct RowValues {
    let statement: WriteStatement
    private(set) var columns: [String] = []
    private var selected: [(WriteStatement) -> String] = []
    private(set) var changes: [String: Any] = [:]

    init(_ statement: WriteStatement) {
        self.statement = statement
    }

    /// Sets `column` to `value` (nil: NULL), cast to `type`.
    mutating func set<Value: PostgresNonThrowingEncodable>(_ column: String, _ value: Value?, _ type: String) {
        self.columns.append(column)
        self.selected.append { statement in "\(statement.bind(value, type)) AS \(column)" }
        self.changes[column] = value.map { $0 as Any } ?? NSNull()
    }

    /// Sets `column` only when `value` is given: for updates of the fields an input names.
    mutating func change<Value: PostgresNonThrowingEncodable>(_ column: String, _ value: Value?, _ type: String) {
        if let value { self.set(column, value, type) }
    }

    /// The SELECT list, its values bound on the statement: print it once, into the statement's SQL.
    func selectList() -> String { self.selected.map { $0(self.statement) }.joined(separator: ", ") }
}

/// Checked reads of input values beside ``Dictionary/requiredID(_:at:)``: each names its path.
extension Dictionary where Key == String, Value == Map {
    /// An optional ISO-8601 date.
    func optionalDate(_ name: String, at path: String) throws -> String? {
        guard let value = self[name], value != .null else { return nil }
        return try self.date(name, at: path)
    }

    /// A number in `range`, nil when absent.
    func number(_ name: String, at path: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let value = self[name], value != .null else { return nil }
        guard case .number(let number) = value, range.contains(number.doubleValue) else {
            throw WriteRefusal.invalid("\(path)\(name) must be a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number.doubleValue
    }

    /// An enum value, lower-cased as the database spells it; nil when absent.
    func enumeration(_ name: String, at path: String, in allowed: Set<String>, required: Bool = false) throws -> String? {
        guard let value = self[name], value != .null else {
            if required { throw WriteRefusal.invalid("\(path)\(name) is required") }
            return nil
        }
        guard let text = value.text?.lowercased(), allowed.contains(text) else { throw WriteRefusal.invalid("\(path)\(name) is not one of its values") }
        return text
    }

    /// A Boolean, nil when absent.
    func flag(_ name: String) -> Bool? {
        if case .bool(let value)? = self[name] { return value }
        return nil
    }

    /// A list of input objects, each with its path; empty when absent.
    func objects(_ name: String, at path: String, count: ClosedRange<Int> = 0...500) throws -> [(fields: [String: Map], path: String)] {
        guard let value = self[name], value != .null else {
            if count.lowerBound > 0 { throw WriteRefusal.invalid("\(path)\(name) is required") }
            return []
        }
        guard case .array(let items) = value, count.contains(items.count) else {
            throw WriteRefusal.invalid("\(path)\(name) must list \(count.lowerBound) to \(count.upperBound) items")
        }
        return try items.enumerated().map { index, item in
            guard case .dictionary(let fields) = item else { throw WriteRefusal.invalid("\(path)\(name)[\(index)] must be an object") }
            return (Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) }), "\(path)\(name)[\(index)].")
        }
    }
}
