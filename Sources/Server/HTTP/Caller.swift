import EduQLAccessControl
import EduQLResolvers

/// Who sent a request that presented a bearer token: the principal and how statements act for
/// it, or why the token does not hold.
struct Caller: Sendable {
    enum Refusal: Error, Sendable {
        /// No such token, or one expired, revoked or of a disabled account.
        case unauthenticated
        /// `X-EduQL-Role` names a role the account does not hold.
        case roleNotHeld
    }

    var resolved: Result<Resolved, Refusal>

    struct Resolved: Sendable {
        var principal: Principal
        var actingAs: ActingAs
    }

    /// The principal, or the refusal as the engine reports it.
    func get() throws(QueryError) -> Resolved {
        switch self.resolved {
        case .success(let resolved):
            if case .user(let user) = resolved.principal, user.mustChangePassword { throw .passwordChangeRequired }
            return resolved
        case .failure(.unauthenticated): throw .unauthenticated
        case .failure(.roleNotHeld): throw .forbidden("The role named is not one this account holds.")
        }
    }
}
