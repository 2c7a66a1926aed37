import Foundation
import GraphQL
import PostgresNIO

/// What one request will run: per root field of the chosen operation, one SQL statement that
/// returns the field's JSON, or an answer known without the database.
public struct OperationPlan: Sendable {
    public enum Root: Sendable {
        /// One statement; its single text column is the field's JSON.
        case statement(key: String, sql: String, bindings: PostgresBindings)
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

/// One root field of a mutation, with its coerced arguments and the selection of its result.
public struct MutationField: Sendable {
    public var key: String
    public var name: String
    public var arguments: [String: Map]
    let selected: SelectedField
}
