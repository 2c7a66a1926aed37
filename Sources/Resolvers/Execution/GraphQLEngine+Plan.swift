import EduQLAccessControl
import GraphQL
import OrderedCollections

extension GraphQLEngine {
    /// Chooses the operation, coerces the variables, expands the selections, checks the limits
    /// and compiles every root data field into one statement acting as `actingAs`.
    public func plan(_ prepared: PreparedDocument, operationName: String?, variables: Map, policy: Policy,
                     actingAs: ActingAs) throws -> OperationPlan {
        let roleSchema = try self.schema(for: policy)
        let schema = roleSchema.schema
        let operations = prepared.document.definitions.compactMap { $0 as? OperationDefinition }
        let operation: OperationDefinition
        if let operationName {
            guard let named = operations.first(where: { $0.name?.value == operationName }) else {
                throw QueryError.badInput("Unknown operation named \"\(operationName)\".")
            }
            operation = named
        } else {
            guard operations.count == 1 else { throw QueryError.badInput("Must provide operation name if query contains multiple operations.") }
            operation = operations[0]
        }
        guard operation.operation != .subscription else { throw QueryError.badInput("Subscriptions are not supported.") }
        let rootType = operation.operation == .mutation ? schema.mutationType : schema.queryType
        guard let rootType else { throw QueryError.validation("Schema is not configured for mutations.", line: nil, column: nil) }

        let values = try Self.coerceVariables(operation.variableDefinitions, variables, schema: schema)
        let fragments = Dictionary(prepared.document.definitions.compactMap { $0 as? FragmentDefinition }.map { ($0.name.value, $0) }) { a, _ in a }
        let fields = try SelectionCollector(schema: schema, fields: roleSchema.objectFields, fragments: fragments, variables: values).collect(operation.selectionSet, on: rootType)
        try self.checkShape(fields)

        var plan = OperationPlan(operation: operation.operation, operationName: operation.name?.value,
                                 rootFieldNames: fields.map(\.name), roots: [], mutations: [], introspection: false)
        let introspective = fields.filter { $0.name == "__schema" || $0.name == "__type" }
        if !introspective.isEmpty {
            guard introspective.count + fields.filter({ $0.name == "__typename" }).count == fields.count else {
                throw QueryError.badInput("Introspection fields cannot be combined with data fields in one operation.")
            }
            plan.introspection = true
            return plan
        }
        for field in fields {
            if field.name == "__typename" {
                plan.roots.append(.constant(key: field.key, json: "\"\(rootType.name)\""))
            } else if operation.operation == .mutation {
                plan.mutations.append(MutationField(key: field.key, name: field.name, arguments: field.arguments, selected: field))
            } else {
                var compilation = Compilation(policy: policy, limits: self.limits, actingAs: actingAs)
                let value = try compilation.value(of: field, on: "Query", parent: "")
                plan.roots.append(compilation.statement(key: field.key, value))
            }
        }
        return plan
    }

    /// Depth, alias and root-field limits over the expanded selection.
    func checkShape(_ fields: [SelectedField]) throws {
        guard fields.count <= self.limits.maxRootFields else {
            throw QueryError.validation("An operation may have at most \(self.limits.maxRootFields) root fields.", line: nil, column: nil)
        }
        let data = fields.filter { !$0.name.hasPrefix("__") }
        if let deepest = data.max(by: { $0.depth < $1.depth }), deepest.depth > self.limits.maxDepth {
            throw QueryError.validation("The operation is nested deeper than \(self.limits.maxDepth) levels.",
                                        line: deepest.line, column: deepest.column)
        }
        guard fields.reduce(0, { $0 + $1.aliasCount }) <= self.limits.maxAliases else {
            throw QueryError.validation("An operation may use at most \(self.limits.maxAliases) aliases.", line: nil, column: nil)
        }
    }

    static func coerceVariables(_ definitions: [VariableDefinition], _ given: Map, schema: GraphQLSchema) throws -> [String: Map] {
        let provided: OrderedDictionary<String, Map>
        switch given {
        case .dictionary(let values): provided = values
        case .null, .undefined: provided = [:]
        default: throw QueryError.badInput("variables must be an object.")
        }
        var values: [String: Map] = [:]
        for definition in definitions {
            let name = definition.variable.name.value
            guard let type = Self.inputType(definition.type, schema: schema) else {
                throw QueryError.validation("Unknown type of variable $\(name).", line: nil, column: nil)
            }
            if let value = provided[name] {
                values[name] = try InputCoercion.coerce(variable: value, type: type, path: "variable $\(name)")
            } else if let defaultValue = definition.defaultValue {
                values[name] = try InputCoercion.coerce(literal: defaultValue, type: type, variables: [:], path: "variable $\(name)")
            } else if type is GraphQLNonNull {
                throw QueryError.badInput("variable $\(name) of required type was not provided.")
            }
        }
        return values
    }

    static func inputType(_ type: any GraphQL.`Type`, schema: GraphQLSchema) -> (any GraphQLInputType)? {
        switch type {
        case let nonNull as NonNullType:
            (inputType(nonNull.type, schema: schema) as? any GraphQLNullableType).flatMap { try? GraphQLNonNull($0) }
        case let list as ListType:
            inputType(list.type, schema: schema).map { GraphQLList($0) }
        case let named as NamedType:
            schema.getType(name: named.name.value) as? any GraphQLInputType
        default:
            nil
        }
    }
}
