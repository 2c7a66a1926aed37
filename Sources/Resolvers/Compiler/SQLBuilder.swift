import GraphQL
import NIOCore
import PostgresNIO

/// Accumulates one statement's bind values and fresh aliases while the compiler prints SQL.
struct SQLBuilder {
    private(set) var bindings = PostgresBindings()
    /// The same values as the prepared-statement API takes them.
    private(set) var parameters: [PostgresData] = []
    private var aliases = 0

    /// The placeholder of every parameter, as printed (`$1::int8`).
    private(set) var placeholders: [String] = []
    /// Whether every parameter's type is named in the text, so that the statement can be
    /// prepared without naming the parameters' types separately.
    private(set) var preparable = true

    /// A placeholder for `value`, bound as a parameter (never printed into the text). The
    /// placeholder carries a cast to the value's own type: PostgreSQL then reads the parameter
    /// as that type whether the statement is prepared or not.
    mutating func bind<Value: PostgresEncodable & Sendable>(_ value: Value) -> String {
        try! self.bindings.append(value)  // encoding ids, dates and text cannot fail
        var buffer = ByteBuffer()
        try! value.encode(into: &buffer, context: .default)
        self.parameters.append(PostgresData(type: Value.psqlType, formatCode: Value.psqlFormat, value: buffer))
        guard let type = Self.typeNames[Value.psqlType] else {
            self.preparable = false
            self.placeholders.append("$\(self.bindings.count)")
            return "$\(self.bindings.count)"
        }
        self.placeholders.append("$\(self.bindings.count)::\(type)")
        return "$\(self.bindings.count)::\(type)"
    }

    /// SQL names of the parameter types the compiler binds.
    static let typeNames: [PostgresDataType: String] = [
        .int8: "int8", .int4: "int4", .int2: "int2", .text: "text", .varchar: "varchar", .bytea: "bytea", .bool: "bool",
        .float8: "float8", .date: "date", .timestamptz: "timestamptz", .uuid: "uuid", .int8Array: "int8[]", .textArray: "text[]",
    ]

    /// A new table alias, unique in the statement.
    mutating func alias() -> String {
        self.aliases += 1
        return "r\(self.aliases)"
    }
}
