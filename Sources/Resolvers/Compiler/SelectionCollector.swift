import GraphQL
import OrderedCollections

/// Expands an operation's selection sets against a role schema into ``SelectedField`` trees.
struct SelectionCollector {
    let schema: GraphQLSchema
    /// Each object type's fields (``RoleSchema/objectFields``).
    let fields: [String: GraphQLFieldMap]
    let fragments: [String: FragmentDefinition]
    /// The request's variables, and what the plan comes to depend on.
    let dependencies: PlanDependencies

    /// The fields of `selectionSet` on `type`, merged by response key.
    func collect(_ selectionSet: SelectionSet, on type: GraphQLObjectType) throws -> [SelectedField] {
        var fields: [SelectedField] = []
        try self.gather(selectionSet, on: type, into: &fields, visited: [])
        return try Self.merged(fields)
    }

    private func gather(_ selectionSet: SelectionSet, on type: GraphQLObjectType, into fields: inout [SelectedField],
                        visited: Set<String>) throws {
        try Task.checkCancellation()
        for selection in selectionSet.selections {
            switch selection {
            case let field as Field:
                guard try self.included(field.directives) else { continue }
                fields.append(try self.select(field, on: type))
            case let spread as FragmentSpread:
                guard try self.included(spread.directives), !visited.contains(spread.name.value),
                      let fragment = self.fragments[spread.name.value] else { continue }
                try self.gather(fragment.selectionSet, on: type, into: &fields, visited: visited.union([spread.name.value]))
            case let inline as InlineFragment:
                guard try self.included(inline.directives) else { continue }
                try self.gather(inline.selectionSet, on: type, into: &fields, visited: visited)
            default:
                continue
            }
        }
    }

    private func select(_ field: Field, on type: GraphQLObjectType) throws -> SelectedField {
        let location = field.loc.map { SourcePosition(source: $0.source, offset: $0.start) }
        var selected = SelectedField(key: field.alias?.value ?? field.name.value, name: field.name.value,
                                     arguments: Arguments(dependencies: self.dependencies), selections: [],
                                     line: location?.line, column: location?.column)
        guard !field.name.value.hasPrefix("__") else { return selected }
        guard let definition = self.fields[type.name]?[field.name.value] else {
            throw QueryError.validation("Cannot query field \"\(field.name.value)\" on type \"\(type.name)\".",
                                        line: location?.line, column: location?.column)
        }
        for (name, argument) in definition.args {
            let path = "argument \"\(name)\" of \"\(selected.key)\""
            if let given = field.arguments.first(where: { $0.name.value == name }) {
                if let value = try InputCoercion.coerce(literal: given.value, type: argument.type,
                                                        variables: self.dependencies.variables, path: path) {
                    selected.arguments.values[name] = value
                    continue
                }
            }
            if let defaultValue = argument.defaultValue { selected.arguments.values[name] = .literal(defaultValue) }
        }
        if let selectionSet = field.selectionSet, let object = getNamedType(type: definition.type) as? GraphQLObjectType {
            selected.selections = try self.collect(selectionSet, on: object)
        }
        return selected
    }

    private func included(_ directives: [Directive]) throws -> Bool {
        for directive in directives where ["skip", "include"].contains(directive.name.value) {
            guard let argument = directive.arguments.first(where: { $0.name.value == "if" }) else { continue }
            let value = try InputCoercion.coerce(literal: argument.value, type: GraphQLNonNull(GraphQLBoolean),
                                                 variables: self.dependencies.variables, path: "@\(directive.name.value)(if:)")
            // The selection depends on the condition's value: a plan is kept per value of it.
            let condition = try value.flatMap { try Parameter.argument($0, dependencies: self.dependencies, convert: ArgumentConversion.bool) }?.fixed == true
            if directive.name.value == "skip" ? condition : !condition { return false }
        }
        return true
    }

    /// Fields of one response key become one field: they must ask the same thing (the rule
    /// GraphQLSwift leaves disabled, OverlappingFieldsCanBeMerged), and their selections merge.
    static func merged(_ fields: [SelectedField]) throws -> [SelectedField] {
        var order: [String] = []
        var byKey: [String: SelectedField] = [:]
        for field in fields {
            guard var existing = byKey[field.key] else {
                order.append(field.key)
                byKey[field.key] = field
                continue
            }
            guard existing.name == field.name, existing.arguments == field.arguments else {
                throw QueryError.validation(
                    "Fields \"\(field.key)\" conflict because they ask for different fields or arguments. Use different aliases.",
                    line: field.line, column: field.column)
            }
            existing.selections = try merged(existing.selections + field.selections)
            byKey[field.key] = existing
        }
        return order.map { byKey[$0]! }
    }
}
