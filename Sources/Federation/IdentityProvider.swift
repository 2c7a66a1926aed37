import Foundation

/// An OpenID provider EduQL trusts for sign-in, as the operator configures it: who it is
/// (the issuer, checked exactly against its discovery document and every token), EduQL's
/// client at it, and which claim names a person in the register.
public struct IdentityProvider: Sendable, Codable, Equatable {
    /// The name in EduQL's URLs (`/auth/federated/{id}/…`): lower-case letters, digits, `-`, `_`.
    public var id: String
    /// The region whose people sign in through it (its code, as `eduql region create` set it).
    public var region: String
    /// The issuer identifier; its discovery document is at `{issuer}/.well-known/openid-configuration`.
    public var issuer: String
    public var clientID: String
    public var clientSecret: String
    /// Scopes asked for; `openid` is always among them. Default `openid`.
    public var scopes: [String]
    /// The ID token's claim whose value is a person's SNILS in the register. Never an e-mail:
    /// only a claim the provider verified. Default `snils`.
    public var snilsClaim: String
    /// Signature algorithms accepted in ID tokens; default RS256, PS256, ES256. Never `none`,
    /// never an HMAC (whose key would be the provider's public key).
    public var algorithms: [String]
    /// The ЕСИА profile (its own endpoints, certificates and signer) instead of OpenID
    /// Connect's discovery and JWKS; nil for a plain OpenID provider.
    public var esia: ESIAProfile?

    public static let allowedAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"]

    public init(id: String, region: String, issuer: String, clientID: String, clientSecret: String, scopes: [String] = ["openid"],
                snilsClaim: String = "snils", algorithms: [String] = ["RS256", "PS256", "ES256"], esia: ESIAProfile? = nil) {
        self.id = id
        self.region = region
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
        self.snilsClaim = snilsClaim
        self.algorithms = algorithms
        self.esia = esia
    }

    /// An ЕСИА provider: its issuer, the scopes it needs, RS256; the client is the system's mnemonic.
    public static func esia(id: String, region: String, clientID: String, profile: ESIAProfile, issuer: String = ESIAProfile.issuer) -> IdentityProvider {
        IdentityProvider(id: id, region: region, issuer: issuer, clientID: clientID, clientSecret: "", scopes: ESIAProfile.scopes,
                         snilsClaim: "snils", algorithms: ["RS256"], esia: profile)
    }

    enum CodingKeys: String, CodingKey { case id, region, issuer, clientID = "clientId", clientSecret, scopes, snilsClaim, algorithms, esia }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let esia = try container.decodeIfPresent(ESIAProfile.self, forKey: .esia)
        self.init(id: try container.decode(String.self, forKey: .id), region: try container.decode(String.self, forKey: .region),
                  issuer: try container.decodeIfPresent(String.self, forKey: .issuer) ?? (esia == nil ? "" : ESIAProfile.issuer),
                  clientID: try container.decode(String.self, forKey: .clientID),
                  clientSecret: try container.decodeIfPresent(String.self, forKey: .clientSecret) ?? "",
                  scopes: try container.decodeIfPresent([String].self, forKey: .scopes) ?? (esia == nil ? ["openid"] : ESIAProfile.scopes),
                  snilsClaim: try container.decodeIfPresent(String.self, forKey: .snilsClaim) ?? "snils",
                  algorithms: try container.decodeIfPresent([String].self, forKey: .algorithms) ?? (esia == nil ? ["RS256", "PS256", "ES256"] : ["RS256"]),
                  esia: esia)
    }

    /// Why this provider's configuration cannot be used, or nil.
    public var problem: String? {
        if self.id.range(of: "^[a-z0-9][a-z0-9_-]{0,31}$", options: .regularExpression) == nil { return "id must be 1–32 of a-z, 0-9, - and _" }
        if self.algorithms.isEmpty || !Set(self.algorithms).isSubset(of: Self.allowedAlgorithms) {
            return "algorithms must be some of " + Self.allowedAlgorithms.sorted().joined(separator: ", ")
        }
        if let esia = self.esia {
            // ЕСИА's issuer is a name in its tokens, never fetched; its client authenticates by signature.
            if self.issuer.isEmpty || self.clientID.isEmpty { return "issuer and clientId (the system's mnemonic) are required" }
            if !Set(self.algorithms).isSubset(of: ["RS256", "RS384", "RS512"]) { return "ЕСИА's tokens are verified with RS256, RS384 or RS512" }
            return esia.problem
        }
        guard let url = URL(string: self.issuer), let scheme = url.scheme, url.host != nil, url.query == nil, url.fragment == nil else {
            return "issuer must be an absolute URL without query or fragment"
        }
        if scheme != "https" && !(scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(url.host ?? "")) {
            return "issuer must be https (http only on loopback)"
        }
        if self.clientID.isEmpty || self.clientSecret.isEmpty { return "clientId and clientSecret are required" }
        if self.snilsClaim.isEmpty || self.snilsClaim == "email" { return "snilsClaim must name a claim the provider verifies (not email)" }
        return nil
    }

    /// The scopes sent: the configured ones, `openid` first.
    var scopeParameter: String { (["openid"] + self.scopes.filter { $0 != "openid" }).joined(separator: " ") }
}
