import EduQLAccessControl
import GraphQL

// The read-backs below run in the mutation's transaction after ``ActingAs/check`` set its
// tenancy: they confirm that tenancy rather than check the session again (``ActingAs/checkedPreamble(_:)``).
extension GraphQLEngine {
    /// The statement reading back what an administration mutation changed: a `User`, a
    /// `RoleAssignment`, `CreatedCredentials` (the user and its one-time temporary password), an
    /// `IntegrationClient`, an `IntegrationGrant`, or `ClientCredentials` (with the one-time secret).
    public func result(of mutation: MutationField, id: Int, temporaryPassword: String? = nil, policy: Policy,
                       actingAs: ActingAs) throws -> OperationPlan.Root {
        var compilation = Compilation(policy: policy, limits: self.limits, actingAs: actingAs, checked: true)
        let idParameter = compilation.sql.bind(id)
        let user = Relation("User", table: .users, on: "{c}.id = \(idParameter)")
        let value: String
        switch mutation.name {
        case "createUser", "resetPassword":
            var pairs: [String] = []
            for field in mutation.selected.selections {
                switch field.name {
                case "user": pairs.append("'\(field.key)', \(try compilation.relation(user, field: field, parent: ""))")
                case "temporaryPassword": pairs.append("'\(field.key)', \(compilation.sql.bind(temporaryPassword ?? ""))::text")
                default: pairs.append("'\(field.key)', 'CreatedCredentials'")
                }
            }
            value = "json_build_object(\(pairs.joined(separator: ", ")))"
        case "createIntegrationClient", "rotateClientSecret":
            var pairs: [String] = []
            for field in mutation.selected.selections {
                switch field.name {
                case "client":
                    let client = Relation("IntegrationClient", table: .integrationClients, on: "{c}.id = \(idParameter)")
                    pairs.append("'\(field.key)', \(try compilation.relation(client, field: field, parent: ""))")
                case "clientSecret": pairs.append("'\(field.key)', \(compilation.sql.bind(temporaryPassword ?? ""))::text")
                default: pairs.append("'\(field.key)', 'ClientCredentials'")
                }
            }
            value = "json_build_object(\(pairs.joined(separator: ", ")))"
        case "grantAccess":
            value = try compilation.relation(Relation("IntegrationGrant", table: .integrationGrants, on: "{c}.id = \(idParameter)"),
                                             field: mutation.selected, parent: "")
        case "revokeClient":
            value = try compilation.relation(Relation("IntegrationClient", table: .integrationClients, on: "{c}.id = \(idParameter)"),
                                             field: mutation.selected, parent: "")
        case "assignRole", "revokeRole":
            value = try compilation.relation(Relation("RoleAssignment", table: .roleAssignments, on: "{c}.id = \(idParameter)"),
                                             field: mutation.selected, parent: "")
        default:
            value = try compilation.relation(user, field: mutation.selected, parent: "")
        }
        let inputs = PlanInputs(variables: mutation.selected.arguments.dependencies.variables, actingAs: actingAs)
        return .statement(try compilation.statement(key: mutation.key, value).bound(inputs))
    }
}

extension GraphQLEngine {
    /// The statement reading back what a journal mutation wrote, under the caller's read policy:
    /// the marks written, or the lesson's attendance records of the learners named.
    public func result(of mutation: MutationField, wrote outcome: JournalWrite.Outcome, by write: JournalWrite, policy: Policy,
                       actingAs: ActingAs) throws -> OperationPlan.Root {
        var compilation = Compilation(policy: policy, limits: self.limits, actingAs: actingAs, checked: true)
        let relation: Relation
        if write.table == .lessons || write.table == .homework {
            relation = Relation("Lesson", table: .lessons, on: "{c}.id = \(compilation.sql.bind(write.lessonID))")
        } else if write.table == .marks {
            let ids = compilation.sql.bind(outcome.ids)
            relation = Relation("Mark", table: .marks, on: "{c}.id = ANY(\(ids))", many: true, orderBy: "{c}.id")
        } else {
            let lesson = compilation.sql.bind(write.lessonID)
            let learners = compilation.sql.bind(outcome.learnerIDs)
            relation = Relation("Attendance", table: .attendance, on: "{c}.lesson_id = \(lesson) AND {c}.learner_id = ANY(\(learners))",
                                many: true, orderBy: "{c}.learner_id")
        }
        let value = try compilation.relation(relation, field: mutation.selected, parent: "")
        let inputs = PlanInputs(variables: mutation.selected.arguments.dependencies.variables, actingAs: actingAs)
        return .statement(try compilation.statement(key: mutation.key, value).bound(inputs))
    }
}

extension GraphQLEngine {
    /// The statement reading back what a ``RuleWriter`` field wrote, under the caller's read policy.
    public func result(of mutation: MutationField, written: Written, policy: Policy, actingAs: ActingAs) throws -> OperationPlan.Root {
        var compilation = Compilation(policy: policy, limits: self.limits, actingAs: actingAs, checked: true)
        let ids = compilation.sql.bind(written.ids)
        let relation = Relation(written.type, table: written.table, on: "{c}.id = ANY(\(ids))", many: written.many, orderBy: "{c}.id")
        let value = try compilation.relation(relation, field: mutation.selected, parent: "")
        let inputs = PlanInputs(variables: mutation.selected.arguments.dependencies.variables, actingAs: actingAs)
        return .statement(try compilation.statement(key: mutation.key, value).bound(inputs))
    }
}
