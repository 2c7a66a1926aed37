import EduQLAccessControl
import GraphQL
import OrderedCollections

extension GraphQLEngine {
    /// Chooses the operation and coerces the variables; then takes the operation's compiled
    /// plan from the cache (or compiles it) and binds this request's values to it.
    public func plan(_ prepared: PreparedDocument, operationName: String?, variables: Map, policy: Policy,
                     actingAs: ActingAs) throws -> OperationPlan {
        let roleSchema = try self.schema(for: policy)
        let operation = try Self.operation(in: prepared.document, named: operationName)
        let values = try Self.coerceVariables(operation.variableDefinitions, variables, schema: roleSchema.schema,
                                              inputFields: roleSchema.inputFields)
        let inputs = PlanInputs(variables: values, actingAs: actingAs)
        let key = PlanCache.Key(policy: policy.key, principal: actingAs.kind, document: prepared.hash, operation: operation.name?.value,
                                shape: VariableShape(values, names: operation.variableDefinitions.map(\.variable.name.value)))
        guard operation.operation == .query else {
            // A mutation's arguments go to the writers in Swift, not into a cached statement; its
            // read-backs are compiled once under its key (``readBack(of:variant:policy:actingAs:written:_:)``).
            var plan = try self.compile(operation, of: prepared, variables: values, policy: policy, actingAs: actingAs).bind(inputs)
            for index in plan.mutations.indices { plan.mutations[index].plan = key }
            return plan
        }
        let compiled = try self.plans.plan(for: key, variables: values) {
            try self.compile(operation, of: prepared, variables: values, policy: policy, actingAs: actingAs)
        }
        let rows = try compiled.cost.rows(inputs)
        guard rows <= self.limits.maxCost else {
            throw QueryError.costLimit("The operation may read about \(rows) rows, more than the cost limit of \(self.limits.maxCost) "
                + "(page sizes multiplied through nested lists, \(CostEstimate.listRows) rows for a list without one): ask for smaller pages or fewer nested lists.")
        }
        return try compiled.bind(inputs)
    }

    /// The operation `name` names, or the only one.
    static func operation(in document: Document, named name: String?) throws -> OperationDefinition {
        let operations = document.definitions.compactMap { $0 as? OperationDefinition }
        let operation: OperationDefinition
        if let name {
            guard let named = operations.first(where: { $0.name?.value == name }) else {
                throw QueryError.badInput("Unknown operation named \"\(name)\".")
            }
            operation = named
        } else {
            guard operations.count == 1 else { throw QueryError.badInput("Must provide operation name if query contains multiple operations.") }
            operation = operations[0]
        }
        guard operation.operation != .subscription else { throw QueryError.badInput("Subscriptions are not supported.") }
        return operation
    }

    /// Expands the selections, checks the limits and compiles every root data field into one
    /// statement with a slot for every value, recording what the plan depends on.
    func compile(_ operation: OperationDefinition, of prepared: PreparedDocument, variables: [String: Map], policy: Policy,
                 actingAs: ActingAs) throws -> CompiledOperation {
        let roleSchema = try self.schema(for: policy)
        let schema = roleSchema.schema
        let rootType = operation.operation == .mutation ? schema.mutationType : schema.queryType
        guard let rootType else { throw QueryError.validation("Schema is not configured for mutations.", line: nil, column: nil) }
        let dependencies = PlanDependencies(variables: variables)
        let fragments = Dictionary(prepared.document.definitions.compactMap { $0 as? FragmentDefinition }.map { ($0.name.value, $0) }) { a, _ in a }
        let fields = try SelectionCollector(schema: schema, fields: roleSchema.objectFields, fragments: fragments, dependencies: dependencies)
            .collect(operation.selectionSet, on: rootType)
        try self.checkShape(fields)

        var plan = CompiledOperation(operation: operation.operation, operationName: operation.name?.value, rootFieldNames: fields.map(\.name))
        plan.cost = CostEstimate(fields, on: rootType, objectFields: roleSchema.objectFields)
        let introspective = fields.filter { $0.name == "__schema" || $0.name == "__type" }
        if !introspective.isEmpty {
            guard introspective.count + fields.filter({ $0.name == "__typename" }).count == fields.count else {
                throw QueryError.badInput("Introspection fields cannot be combined with data fields in one operation.")
            }
            plan.introspection = true
        } else {
            for field in fields {
                if field.name == "__typename" {
                    plan.roots.append(.constant(key: field.key, json: "\"\(rootType.name)\""))
                } else if operation.operation == .mutation {
                    plan.mutations.append(MutationField(key: field.key, name: field.name, arguments: field.arguments.resolved, selected: field))
                } else {
                    var compilation = Compilation(policy: policy, limits: self.limits, actingAs: actingAs)
                    let value = try compilation.value(of: field, on: "Query", parent: "")
                    // Dashboard aggregates carry no personal data: their answers may be shared.
                    plan.roots.append(.statement(compilation.statement(key: field.key, value, shareable: field.name == "stats")))
                }
            }
        }
        plan.dependencies = dependencies.values
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

    static func coerceVariables(_ definitions: [VariableDefinition], _ given: Map, schema: GraphQLSchema,
                                inputFields: [String: InputObjectFieldMap] = [:]) throws -> [String: Map] {
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
                values[name] = try InputCoercion.coerce(variable: value, type: type, path: "variable $\(name)", inputFields: inputFields)
            } else if let defaultValue = definition.defaultValue {
                values[name] = try InputCoercion.coerce(literal: defaultValue, type: type, variables: [:], path: "variable $\(name)")?.resolve([:])
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
