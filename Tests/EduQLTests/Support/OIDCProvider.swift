import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The OpenID provider of `Tests/Fixtures/oidc_provider.py`, started on a free loopback port
/// for one suite and stopped after it: a real HTTP server that signs real RS256 tokens and
/// enforces PKCE, steered through its `/control` endpoint.
final class OIDCProvider: Sendable {
    let port: Int
    let clientID = "eduql-tests"
    let clientSecret = "test-secret-\(UUID().uuidString)"
    private let process: Process
    /// A client that follows no redirect: the test is the browser. One for the test process.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
    var http: HTTPClient { Self.client }

    var issuer: String { "http://127.0.0.1:\(self.port)" }

    init() throws {
        self.port = try freePort()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/oidc_provider.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, String(self.port), self.clientID, self.clientSecret]
        let output = Pipe()
        process.standardOutput = output
        // Not the test's own standard error: a child holding that open keeps `swift test` waiting after the tests end.
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        // It prints "ready" once it listens.
        let line = output.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).contains("ready") else {
            process.terminate()
            throw ProviderFailure(message: "the test OpenID provider did not start: \(String(decoding: line, as: UTF8.self))")
        }
    }

    struct ProviderFailure: Error { var message: String }

    /// Stops the provider (it also stops by itself once the test process is gone). Not waited
    /// for: Foundation's waitUntilExit spins a run loop, which a concurrency thread must not.
    func stop() { if self.process.isRunning { self.process.terminate() } }

    deinit { self.stop() }

    /// Sends a command to `/control` (people, a forged next token, a key rotation).
    @discardableResult
    func control(_ command: [String: Any]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: "\(self.issuer)/control")
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: command)))
        return try await self.json(request)
    }

    /// What the provider saw: JWKS fetches, the last token request (without the secret), the last session id.
    func state() async throws -> [String: Any] { try await self.json(HTTPClientRequest(url: "\(self.issuer)/control")) }

    /// A signed back-channel logout token for a provider session.
    func logoutToken(sid: String) async throws -> String {
        try await self.json(HTTPClientRequest(url: "\(self.issuer)/control/logout-token?sid=\(sid)"))["logout_token"] as? String ?? ""
    }

    func json(_ request: HTTPClientRequest) async throws -> [String: Any] {
        let response = try await self.http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// Follows the browser's way through the provider's authorization endpoint: the `Location`
    /// it redirects back to.
    func authorize(_ url: String) async throws -> URLComponents? {
        let response = try await self.http.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.headers.first(name: "location").flatMap { URLComponents(string: $0) }
    }
}
