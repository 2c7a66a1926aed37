import GraphQL
import NIOCore
import PostgresNIO

/// Accumulates one statement's parameters and fresh aliases while the compiler prints SQL.
/// The text gets only placeholders; each parameter is a slot that finds its value in a request.
struct SQLBuilder {
    /// Finds one parameter's value in a request.
    typealias Slot = @Sendable (PlanInputs) throws -> PostgresData

    private(set) var slots: [Slot] = []
    private var aliases = 0

    /// The placeholder of every parameter, as printed (`$1::int8`).
    private(set) var placeholders: [String] = []
    /// Whether every parameter's type is named in the text, so that the statement can be
    /// prepared without naming the parameters' types separately.
    private(set) var preparable = true

    /// A placeholder for `parameter`. The placeholder carries a cast to the value's own type:
    /// PostgreSQL then reads the parameter as that type whether the statement is prepared or not.
    mutating func bind<Value: PostgresEncodable & Sendable>(_ parameter: Parameter<Value>) -> String {
        let derive = parameter.derive
        self.slots.append { inputs in Self.data(try derive(inputs)) }
        let number = self.slots.count
        guard let type = Self.typeNames[Value.psqlType] else {
            self.preparable = false
            self.placeholders.append("$\(number)")
            return "$\(number)"
        }
        self.placeholders.append("$\(number)::\(type)")
        return "$\(number)::\(type)"
    }

    /// A placeholder for a value the same in every request of the document.
    mutating func bind<Value: PostgresEncodable & Sendable>(_ value: Value) -> String {
        let data = Self.data(value)
        let placeholder = self.bind(Parameter<Value>.constant(value))
        self.slots[self.slots.count - 1] = { _ in data }
        return placeholder
    }

    /// This request's values of every parameter, in order.
    func values(_ inputs: PlanInputs) throws -> [PostgresData] {
        try self.slots.map { try $0(inputs) }
    }

    static func data<Value: PostgresEncodable>(_ value: Value) -> PostgresData {
        var buffer = ByteBuffer()
        try! value.encode(into: &buffer, context: .default)  // ids, dates, text and bytes encode without fail
        return PostgresData(type: Value.psqlType, formatCode: Value.psqlFormat, value: buffer)
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
