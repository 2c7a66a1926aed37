import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The ЕСИА profile: the v2 authorization and v3 token endpoints, `client_secret` as the
/// external signer's signature of `client_id + scope + timestamp + state + redirect_uri`
/// (`+ code` at the token endpoint, with a state of its own), `client_certificate_hash`; the
/// ID token verified against the configured certificates; the person read from `/rs/prns/{oid}`,
/// its SNILS believed only from a confirmed account. ЕСИА's tokens go no further than here.
extension ProviderClient {
    /// ЕСИА's `timestamp`: `yyyy.MM.dd HH:mm:ss +0000`, in UTC.
    static func esiaTimestamp(_ date: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "\(c.year ?? 1970).\(two(c.month)).\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    /// `client_secret`: the signature of the parameters' concatenation, base64url.
    func clientSecret(_ parts: [String]) async throws -> String {
        guard let signer = self.signer else { throw FederationRefusal.signerFailed }
        let signature: Data
        do { signature = try await signer.sign(Data(parts.joined().utf8)) } catch { throw FederationRefusal.signerFailed }
        return Base64URL.encode(signature)
    }

    func esiaAuthorizationURL(_ profile: ESIAProfile, redirectURI: String, state: String, nonce: String) async throws -> String {
        let scope = self.provider.scopeParameter
        let timestamp = Self.esiaTimestamp()
        let secret = try await self.clientSecret([self.provider.clientID, scope, timestamp, state, redirectURI])
        var components = URLComponents(string: profile.authorizationEndpoint)
        components?.queryItems = [
            URLQueryItem(name: "client_id", value: self.provider.clientID),
            URLQueryItem(name: "client_secret", value: secret),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "scope", value: scope),
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "timestamp", value: timestamp),
            URLQueryItem(name: "access_type", value: "online"),
            URLQueryItem(name: "client_certificate_hash", value: profile.clientCertificateHash),
            URLQueryItem(name: "nonce", value: nonce),
        ]
        let query = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = query
        guard let url = components?.string else { throw FederationRefusal("PROVIDER_MISCONFIGURED", "ЕСИА's address is not a URL") }
        return url
    }

    func esiaRedeem(_ profile: ESIAProfile, code: String, redirectURI: String, nonce: String) async throws -> SignedIn {
        let scope = self.provider.scopeParameter
        let timestamp = Self.esiaTimestamp()
        let state = UUID().uuidString.lowercased()
        let secret = try await self.clientSecret([self.provider.clientID, scope, timestamp, state, redirectURI, code])
        let form = [("client_id", self.provider.clientID), ("code", code), ("grant_type", "authorization_code"), ("client_secret", secret),
                    ("state", state), ("redirect_uri", redirectURI), ("scope", scope), ("timestamp", timestamp), ("token_type", "Bearer"),
                    ("client_certificate_hash", profile.clientCertificateHash)]
            .map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: profile.tokenEndpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: form))
        let (status, body) = try await self.send(request)
        guard status == .ok else { throw FederationRefusal("CODE_REFUSED", "ЕСИА refused the code (\(status.code))") }
        struct TokenAnswer: Decodable {
            var id_token: String?
            var access_token: String?
            var state: String?
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: body), let idToken = answer.id_token,
              let accessToken = answer.access_token, !accessToken.isEmpty else {
            throw FederationRefusal.token("ЕСИА sent no ID token")
        }
        if let echoed = answer.state, echoed != state { throw FederationRefusal.token("ЕСИА's answer is for another request") }
        let claims = try await self.esiaTokenVerifier(profile).verify(idToken: idToken, nonce: nonce)
        let person = try Self.decode(ESIAPerson.self, from: try await self.get(profile.personEndpoint(claims.sub.oid), bearer: accessToken))
        // A SNILS links only from a confirmed account, and only together with the name and birth date to match.
        let lastName = person.lastName.map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
        let usable = person.trusted == true && claims.subject?.trusted != false && lastName != nil && person.isoBirthDate != nil
        return SignedIn(token: claims.idToken, claims: [:], snils: usable ? person.snils : nil, lastName: lastName, birthDate: person.isoBirthDate)
    }

    func esiaTokenVerifier(_ profile: ESIAProfile) async throws -> ESIATokenVerifier {
        if let esiaVerifier { return esiaVerifier }
        do {
            let verifier = try await ESIATokenVerifier.make(provider: self.provider, profile: profile, skew: self.configuration.skew)
            self.esiaVerifier = verifier
            return verifier
        } catch {
            throw FederationRefusal("PROVIDER_MISCONFIGURED", "ЕСИА's certificates cannot be read")
        }
    }
}
