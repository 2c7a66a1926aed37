import AsyncHTTPClient
import Foundation

/// The OpenID provider of `Tests/Fixtures/oidc_provider.py`: a real HTTP server that signs real
/// RS256 tokens and enforces PKCE.
final class OIDCProvider: Sendable {
    let server: FixtureServer
    let clientID = "eduql-tests"
    let clientSecret = "test-secret-\(UUID().uuidString)"

    var issuer: String { self.server.base }
    var http: HTTPClient { FixtureServer.client }

    init() throws {
        self.server = try FixtureServer(script: "oidc_provider.py", arguments: [self.clientID, self.clientSecret])
    }

    func stop() { self.server.stop() }

    /// Sends a command to `/control` (people, a forged next token, a key rotation).
    @discardableResult
    func control(_ command: [String: Any]) async throws -> [String: Any] { try await self.server.control(command) }

    /// What the provider saw: JWKS fetches, the last token request (without the secret), the last session id.
    func state() async throws -> [String: Any] { try await self.server.state() }

    /// A signed back-channel logout token for a provider session.
    func logoutToken(sid: String) async throws -> String {
        try await self.server.json(HTTPClientRequest(url: "\(self.issuer)/control/logout-token?sid=\(sid)"))["logout_token"] as? String ?? ""
    }

    /// The `Location` the provider's authorization endpoint redirects back to.
    func authorize(_ url: String) async throws -> URLComponents? { try await self.server.authorize(url) }
}
