/// A signed-in user acting in exactly one role assignment, as resolved from a session token.
public struct UserPrincipal: Sendable, Equatable {
    public var sessionID: Int
    public var userID: Int
    public var login: String
    public var assignmentID: Int
    public var role: Role
    public var scope: Scope
    /// The person behind the account, where linked.
    public var staffID: Int?
    public var guardianID: Int?
    public var learnerID: Int?
    /// A temporary or expired password: the session may only change it or sign out.
    public var mustChangePassword: Bool
}
