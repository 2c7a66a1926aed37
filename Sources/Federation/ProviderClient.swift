import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore
import NIOHTTP1

/// Talks to one provider: its discovery document (read once, its `issuer` checked exactly),
/// its JWKS (through ``ProviderKeys``), and its token endpoint (the code exchanged with the
/// PKCE verifier, the client authenticated with `client_secret_basic`). Every request is
/// bounded in time and in the size of its answer.
public actor ProviderClient {
    public struct Configuration: Sendable {
        /// Longest wait for one answer of the provider. Default 5 seconds.
        public var timeout: Duration = .seconds(5)
        /// Largest answer read. Default 1 MiB.
        public var maximumAnswer = 1 << 20
        /// Clock skew allowed in tokens. Default 60 seconds.
        public var skew: TimeInterval = 60
        /// Shortest time between two fetches of the JWKS that tokens naming unknown keys prompt.
        /// Default 10 seconds.
        public var keyRefetchInterval: Duration = .seconds(10)

        public init() {}
    }

    public nonisolated let provider: IdentityProvider
    let configuration: Configuration
    let http: HTTPClient
    /// Signs ЕСИА's `client_secret` (nil for other providers).
    let signer: (any ClientSecretSigner)?
    private var metadata: ProviderMetadata?
    private var keys: ProviderKeys?
    var esiaVerifier: ESIATokenVerifier?

    /// A client of `provider`; an ЕСИА provider signs with `signer`, or else with the signer its profile configures.
    public init(provider: IdentityProvider, http: HTTPClient = .shared, configuration: Configuration = .init(), signer: (any ClientSecretSigner)? = nil) {
        self.provider = provider
        self.http = http
        self.configuration = configuration
        self.signer = signer ?? provider.esia?.signer.signer(http: http, timeout: configuration.timeout)
    }

    /// A new sign-in's `state`: 32 random bytes; for ЕСИА, which asks for one, a random UUID.
    public nonisolated func newState() -> String {
        self.provider.esia == nil ? Base64URL.random(bytes: 32) : UUID().uuidString.lowercased()
    }

    /// The provider's discovery document (fetched once).
    public func discovery() async throws -> ProviderMetadata {
        if let metadata { return metadata }
        let url = self.provider.issuer.hasSuffix("/") ? self.provider.issuer + ".well-known/openid-configuration"
            : self.provider.issuer + "/.well-known/openid-configuration"
        let metadata = try Self.decode(ProviderMetadata.self, from: try await self.get(url))
        guard metadata.issuer == self.provider.issuer else {
            throw FederationRefusal("PROVIDER_MISCONFIGURED", "the discovery document names another issuer")
        }
        if let methods = metadata.codeChallengeMethods, !methods.contains("S256") {
            throw FederationRefusal("PROVIDER_MISCONFIGURED", "the provider does not support PKCE with S256")
        }
        self.metadata = metadata
        return metadata
    }

    /// The verifier of this provider's tokens.
    func verifier() async throws -> IDTokenVerifier {
        let metadata = try await self.discovery()
        if self.keys == nil {
            let url = metadata.jwksURI
            self.keys = ProviderKeys(configuration: .init(refetchInterval: self.configuration.keyRefetchInterval)) { [self] in try Self.decode(JWKS.self, from: try await self.get(url)) }
        }
        return IDTokenVerifier(provider: self.provider, keys: self.keys!, skew: self.configuration.skew)
    }

    /// The URL the browser is sent to, to sign in.
    public func authorizationURL(redirectURI: String, state: String, nonce: String, pkce: PKCE, loginHint: String? = nil) async throws -> String {
        if let profile = self.provider.esia { return try await self.esiaAuthorizationURL(profile, redirectURI: redirectURI, state: state, nonce: nonce) }
        let metadata = try await self.discovery()
        var components = URLComponents(string: metadata.authorizationEndpoint)
        var items = components?.queryItems ?? []
        items += [
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "client_id", value: self.provider.clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "scope", value: self.provider.scopeParameter),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "nonce", value: nonce),
            URLQueryItem(name: "code_challenge", value: pkce.challenge),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        if let loginHint { items.append(URLQueryItem(name: "login_hint", value: loginHint)) }
        components?.queryItems = items
        // `+` in a value would read as a space: encode it too.
        let query = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = query
        guard let url = components?.string else { throw FederationRefusal("PROVIDER_MISCONFIGURED", "the authorization endpoint is not a URL") }
        return url
    }

    /// A person signed in at the provider: the ID token's checked claims, its other claims that
    /// are text, and what the provider verified of the person.
    public struct SignedIn: Sendable {
        public var token: IDToken
        public var claims: [String: String]
        /// The SNILS as the provider wrote it, when it vouches for it (the configured claim; ЕСИА: a confirmed account's).
        public var snils: String?
        /// The person's last name and birth date (`yyyy-MM-dd`), which the register's person must
        /// also have, when the provider gives them to match (ЕСИА).
        public var lastName: String?
        public var birthDate: String?
    }

    /// Exchanges an authorization code for the ID token, verified; the provider's other tokens
    /// are dropped here.
    public func redeem(code: String, redirectURI: String, pkce: PKCE, nonce: String) async throws -> SignedIn {
        if let profile = self.provider.esia { return try await self.esiaRedeem(profile, code: code, redirectURI: redirectURI, nonce: nonce) }
        let metadata = try await self.discovery()
        let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", pkce.verifier)]
            .map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: metadata.tokenEndpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        let credentials = Self.formEncode(self.provider.clientID) + ":" + Self.formEncode(self.provider.clientSecret)
        request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        request.body = .bytes(ByteBuffer(string: form))
        let (status, body) = try await self.send(request)
        guard status == .ok else { throw FederationRefusal("CODE_REFUSED", "the provider refused the code (\(status.code))") }
        struct TokenAnswer: Decodable { var id_token: String? }
        guard let idToken = (try? JSONDecoder().decode(TokenAnswer.self, from: body))?.id_token else {
            throw FederationRefusal.token("the provider sent no ID token")
        }
        let token = try await self.verifier().verify(idToken: idToken, nonce: nonce)
        // The signature held: the payload's other claims can be read as they are.
        let payload = idToken.split(separator: ".", omittingEmptySubsequences: false)[1]
        let object = Base64URL.decode(payload).flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any] ?? [:]
        let claims = object.compactMapValues { $0 as? String }
        return SignedIn(token: token, claims: claims, snils: claims[self.provider.snilsClaim])
    }

    /// Where to send the browser so the person signs out at the provider too, and comes back to
    /// `returnURL`: ЕСИА's logout with `redirect_url`, or the discovery document's
    /// `end_session_endpoint`; nil when the provider has none.
    public func logoutURL(returnURL: String) async throws -> String? {
        var components: URLComponents?
        if let profile = self.provider.esia {
            components = URLComponents(string: profile.logoutEndpoint)
            components?.queryItems = [URLQueryItem(name: "client_id", value: self.provider.clientID), URLQueryItem(name: "redirect_url", value: returnURL)]
        } else if let endpoint = try await self.discovery().endSessionEndpoint {
            components = URLComponents(string: endpoint)
            let items = components?.queryItems ?? []
            components?.queryItems = items + [URLQueryItem(name: "client_id", value: self.provider.clientID),
                                              URLQueryItem(name: "post_logout_redirect_uri", value: returnURL)]
        }
        let query = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = query
        return components?.string
    }

    /// Verifies a back-channel logout token.
    public func verify(logoutToken: String) async throws -> LogoutToken {
        try await self.verifier().verify(logoutToken: logoutToken)
    }

    func get(_ url: String, bearer: String? = nil) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer " + bearer) }
        let (status, body) = try await self.send(request)
        guard status == .ok else { throw FederationRefusal.providerUnavailable }
        return body
    }

    nonisolated func send(_ request: HTTPClientRequest) async throws -> (HTTPResponseStatus, Data) {
        do {
            let timeout = TimeAmount.nanoseconds(Int64(self.configuration.timeout.components.seconds) * 1_000_000_000
                                                 + self.configuration.timeout.components.attoseconds / 1_000_000_000)
            let response = try await self.http.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: self.configuration.maximumAnswer)
            return (response.status, Data(body.readableBytesView))
        } catch let refusal as FederationRefusal {
            throw refusal
        } catch {
            throw FederationRefusal.providerUnavailable
        }
    }

    /// A provider's answer as JSON; an answer that is not the document asked for is the provider's failure.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch { throw FederationRefusal.providerUnavailable }
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks for the client's credentials too.
    static func formEncode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? ""
    }
}
