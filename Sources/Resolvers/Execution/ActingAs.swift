import Foundation
import PostgresNIO

/// Whom a statement acts for: the database checks the token again and sets the tenancy itself
/// (`eduql.act_as`, `eduql.act_as_client`) at the start of every statement.
public enum ActingAs: Sendable {
    case user(tokenSHA256: Data, assignmentID: Int, idleSeconds: Int)
    case client(tokenSHA256: Data)

    /// Which preamble the statements of this principal open with; part of a plan's key.
    var kind: String {
        switch self {
        case .user: "user"
        case .client: "client"
        }
    }

    /// A statement that checks the token in the database and sets the transaction's tenancy:
    /// one row, `true` while the token and its role assignment still hold.
    public var check: PostgresQuery {
        var builder = SQLBuilder()
        let from = self.preamble(&builder)
        var bindings = PostgresBindings()
        // The preamble's slots read only this principal's own values: binding them cannot fail.
        for value in try! builder.values(PlanInputs(variables: [:], actingAs: self)) { bindings.append(value) }
        return PostgresQuery(unsafeSQL: "SELECT a.ok FROM \(from) AS a(ok)", binds: bindings)
    }

    /// The FROM item that checks the token and sets the settings. Its values are the request's
    /// principal's, bound as the first parameters of every statement.
    func preamble(_ builder: inout SQLBuilder) -> String {
        switch self {
        case .user(let token, let assignment, let idle):
            let user = { @Sendable (inputs: PlanInputs) throws -> (Data, Int, Int) in
                guard case .user(let token, let assignment, let idle) = inputs.actingAs else { throw QueryError.unauthenticated }
                return (token, assignment, idle)
            }
            return """
                eduql.act_as(\(builder.bind(Parameter.request(token) { try user($0).0 })), \
                \(builder.bind(Parameter.request(assignment) { try user($0).1 })), \
                make_interval(secs => \(builder.bind(Parameter.request(idle) { try user($0).2 }))))
                """
        case .client(let token):
            let client = Parameter.request(token) { inputs in
                guard case .client(let token) = inputs.actingAs else { throw QueryError.unauthenticated }
                return token
            }
            return "eduql.act_as_client(\(builder.bind(client)))"
        }
    }
}
