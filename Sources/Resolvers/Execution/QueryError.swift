import GraphQL

/// A refusal the engine reports as a GraphQL error with `extensions.code`.
public enum QueryError: Error, Equatable, Sendable {
    /// `GRAPHQL_PARSE_FAILED`
    case parse(String, line: Int?, column: Int?)
    /// `GRAPHQL_VALIDATION_FAILED`
    case validation(String, line: Int?, column: Int?)
    /// `BAD_USER_INPUT`: variables or arguments of the wrong shape, a page too large.
    case badInput(String)
    /// `FORBIDDEN`: the principal may not send this operation.
    case forbidden(String)
    /// `UNAUTHENTICATED`: the token stopped holding while the request ran.
    case unauthenticated
    /// `PASSWORD_CHANGE_REQUIRED`: the account must change its temporary or expired password first.
    case passwordChangeRequired

    /// The `extensions.code` of the error.
    public var code: String {
        switch self {
        case .parse: "GRAPHQL_PARSE_FAILED"
        case .validation: "GRAPHQL_VALIDATION_FAILED"
        case .badInput: "BAD_USER_INPUT"
        case .forbidden: "FORBIDDEN"
        case .unauthenticated: "UNAUTHENTICATED"
        case .passwordChangeRequired: "PASSWORD_CHANGE_REQUIRED"
        }
    }

    /// The human-readable message.
    public var message: String {
        switch self {
        case .parse(let message, _, _), .validation(let message, _, _), .badInput(let message), .forbidden(let message): message
        case .unauthenticated: "The session or token is no longer valid."
        case .passwordChangeRequired: "Change the temporary or expired password first (POST /auth/password)."
        }
    }
}
