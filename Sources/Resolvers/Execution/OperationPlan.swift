import Foundation
import GraphQL
import PostgresNIO

/// What one request will run: per root field of the chosen operation, one SQL statement that
/// returns the field's JSON, or an answer known without the database.
public struct OperationPlan: Sendable {
    public enum Root: Sendable {
        /// One statement; its single text column is the field's JSON.
        case statement(Statement)
        /// A value known in advance (`__typename`), as JSON text.
        case constant(key: String, json: String)
    }

    public var operation: OperationType
    public var operationName: String?
    public var rootFieldNames: [String]
    public var roots: [Root]
    /// Mutation fields, run by the server through account administration.
    public var mutations: [MutationField]
    /// Set when the operation is introspection only; answered by GraphQLSwift from the role schema.
    public var introspection: Bool
}

/// The statement answering one root field: its text (the same for every request of one
/// document and variable shape) and this request's parameters.
public struct Statement: Sendable {
    public var key: String
    public var sql: String
    public var bindings: PostgresBindings
    /// The parameters again, for a prepared statement.
    public var parameters: [PostgresData]
    /// Whether the text names every parameter's type, so it can be prepared.
    public var preparable: Bool
    /// Set when the answer may be shared (``SharedAnswers``): the text and the values other than
    /// the principal's own.
    public var sharingKey: String?
}

/// One root field of a mutation, with its coerced arguments and the selection of its result.
public struct MutationField: Sendable {
    public var key: String
    public var name: String
    public var arguments: [String: Map]
    let selected: SelectedField
    /// The key of the operation's plan, under which its read-back is compiled once.
    var plan: PlanCache.Key? = nil
}
