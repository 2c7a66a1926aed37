import EduQLAccessControl
import GraphQL

// The read-backs below run in the mutation's transaction after ``ActingAs/check`` set its
// tenancy: they confirm that tenancy rather than check the session again (``ActingAs/checkedPreamble(_:)``).
// Each is compiled once per plan and kind of write (``readBack(of:variant:policy:actingAs:written:_:)``);
// what a write wrote is bound, never printed.
extension GraphQLEngine {
    /// The statement reading back what an administration mutation changed: a `User`, a
    /// `RoleAssignment`, `CreatedCredentials` (the user and its one-time temporary password), an
    /// `IntegrationClient`, an `IntegrationGrant`, or `ClientCredentials` (with the one-time secret).
    public func result(of mutation: MutationField, id: Int, temporaryPassword: String? = nil, policy: Policy,
                       actingAs: ActingAs) throws -> OperationPlan.Root {
        let written = WrittenValues(id: id, secret: temporaryPassword ?? "")
        return try self.readBack(of: mutation, variant: mutation.name, policy: policy, actingAs: actingAs, written: written) { compilation in
            let id = compilation.sql.bind(Parameter.request(written.id) { $0.written.id })
            let secret = { (compilation: inout Compilation) in "\(compilation.sql.bind(Parameter.request(written.secret) { $0.written.secret }))::text" }
            let user = Relation("User", table: .users, on: "{c}.id = \(id)")
            switch mutation.name {
            case "createUser", "resetPassword":
                var pairs: [String] = []
                for field in mutation.selected.selections {
                    switch field.name {
                    case "user": pairs.append("'\(field.key)', \(try compilation.relation(user, field: field, parent: ""))")
                    case "temporaryPassword": pairs.append("'\(field.key)', \(secret(&compilation))")
                    default: pairs.append("'\(field.key)', 'CreatedCredentials'")
                    }
                }
                return "json_build_object(\(pairs.joined(separator: ", ")))"
            case "createIntegrationClient", "rotateClientSecret":
                var pairs: [String] = []
                for field in mutation.selected.selections {
                    switch field.name {
                    case "client":
                        let client = Relation("IntegrationClient", table: .integrationClients, on: "{c}.id = \(id)")
                        pairs.append("'\(field.key)', \(try compilation.relation(client, field: field, parent: ""))")
                    case "clientSecret": pairs.append("'\(field.key)', \(secret(&compilation))")
                    default: pairs.append("'\(field.key)', 'ClientCredentials'")
                    }
                }
                return "json_build_object(\(pairs.joined(separator: ", ")))"
            case "grantAccess":
                return try compilation.relation(Relation("IntegrationGrant", table: .integrationGrants, on: "{c}.id = \(id)"),
                                                field: mutation.selected, parent: "")
            case "revokeClient":
                return try compilation.relation(Relation("IntegrationClient", table: .integrationClients, on: "{c}.id = \(id)"),
                                                field: mutation.selected, parent: "")
            case "assignRole", "revokeRole":
                return try compilation.relation(Relation("RoleAssignment", table: .roleAssignments, on: "{c}.id = \(id)"),
                                                field: mutation.selected, parent: "")
            default:
                return try compilation.relation(user, field: mutation.selected, parent: "")
            }
        }
    }
}

extension GraphQLEngine {
    /// The statement reading back what a journal mutation wrote, under the caller's read policy:
    /// the marks written, or the lesson's attendance records of the learners named.
    public func result(of mutation: MutationField, wrote outcome: JournalWrite.Outcome, by write: JournalWrite, policy: Policy,
                       actingAs: ActingAs) throws -> OperationPlan.Root {
        let written = WrittenValues(ids: outcome.ids, lessonID: write.lessonID, learnerIDs: outcome.learnerIDs)
        return try self.readBack(of: mutation, variant: write.table.rawValue, policy: policy, actingAs: actingAs, written: written) { compilation in
            let relation: Relation
            if write.table == .lessons || write.table == .homework {
                let lesson = compilation.sql.bind(Parameter.request(written.lessonID) { $0.written.lessonID })
                relation = Relation("Lesson", table: .lessons, on: "{c}.id = \(lesson)")
            } else if write.table == .marks {
                let ids = compilation.sql.bind(Parameter.request(written.ids) { $0.written.ids })
                relation = Relation("Mark", table: .marks, on: "{c}.id = ANY(\(ids))", many: true, orderBy: "{c}.id")
            } else {
                let lesson = compilation.sql.bind(Parameter.request(written.lessonID) { $0.written.lessonID })
                let learners = compilation.sql.bind(Parameter.request(written.learnerIDs) { $0.written.learnerIDs })
                relation = Relation("Attendance", table: .attendance, on: "{c}.lesson_id = \(lesson) AND {c}.learner_id = ANY(\(learners))",
                                    many: true, orderBy: "{c}.learner_id")
            }
            return try compilation.relation(relation, field: mutation.selected, parent: "")
        }
    }
}

extension GraphQLEngine {
    /// The statement reading back what a ``RuleWriter`` field wrote, under the caller's read policy.
    public func result(of mutation: MutationField, written: Written, policy: Policy, actingAs: ActingAs) throws -> OperationPlan.Root {
        let values = WrittenValues(ids: written.ids)
        let variant = "\(written.type):\(written.table.rawValue):\(written.many)"
        return try self.readBack(of: mutation, variant: variant, policy: policy, actingAs: actingAs, written: values) { compilation in
            let ids = compilation.sql.bind(Parameter.request(values.ids) { $0.written.ids })
            let relation = Relation(written.type, table: written.table, on: "{c}.id = ANY(\(ids))", many: written.many, orderBy: "{c}.id")
            return try compilation.relation(relation, field: mutation.selected, parent: "")
        }
    }
}

extension GraphQLEngine {
    /// A mutation's read-back statement, bound to what its write wrote. It is compiled once per
    /// read policy, principal kind, document, operation, variable shape, field and `variant` (the
    /// kind of write, which chooses the rows it reads), as a query's plan is, and reused only for
    /// requests with the same values wherever its SQL depends on one. `compile` must bind what
    /// was written as ``WrittenValues`` slots, never as constants of this write.
    func readBack(of mutation: MutationField, variant: String, policy: Policy, actingAs: ActingAs, written: WrittenValues,
                  _ compile: (inout Compilation) throws -> String) throws -> OperationPlan.Root {
        let dependencies = mutation.selected.arguments.dependencies
        func build() throws -> CompiledOperation {
            var compilation = Compilation(policy: policy, limits: self.limits, actingAs: actingAs, checked: true)
            let value = try compile(&compilation)
            var operation = CompiledOperation(operation: .mutation, operationName: nil, rootFieldNames: [mutation.key])
            operation.roots = [.statement(compilation.statement(key: mutation.key, value))]
            operation.dependencies = dependencies.values
            return operation
        }
        let compiled: CompiledOperation
        if var key = mutation.plan {
            key.policy = policy.key
            key.document += "#\(mutation.key):\(variant)"
            compiled = try self.plans.plan(for: key, variables: dependencies.variables, compile: build)
        } else {
            compiled = try build()
        }
        guard case .statement(let statement)? = compiled.roots.first else { preconditionFailure("a read-back plan holds one statement") }
        return .statement(try statement.bound(PlanInputs(variables: dependencies.variables, actingAs: actingAs, written: written)))
    }
}
