/// Who a request acts as: a user in one role, or an integration client under its grant.
public enum Principal: Sendable, Equatable {
    case user(UserPrincipal)
    case client(ClientPrincipal)

    /// The policy the principal reads under.
    public var policy: Policy {
        switch self {
        case .user(let user): Policy.of(user.role)
        case .client(let client): Policy.of(client)
        }
    }
}
