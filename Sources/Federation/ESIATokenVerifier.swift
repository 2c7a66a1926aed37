import Foundation
import JWTKit

/// Verifies ЕСИА's ID tokens: no `kid` and no JWKS, so the signature is checked against the keys
/// of the certificates the operator configured (any one of them — two during a rotation),
/// with the algorithm from the provider's allow-list (RSA only); then the same claim checks as
/// any provider's, except that `nonce` is checked only when the token carries one (ЕСИА's
/// operator has advised clients not to require it), and a subject that is not a person is refused.
struct ESIATokenVerifier: Sendable {
    let provider: IdentityProvider
    /// One collection per certificate and algorithm.
    let collections: [String: [JWTKeyCollection]]
    var skew: TimeInterval = 60

    static func make(provider: IdentityProvider, profile: ESIAProfile, skew: TimeInterval) async throws -> ESIATokenVerifier {
        let keys = try profile.keys()
        var collections: [String: [JWTKeyCollection]] = [:]
        for algorithm in provider.algorithms {
            let digest: DigestAlgorithm? = switch algorithm {
            case "RS256": .sha256
            case "RS384": .sha384
            case "RS512": .sha512
            default: nil
            }
            guard let digest else { continue }
            var list: [JWTKeyCollection] = []
            for key in keys { list.append(await JWTKeyCollection().add(rsa: key, digestAlgorithm: digest)) }
            collections[algorithm] = list
        }
        return ESIATokenVerifier(provider: provider, collections: collections, skew: skew)
    }

    func verify(idToken token: String, nonce: String?, now: Date = Date()) async throws -> ESIAIDToken {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]),
              let header = try? JSONDecoder().decode(IDTokenVerifier.Header.self, from: headerData) else {
            throw FederationRefusal.token("not a signed JWT")
        }
        guard let collections = self.collections[header.alg] else { throw FederationRefusal.token("the algorithm \(header.alg.prefix(10)) is not allowed") }
        var verified: ESIAIDToken?
        for collection in collections {
            if let claims = try? await collection.verify(token, as: ESIAIDToken.self) {
                verified = claims
                break
            }
        }
        guard let claims = verified else { throw FederationRefusal.token("the signature does not hold") }
        let checks = IDTokenVerifier.ClaimChecks(provider: self.provider, skew: self.skew)
        try checks.check(claims.idToken, now: now)
        if let given = claims.nonce {
            guard let nonce, given.utf8.elementsEqual(nonce.utf8) else { throw FederationRefusal.token("the nonce is not this sign-in's") }
        }
        if let subject = claims.subject {
            guard subject.type == nil || subject.type == "P" else { throw FederationRefusal.token("the subject is not a person") }
            if let oid = subject.oid, oid != claims.sub { throw FederationRefusal.token("the subject's oid is not the token's subject") }
        }
        return claims
    }
}
