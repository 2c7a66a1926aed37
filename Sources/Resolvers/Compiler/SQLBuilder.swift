import GraphQL
import PostgresNIO

/// Accumulates one statement's bind values and fresh aliases while the compiler prints SQL.
struct SQLBuilder {
    private(set) var bindings = PostgresBindings()
    private var aliases = 0

    /// A placeholder for `value`, bound as a parameter (never printed into the text).
    mutating func bind<Value: PostgresEncodable & Sendable>(_ value: Value) -> String {
        try! self.bindings.append(value)  // encoding ids, dates and text cannot fail
        return "$\(self.bindings.count)"
    }

    /// A new table alias, unique in the statement.
    mutating func alias() -> String {
        self.aliases += 1
        return "r\(self.aliases)"
    }
}
