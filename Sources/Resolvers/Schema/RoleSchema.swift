import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import OrderedCollections

/// The schema one policy sees: the SDL pruned to the types and fields it may read. A pruned
/// field does not exist for the caller — introspection does not show it, validation does not
/// suggest it.
public final class RoleSchema: Sendable {
    public let policy: Policy
    public let schema: GraphQLSchema
    /// The pruned schema in SDL.
    public let sdl: String
    /// Each object type's fields, resolved once: GraphQLSwift builds a schema-from-SDL type's
    /// field map anew at every `fields()` call.
    let objectFields: [String: GraphQLFieldMap]
    /// Each input object type's fields, resolved once, for the same reason: a request's
    /// variables are coerced against them.
    let inputFields: [String: InputObjectFieldMap]

    public init(policy: Policy, source: String = SchemaDefinition.sdl) throws {
        self.policy = policy
        self.sdl = try Self.prune(try parse(source: source), by: policy)
        self.schema = try buildSchema(source: self.sdl)
        var objectFields: [String: GraphQLFieldMap] = [:]
        for case let object as GraphQLObjectType in self.schema.typeMap.values {
            objectFields[object.name] = try object.fields()
        }
        self.objectFields = objectFields
        var inputFields: [String: InputObjectFieldMap] = [:]
        for case let input as GraphQLInputObjectType in self.schema.typeMap.values {
            inputFields[input.name] = try input.fields()
        }
        self.inputFields = inputFields
    }

    static func prune(_ document: Document, by policy: Policy) throws -> String {
        let objects = document.definitions.compactMap { $0 as? ObjectTypeDefinition }
        var kept: [String: [FieldDefinition]] = [:]
        for object in objects {
            kept[object.name.value] = object.fields.filter { policy.allows(object.name.value, $0.name.value) }
        }
        // Drop fields leading to object types that are gone, and types left without fields.
        var changed = true
        while changed {
            changed = false
            for (name, fields) in kept {
                let remaining = fields.filter { kept[Self.namedType($0.type)].map { !$0.isEmpty } ?? true }
                if remaining.count != fields.count {
                    kept[name] = remaining
                    changed = true
                }
            }
            for (name, fields) in kept where fields.isEmpty {
                kept[name] = nil
                changed = true
            }
        }
        guard kept["Query"] != nil else { throw QueryError.forbidden("The policy \(policy.key) reads nothing.") }

        // Keep only what the roots reach, and the inputs, enums and scalars it uses.
        let inputs = Dictionary(uniqueKeysWithValues: document.definitions.compactMap { $0 as? InputObjectTypeDefinition }.map { ($0.name.value, $0) })
        var reached: Set<String> = []
        var pending = ["Query", "Mutation"].filter { kept[$0] != nil }
        while let name = pending.popLast() {
            guard reached.insert(name).inserted else { continue }
            let referenced: [String] =
                if let fields = kept[name] {
                    fields.flatMap { [Self.namedType($0.type)] + $0.arguments.map { Self.namedType($0.type) } }
                } else if let input = inputs[name] {
                    input.fields.map { Self.namedType($0.type) }
                } else {
                    []
                }
            pending += referenced.filter { !reached.contains($0) }
        }

        var text = "schema {\n  query: Query\n" + (reached.contains("Mutation") ? "  mutation: Mutation\n" : "") + "}\n"
        for definition in document.definitions {
            guard let type = definition as? (any TypeDefinition), reached.contains(type.name.value) else { continue }
            if let object = type as? ObjectTypeDefinition, let fields = kept[object.name.value] {
                let description = object.description.map { print(ast: $0) + "\n" } ?? ""
                text += "\n\(description)type \(object.name.value) {\n"
                text += fields.map { "  " + print(ast: $0).replacingOccurrences(of: "\n", with: "\n  ") }.joined(separator: "\n")
                text += "\n}\n"
            } else {
                text += "\n" + print(ast: type) + "\n"
            }
        }
        return text
    }

    static func namedType(_ type: any GraphQL.`Type`) -> String {
        switch type {
        case let named as NamedType: named.name.value
        case let list as ListType: namedType(list.type)
        case let nonNull as NonNullType: namedType(nonNull.type)
        default: ""
        }
    }
}
