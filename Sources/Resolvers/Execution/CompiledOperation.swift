import GraphQL

/// An operation compiled once for a policy, a document and a variable shape: what
/// ``OperationPlan`` holds, with statements still to be bound. Cached in the ``PlanCache``.
struct CompiledOperation: Sendable {
    enum Root: Sendable {
        case statement(CompiledStatement)
        case constant(key: String, json: String)
    }

    var operation: OperationType
    var operationName: String?
    var rootFieldNames: [String]
    var roots: [Root] = []
    var mutations: [MutationField] = []
    var introspection = false
    /// The rows the operation may read, per request.
    var cost = CostEstimate()
    /// The variable values the compiler chose SQL by; the plan serves only requests with the same.
    var dependencies: [VariablePath: Map] = [:]

    /// Whether this plan was compiled for these values wherever it depends on them.
    func serves(_ variables: [String: Map]) -> Bool {
        self.dependencies.allSatisfy { path, value in path.value(in: variables) == value }
    }

    /// The plan for one request: every statement bound to its values.
    func bind(_ inputs: PlanInputs) throws -> OperationPlan {
        OperationPlan(
            operation: self.operation, operationName: self.operationName, rootFieldNames: self.rootFieldNames,
            roots: try self.roots.map { root in
                switch root {
                case .statement(let statement): .statement(try statement.bound(inputs))
                case .constant(let key, let json): .constant(key: key, json: json)
                }
            },
            mutations: self.mutations, introspection: self.introspection)
    }
}
