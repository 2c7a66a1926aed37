import GraphQL
import OrderedCollections

/// The shape of a request's variables: which are absent, null or given, the members of input
/// objects likewise, and of lists their length class. Everything the compiler decides by
/// presence alone is decided by the shape, so a plan is cached per shape; the values it
/// decides by are recorded as the plan's ``PlanDependencies``.
struct VariableShape: Sendable, Hashable {
    let text: String

    init(_ variables: [String: Map], names: [String]) {
        var text = ""
        for name in names {
            text += name + "="
            Self.describe(variables[name] ?? .undefined, into: &text)
            text += ";"
        }
        self.text = text
    }

    private static func describe(_ value: Map, into text: inout String) {
        switch value {
        case .undefined: text += "-"
        case .null: text += "0"
        case .dictionary(let fields):
            text += "{"
            for key in fields.keys.sorted() {
                text += key + ":"
                describe(fields[key]!, into: &text)
                text += ","
            }
            text += "}"
        case .array(let items):
            text += "[\(Self.lengthClass(items.count))]"
        default: text += "v"
        }
    }

    /// Lists are bound whole, as arrays: their length matters to the plan only by its class.
    static func lengthClass(_ count: Int) -> String {
        switch count {
        case 0: "0"
        case 1: "1"
        case 2...16: "few"
        default: "many"
        }
    }
}
