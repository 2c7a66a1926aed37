import Foundation
import PostgresNIO

/// Whom a statement acts for: the database checks the token again and sets the tenancy itself
/// (`eduql.act_as`, `eduql.act_as_client`) at the start of every statement.
///
/// The principal's region is bound too, for the `region_id` condition the engine prints on every
/// tenant table it reads (the key a deployment distributes by): a routing key, not a grant — the
/// rows a statement sees are still the ones the tenancy the database set lets through.
public enum ActingAs: Sendable {
    case user(tokenSHA256: Data, assignmentID: Int, idleSeconds: Int, regionID: Int)
    case client(tokenSHA256: Data, regionID: Int)

    /// The region of the principal's scope.
    var regionID: Int {
        switch self {
        case .user(_, _, _, let region), .client(_, let region): region
        }
    }

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

    /// The principal's region as a parameter of the statement being built (bound once, named
    /// wherever a relation is read).
    func region(_ builder: inout SQLBuilder) -> String {
        builder.bind(Parameter.request(self.regionID) { $0.actingAs.regionID })
    }

    /// The FROM item of a statement run later in a transaction whose ``check`` passed: true
    /// while the transaction's tenancy is this principal's role assignment, false or NULL in any
    /// other transaction (act_as sets the tenancy for its transaction only, so a statement on a
    /// connection whose transaction did not check this principal reads nothing). It binds the
    /// same values as ``preamble(_:)`` without checking the session a second time. An
    /// integration client's statements check again (``preamble(_:)``).
    func checkedPreamble(_ builder: inout SQLBuilder) -> String {
        guard case .user(let token, let assignment, let idle, _) = self else { return self.preamble(&builder) }
        let slots = Self.userSlots(token, assignment, idle, &builder)
        return "(SELECT current_setting('eduql.assignment_id', true) = (\(slots.assignment))::text "
            + "AND \(slots.token) IS NOT NULL AND \(slots.idle) IS NOT NULL)"
    }

    /// The FROM item that checks the token and sets the settings. Its values are the request's
    /// principal's, bound as the first parameters of every statement.
    func preamble(_ builder: inout SQLBuilder) -> String {
        switch self {
        case .user(let token, let assignment, let idle, _):
            let slots = Self.userSlots(token, assignment, idle, &builder)
            return "eduql.act_as(\(slots.token), \(slots.assignment), make_interval(secs => \(slots.idle)))"
        case .client(let token, _):
            let client = Parameter.request(token) { inputs in
                guard case .client(let token, _) = inputs.actingAs else { throw QueryError.unauthenticated }
                return token
            }
            return "eduql.act_as_client(\(builder.bind(client)))"
        }
    }

    /// A user's token hash, role assignment and idle limit, bound in that order; each request
    /// binds its own principal's.
    private static func userSlots(_ token: Data, _ assignment: Int, _ idle: Int,
                                  _ builder: inout SQLBuilder) -> (token: String, assignment: String, idle: String) {
        let user = { @Sendable (inputs: PlanInputs) throws -> (Data, Int, Int) in
            guard case .user(let token, let assignment, let idle, _) = inputs.actingAs else { throw QueryError.unauthenticated }
            return (token, assignment, idle)
        }
        return (builder.bind(Parameter.request(token) { try user($0).0 }), builder.bind(Parameter.request(assignment) { try user($0).1 }),
                builder.bind(Parameter.request(idle) { try user($0).2 }))
    }
}
