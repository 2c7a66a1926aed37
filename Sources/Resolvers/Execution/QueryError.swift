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
    /// `PERSISTED_QUERY_NOT_FOUND`: no trusted document has this id.
    case documentNotFound(String)
    /// `PERSISTED_QUERY_REQUIRED`: the caller may send trusted documents by `documentId` only.
    case documentRequired
    /// `COST_LIMIT_EXCEEDED`: the operation may read more rows than the limit allows.
    case costLimit(String)
    /// `CURSOR_EXPIRED`: the change feed no longer holds the changes after this cursor.
    case cursorExpired

    /// The `extensions.code` of the error.
    public var code: String {
        switch self {
        case .parse: "GRAPHQL_PARSE_FAILED"
        case .validation: "GRAPHQL_VALIDATION_FAILED"
        case .badInput: "BAD_USER_INPUT"
        case .forbidden: "FORBIDDEN"
        case .unauthenticated: "UNAUTHENTICATED"
        case .passwordChangeRequired: "PASSWORD_CHANGE_REQUIRED"
        case .documentNotFound: "PERSISTED_QUERY_NOT_FOUND"
        case .documentRequired: "PERSISTED_QUERY_REQUIRED"
        case .costLimit: "COST_LIMIT_EXCEEDED"
        case .cursorExpired: "CURSOR_EXPIRED"
        }
    }

    /// The human-readable message.
    public var message: String {
        switch self {
        case .parse(let message, _, _), .validation(let message, _, _), .badInput(let message), .forbidden(let message),
             .costLimit(let message): message
        case .documentNotFound(let id): "No trusted document has the id \(id)."
        case .documentRequired: "This caller may send only trusted documents, by documentId (see queries/manifest.json)."
        case .cursorExpired: "The change feed no longer holds the changes after this cursor (they are kept for a limited time): read ChangePage.horizon, resync in full, then continue after that horizon."
        case .unauthenticated: "The session or token is no longer valid."
        case .passwordChangeRequired: "Change the temporary or expired password first (POST /auth/password)."
        }
    }
}
