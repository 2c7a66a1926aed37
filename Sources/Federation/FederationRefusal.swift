/// Why a federated sign-in, link or logout was refused: `code` goes to the audit event, and
/// the caller hears only that it failed (and, for a person the register does not hold, whom
/// to ask).
public struct FederationRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var reason: String

    public init(_ code: String, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(self.code): \(self.reason)" }

    public static let unknownProvider = FederationRefusal("UNKNOWN_PROVIDER", "no such sign-in provider")
    public static let badState = FederationRefusal("BAD_STATE", "the sign-in is unknown, used, expired, or not this browser's")
    public static let providerError = FederationRefusal("PROVIDER_ERROR", "the provider did not sign the person in")
    public static let badReturn = FederationRefusal("BAD_RETURN", "the return address must be a path of this server")
    public static let notInRegister = FederationRefusal(
        "NOT_IN_REGISTER", "no person of the region's register matches this account; contact your school")
    public static let linkNeedsPassword = FederationRefusal(
        "LINK_NEEDS_PASSWORD_SESSION", "a staff account is linked from a password session of that account, or by an administrator")
    public static let providerUnavailable = FederationRefusal("PROVIDER_UNAVAILABLE", "the provider did not answer as it should")

    static func token(_ reason: String) -> FederationRefusal { FederationRefusal("INVALID_ID_TOKEN", reason) }
}
