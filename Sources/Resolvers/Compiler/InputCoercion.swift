import Foundation
import GraphQL
import OrderedCollections

/// Coerces argument literals and variable values to the schema's input types, as the spec's
/// CoerceArgumentValues and CoerceVariableValues do, for the scalars EduQL uses.
enum InputCoercion {
    /// A variable's JSON value against its declared type; `inputFields` holds the input object
    /// types' fields resolved once (``RoleSchema/inputFields``).
    static func coerce(variable value: Map, type: any GraphQLInputType, path: String,
                       inputFields: [String: InputObjectFieldMap] = [:]) throws -> Map {
        if let nonNull = type as? GraphQLNonNull {
            guard value != .null, value != .undefined else { throw QueryError.badInput("\(path) must not be null") }
            return try coerce(variable: value, type: nonNull.ofType as! any GraphQLInputType, path: path, inputFields: inputFields)
        }
        if value == .null || value == .undefined { return .null }
        if let list = type as? GraphQLList {
            let element = list.ofType as! any GraphQLInputType
            if case .array(let items) = value {
                return .array(try items.enumerated().map { try coerce(variable: $1, type: element, path: "\(path)[\($0)]", inputFields: inputFields) })
            }
            return .array([try coerce(variable: value, type: element, path: path, inputFields: inputFields)])
        }
        if let object = type as? GraphQLInputObjectType {
            guard case .dictionary(let given) = value else { throw QueryError.badInput("\(path) must be an object") }
            let fields = try inputFields[object.name] ?? object.fields()
            for name in given.keys where fields[name] == nil { throw QueryError.badInput("\(path).\(name) is not a field of \(object.name)") }
            var result: OrderedDictionary<String, Map> = [:]
            for (name, field) in fields {
                if let item = given[name] {
                    result[name] = try coerce(variable: item, type: field.type, path: "\(path).\(name)", inputFields: inputFields)
                } else if let defaultValue = field.defaultValue {
                    result[name] = defaultValue
                } else if field.type is GraphQLNonNull {
                    throw QueryError.badInput("\(path).\(name) is required")
                }
            }
            return .dictionary(result)
        }
        if let enumeration = type as? GraphQLEnumType {
            guard case .string(let name) = value, enumeration.values.contains(where: { $0.name == name }) else {
                throw QueryError.badInput("\(path) is not a value of \(enumeration.name)")
            }
            return value
        }
        return try scalar(value, named: (type as? GraphQLScalarType)?.name ?? "", path: path)
    }

    /// A literal against the argument's type, its variables kept as variables (checked against
    /// this request's values for presence); nil when it refers to an absent variable.
    static func coerce(literal value: any Value, type: any GraphQLInputType, variables: [String: Map], path: String) throws -> ArgumentValue? {
        if let variable = value as? Variable {
            let given = variables[variable.name.value] ?? .undefined
            if given == .undefined, type is GraphQLNonNull { throw QueryError.badInput("\(path) must not be null") }
            if type is GraphQLNonNull, given == .null { throw QueryError.badInput("\(path) must not be null") }
            return given == .undefined ? nil : .variable(VariablePath(name: variable.name.value))
        }
        if let nonNull = type as? GraphQLNonNull {
            if value is NullValue { throw QueryError.badInput("\(path) must not be null") }
            return try coerce(literal: value, type: nonNull.ofType as! any GraphQLInputType, variables: variables, path: path)
        }
        if value is NullValue { return .literal(.null) }
        if let list = type as? GraphQLList {
            let element = list.ofType as! any GraphQLInputType
            if let items = value as? ListValue {
                return .list(try items.values.map { try coerce(literal: $0, type: element, variables: variables, path: path) ?? .literal(.null) })
            }
            return .list([try coerce(literal: value, type: element, variables: variables, path: path) ?? .literal(.null)])
        }
        if let object = type as? GraphQLInputObjectType {
            guard let given = value as? ObjectValue else { throw QueryError.badInput("\(path) must be an object") }
            var result: OrderedDictionary<String, ArgumentValue> = [:]
            for (name, field) in try object.fields() {
                if let item = given.fields.first(where: { $0.name.value == name }),
                   let coerced = try coerce(literal: item.value, type: field.type, variables: variables, path: "\(path).\(name)") {
                    result[name] = coerced
                } else if let defaultValue = field.defaultValue {
                    result[name] = .literal(defaultValue)
                } else if field.type is GraphQLNonNull {
                    throw QueryError.badInput("\(path).\(name) is required")
                }
            }
            return result.values.allSatisfy { if case .literal = $0 { true } else { false } }
                ? .literal(.dictionary(result.mapValues { $0.resolve([:]) })) : .object(result)
        }
        if let enumValue = value as? EnumValue { return .literal(.string(enumValue.value)) }
        let json: Map =
            switch value {
            case let int as IntValue: Int(int.value).map { .number(Number($0)) } ?? .string(int.value)
            case let float as FloatValue: Double(float.value).map { .number(Number($0)) } ?? .null
            case let string as StringValue: .string(string.value)
            case let bool as BooleanValue: .bool(bool.value)
            default: .null
            }
        return .literal(try scalar(json, named: (type as? GraphQLScalarType)?.name ?? "", path: path))
    }

    static func scalar(_ value: Map, named name: String, path: String) throws -> Map {
        switch (name, value) {
        case ("ID", .string(let text)), ("String", .string(let text)):
            // PostgreSQL's text cannot hold U+0000: refuse it here rather than fail in the database.
            guard !text.unicodeScalars.contains("\u{0}") else { throw QueryError.badInput("\(path) must not contain the character U+0000") }
            return value
        case ("Boolean", .bool):
            return value
        case ("ID", .number(let number)) where Int(exactly: number.doubleValue) != nil:
            return .string(String(number.intValue))
        case ("Int", .number(let number)) where Int32(exactly: number.doubleValue) != nil:
            return .number(Number(Int(number.doubleValue)))
        case ("Float", .number):
            return value
        case ("Cursor", .string(let text)) where ChangeCursor(text) != nil:
            return value
        case ("Date", .string(let text)) where DateScalar.isValidDate(text):
            return value
        case ("DateTime", .string(let text)) where DateScalar.isValidDateTime(text):
            return value
        default:
            throw QueryError.badInput("\(path) is not a valid \(name)")
        }
    }
}
