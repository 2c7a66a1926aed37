import Foundation
import PostgresNIO

/// Whom a statement acts for: the database checks the token again and sets the tenancy itself
/// (`eduql.act_as`, `eduql.act_as_client`) at the start of every statement.
public enum ActingAs: Sendable {
    case user(tokenSHA256: Data, assignmentID: Int, idleSeconds: Int)
    case client(tokenSHA256: Data)

    /// A statement that checks the token in the database and sets the transaction's tenancy:
    /// one row, `true` while the token and its role assignment still hold.
    public var check: PostgresQuery {
        var builder = SQLBuilder()
        let from = self.preamble(&builder)
        return PostgresQuery(unsafeSQL: "SELECT a.ok FROM \(from) AS a(ok)", binds: builder.bindings)
    }

    /// The FROM item that checks the token and sets the settings; binds its values first.
    func preamble(_ builder: inout SQLBuilder) -> String {
        switch self {
        case .user(let token, let assignment, let idle):
            "eduql.act_as(\(builder.bind(token)), \(builder.bind(assignment)), make_interval(secs => \(builder.bind(idle))))"
        case .client(let token):
            "eduql.act_as_client(\(builder.bind(token)))"
        }
    }
}
