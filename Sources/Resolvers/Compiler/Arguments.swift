import GraphQL
import OrderedCollections

/// A field's arguments as the compiler reads them: every read gives a ``Parameter`` to bind,
/// never a value to print, so one compiled plan serves every request of the same shape.
struct Arguments: Sendable, Equatable {
    var values: [String: ArgumentValue]
    let dependencies: PlanDependencies

    init(_ values: [String: ArgumentValue] = [:], dependencies: PlanDependencies) {
        self.values = values
        self.dependencies = dependencies
    }

    /// Arguments are the same when the document asks the same (the same literals and variables).
    static func == (a: Arguments, b: Arguments) -> Bool { a.values == b.values }

    /// The values in this request, for the mutation executor.
    var resolved: [String: Map] { self.values.mapValues { $0.resolve(self.dependencies.variables) } }

    /// `name` converted by `convert`; nil when absent or null.
    func parameter<Value: Sendable>(_ name: String, _ convert: @escaping @Sendable (Map) throws -> Value?) throws -> Parameter<Value>? {
        guard let value = self.values[name] else { return nil }
        return try Parameter.argument(value, dependencies: self.dependencies) { map in
            map == .null || map == .undefined ? nil : try convert(map)
        }
    }

    /// An `ID` argument as a database id; a malformed id is bad input.
    func id(_ name: String) throws -> Parameter<Int>? { try self.parameter(name) { try ArgumentConversion.id($0, name) } }

    /// A list of `ID`s as database ids, bound whole as one array (at most 500).
    func ids(_ name: String) throws -> Parameter<[Int]>? {
        try self.parameter(name) { value in
            guard case .array(let items) = value else { return nil }
            guard items.count <= 500 else { throw QueryError.badInput("\(name) may list at most 500 ids") }
            return try items.map { item in
                guard let id = try ArgumentConversion.id(item, name) else { throw QueryError.badInput("\(name) lists an id that is not one") }
                return id
            }
        }
    }

    func int(_ name: String) throws -> Parameter<Int>? { try self.parameter(name, ArgumentConversion.int) }

    func bool(_ name: String) throws -> Parameter<Bool>? { try self.parameter(name, ArgumentConversion.bool) }

    func string(_ name: String) throws -> Parameter<String>? { try self.parameter(name) { $0.text } }

    /// An enum argument by its value's name (`NAME_ASC`, `CITY_DISTRICT`).
    func enumValue(_ name: String) throws -> Parameter<String>? { try self.parameter(name) { $0.text } }

    /// A list of enum values by their names, bound whole as one array.
    func enumValues(_ name: String) throws -> Parameter<[String]>? {
        try self.parameter(name) { value in
            guard case .array(let items) = value else { return nil }
            return items.compactMap(\.text)
        }
    }

    /// A `Date` argument, checked to be a real ISO-8601 calendar date.
    func date(_ name: String) throws -> Parameter<String>? { try self.parameter(name) { try ArgumentConversion.date($0, name) } }

    /// A `DateTime` argument, checked to be ISO-8601 with an offset.
    func dateTime(_ name: String) throws -> Parameter<String>? { try self.parameter(name) { try ArgumentConversion.dateTime($0, name) } }

    /// An input-object argument's fields; nil when absent or null (which the variable shape fixes).
    func object(_ name: String) -> Arguments? {
        guard let value = self.values[name], case .dictionary(let fields) = value.resolve(self.dependencies.variables) else { return nil }
        var members: [String: ArgumentValue] = [:]
        for key in fields.keys { members[key] = value.member(key) }
        return Arguments(members, dependencies: self.dependencies)
    }
}
