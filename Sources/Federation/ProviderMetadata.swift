/// What a provider's discovery document says about it (OpenID Connect Discovery 1.0).
public struct ProviderMetadata: Sendable, Decodable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var jwksURI: String
    public var endSessionEndpoint: String?
    public var codeChallengeMethods: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case endSessionEndpoint = "end_session_endpoint"
        case codeChallengeMethods = "code_challenge_methods_supported"
    }
}
