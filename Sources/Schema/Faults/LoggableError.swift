import PostgresNIO

/// What a log line may say of an error: its type and, for PostgreSQL, the SQLSTATE and the
/// server's primary message — never the query, its bound values or the server's detail (which
/// quotes the row: a duplicate SNILS, say).
public struct LoggableError: CustomStringConvertible, Sendable {
    public let description: String

    public init(_ error: any Error) {
        if let error = error as? PSQLError {
            var text = "PSQLError \(error.code)"
            if let state = error.serverInfo?[.sqlState] { text += " \(state)" }
            if let message = error.serverInfo?[.message] { text += ": \(message)" }
            self.description = text
        } else if let error = error as? any LoggableErrorDescription {
            self.description = error.loggableDescription
        } else {
            self.description = String(describing: type(of: error))
        }
    }
}

/// An error whose description names no person and no secret, so logs may carry it whole.
public protocol LoggableErrorDescription: Error {
    var loggableDescription: String { get }
}

extension DatabaseUnavailable: LoggableErrorDescription {
    public var loggableDescription: String { "DatabaseUnavailable: \(self.reason)" }
}
