import PostgresNIO

/// The SQLSTATE of a PostgreSQL error, from either of postgres-nio's error types (the prepared
/// statement API still reports the older `PostgresError`), looking through transaction wrappers.
public func sqlState(of error: (any Error)?) -> PostgresError.Code? {
    switch error {
    case let error as PSQLError:
        error.serverInfo?[.sqlState].map(PostgresError.Code.init(raw:))
    case let error as PostgresError:
        if case .server(let message) = error { message.fields[.sqlState].map(PostgresError.Code.init(raw:)) } else { nil }
    case let error as PostgresTransactionError:
        sqlState(of: error.closureError ?? error.commitError ?? error.beginError)
    default:
        nil
    }
}

extension PostgresError.Code {
    /// EduQL's own: the change feed no longer holds the changes after a cursor (`eduql.change_window`).
    public static let changesPruned = PostgresError.Code(raw: "EQ410")
    /// EduQL's own: a write to a closed (reorganized or liquidated) organization (migration 0024).
    public static let organizationClosed = PostgresError.Code(raw: "EQ423")
    /// EduQL's own: a row of an import or a rollover the records refuse, with the column (migration 0025).
    public static let recordsRefuse = PostgresError.Code(raw: "EQ422")
    /// EduQL's own: a record a function was asked for does not exist (or is outside the tenancy).
    public static let recordNotFound = PostgresError.Code(raw: "EQ404")
}
