import GraphQL
import OrderedCollections

/// An argument as the document writes it: a literal, a variable, or an object or list that
/// may hold variables. The compiler keeps the variables as variables, so that a compiled plan
/// can be bound to the values of another request.
indirect enum ArgumentValue: Sendable, Hashable {
    /// A value written in the document (or an argument's default): the same in every request.
    case literal(Map)
    /// The value of a variable, or of a member of one.
    case variable(VariablePath)
    case object(OrderedDictionary<String, ArgumentValue>)
    case list([ArgumentValue])

    /// The value in a request with these coerced variables.
    func resolve(_ variables: [String: Map]) -> Map {
        switch self {
        case .literal(let value): value
        case .variable(let path): path.value(in: variables)
        case .object(let fields): .dictionary(fields.mapValues { $0.resolve(variables) })
        case .list(let items): .array(items.map { $0.resolve(variables) })
        }
    }

    /// The variables the value is read from.
    var paths: [VariablePath] {
        switch self {
        case .literal: []
        case .variable(let path): [path]
        case .object(let fields): fields.values.flatMap(\.paths)
        case .list(let items): items.flatMap(\.paths)
        }
    }

    /// The value of the member `name` of this (object) value, given its value in this request.
    func member(_ name: String) -> ArgumentValue? {
        switch self {
        case .variable(let path): .variable(path.appending(.key(name)))
        case .object(let fields): fields[name]
        case .literal(.dictionary(let fields)): fields[name].map(ArgumentValue.literal)
        default: nil
        }
    }
}

/// A variable, or a member or element inside one (`$filter.classId`).
struct VariablePath: Sendable, Hashable, CustomStringConvertible {
    enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    var name: String
    var steps: [Step] = []

    func appending(_ step: Step) -> VariablePath {
        VariablePath(name: self.name, steps: self.steps + [step])
    }

    /// The value at this path; `.undefined` where the path leads nowhere.
    func value(in variables: [String: Map]) -> Map {
        var value = variables[self.name] ?? .undefined
        for step in self.steps {
            switch (step, value) {
            case (.key(let key), .dictionary(let fields)): value = fields[key] ?? .undefined
            case (.index(let index), .array(let items)) where items.indices.contains(index): value = items[index]
            default: return .undefined
            }
        }
        return value
    }

    var description: String {
        "$" + self.name + self.steps.map { step in
            switch step {
            case .key(let key): "." + key
            case .index(let index): "[\(index)]"
            }
        }.joined()
    }
}
