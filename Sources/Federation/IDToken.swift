import Foundation
import JWTKit

/// The claims of an ID token EduQL reads (OpenID Connect Core §2), once its signature holds;
/// ``IDTokenVerifier`` checks them.
public struct IDToken: JWTPayload, Equatable {
    public var iss: String
    public var sub: String
    public var aud: AudienceClaim
    public var exp: Double
    public var iat: Double
    public var azp: String?
    public var nonce: String?
    /// The provider's session (for back-channel logout).
    public var sid: String?

    /// Checked by ``IDTokenVerifier``, against the provider's configuration and the sign-in's nonce.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A back-channel logout token (OpenID Connect Back-Channel Logout 1.0 §2.4).
public struct LogoutToken: JWTPayload, Equatable {
    public var iss: String
    public var aud: AudienceClaim
    public var iat: Double
    public var exp: Double?
    public var jti: String?
    public var sub: String?
    public var sid: String?
    public var nonce: String?
    public var events: [String: JSONObject]

    public struct JSONObject: Codable, Sendable, Equatable {}

    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    static let event = "http://schemas.openid.net/event/backchannel-logout"
}
