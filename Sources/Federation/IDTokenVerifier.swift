import Foundation
import JWTKit

/// Verifies a provider's ID and logout tokens: the header's algorithm from the provider's
/// allow-list (never `none`, never an HMAC), the signature against the key its `kid` names in
/// the provider's JWKS, `iss` exactly the issuer, `aud` naming EduQL's client (and `azp`, when
/// given or when there are several audiences, EduQL's client), `exp` and `iat` within the
/// allowed skew, and the sign-in's `nonce`.
struct IDTokenVerifier: Sendable {
    let provider: IdentityProvider
    let keys: ProviderKeys
    /// Clock skew allowed for `exp` and `iat`. Default 60 seconds.
    var skew: TimeInterval = 60

    struct Header: Decodable {
        var alg: String
        var kid: String?
        var typ: String?
    }

    /// The ID token's claims, once every check holds.
    func verify(idToken token: String, nonce: String?, now: Date = Date()) async throws -> IDToken {
        let claims: IDToken = try await self.signed(token, as: IDToken.self)
        try ClaimChecks(provider: self.provider, skew: self.skew).check(claims, now: now)
        if let nonce {
            guard let given = claims.nonce, given.utf8.elementsEqual(nonce.utf8) else { throw FederationRefusal.token("the nonce is not this sign-in's") }
        }
        return claims
    }

    /// The checks of an ID token's claims every provider's tokens pass (the nonce apart).
    struct ClaimChecks {
        let provider: IdentityProvider
        let skew: TimeInterval

        func check(_ claims: IDToken, now: Date) throws {
            try self.check(issuer: claims.iss, audience: claims.aud, authorizedParty: claims.azp)
            guard claims.exp + self.skew > now.timeIntervalSince1970 else { throw FederationRefusal.token("the token has expired") }
            guard claims.iat - self.skew <= now.timeIntervalSince1970 else { throw FederationRefusal.token("the token is issued in the future") }
            guard claims.exp > claims.iat, claims.exp - claims.iat <= 86_400 else { throw FederationRefusal.token("the token's lifetime is implausible") }
            guard !claims.sub.isEmpty, claims.sub.utf8.count <= 255 else { throw FederationRefusal.token("the subject is empty or too long") }
        }

        func check(issuer: String, audience: AudienceClaim, authorizedParty: String?) throws {
            guard issuer.utf8.elementsEqual(self.provider.issuer.utf8) else { throw FederationRefusal.token("the issuer is not the provider") }
            guard audience.value.contains(self.provider.clientID) else { throw FederationRefusal.token("the token is not for EduQL") }
            if audience.value.count > 1 || authorizedParty != nil {
                guard authorizedParty == self.provider.clientID else { throw FederationRefusal.token("the authorized party is not EduQL") }
            }
        }
    }

    /// A back-channel logout token's claims, once every check holds (it has the logout event,
    /// a `sub` or a `sid`, and no `nonce`).
    func verify(logoutToken token: String, now: Date = Date()) async throws -> LogoutToken {
        let claims: LogoutToken = try await self.signed(token, as: LogoutToken.self)
        try ClaimChecks(provider: self.provider, skew: self.skew).check(issuer: claims.iss, audience: claims.aud, authorizedParty: nil)
        guard claims.iat - self.skew <= now.timeIntervalSince1970, claims.iat + 600 > now.timeIntervalSince1970 else {
            throw FederationRefusal.token("the logout token is not recent")
        }
        if let exp = claims.exp, exp + self.skew <= now.timeIntervalSince1970 { throw FederationRefusal.token("the logout token has expired") }
        guard claims.events[LogoutToken.event] != nil, claims.nonce == nil, claims.sub != nil || claims.sid != nil else {
            throw FederationRefusal.token("not a logout token")
        }
        return claims
    }

    /// The claims of a token whose algorithm is allowed and whose signature holds under the
    /// provider's key that its header names.
    func signed<Payload: JWTPayload>(_ token: String, as: Payload.Type) async throws -> Payload {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]),
              let header = try? JSONDecoder().decode(Header.self, from: headerData) else {
            throw FederationRefusal.token("not a signed JWT")
        }
        guard self.provider.algorithms.contains(header.alg), IdentityProvider.allowedAlgorithms.contains(header.alg) else {
            throw FederationRefusal.token("the algorithm \(header.alg.prefix(10)) is not allowed")
        }
        guard let kid = header.kid, !kid.isEmpty else { throw FederationRefusal.token("the token names no key") }
        let keys = try await self.keys.keys(holding: kid)
        guard let jwk = keys.set.find(identifier: kid)?.first else { throw FederationRefusal.token("the provider publishes no key \(kid.prefix(40))") }
        // The key's own algorithm, where the JWKS states one, must be the header's.
        if let stated = jwk.algorithm, stated.rawValue != header.alg { throw FederationRefusal.token("the key is not for \(header.alg)") }
        do {
            return try await keys.collection.verify(token, as: Payload.self)
        } catch {
            throw FederationRefusal.token("the signature does not hold")
        }
    }
}
