import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A Python test server of `Tests/Fixtures` (an OpenID provider, an ЕСИА-shaped one), started on a
/// free loopback port for one suite and stopped after it; it also stops by itself once the test
/// process is gone. Steered through its `/control` endpoint.
final class FixtureServer: Sendable {
    let port: Int
    private let process: Process
    /// A client that follows no redirect: the test is the browser. One for the test process.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    var base: String { "http://127.0.0.1:\(self.port)" }

    /// The path of a file in `Tests/Fixtures`.
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)").path
    }

    /// Starts `script` with the port as its first argument; it prints "ready" once it listens.
    init(script: String, arguments: [String]) throws {
        self.port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.fixture(script), String(self.port)] + arguments
        let output = Pipe()
        process.standardOutput = output
        // Not the test's own standard error: a child holding that open keeps `swift test` waiting after the tests end.
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let line = output.fileHandleForReading.availableData
        guard String(decoding: line, as: UTF8.self).contains("ready") else {
            process.terminate()
            throw Failure(message: "\(script) did not start: \(String(decoding: line, as: UTF8.self))")
        }
    }

    struct Failure: Error { var message: String }

    /// Stops the server. Not waited for: Foundation's waitUntilExit spins a run loop, which a concurrency thread must not.
    func stop() { if self.process.isRunning { self.process.terminate() } }

    deinit { self.stop() }

    /// Sends a command to `/control`.
    @discardableResult
    func control(_ command: [String: Any]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: "\(self.base)/control")
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: command)))
        return try await self.json(request)
    }

    /// What the server saw (`GET /control`).
    func state() async throws -> [String: Any] { try await self.json(HTTPClientRequest(url: "\(self.base)/control")) }

    func json(_ request: HTTPClientRequest) async throws -> [String: Any] {
        let response = try await Self.client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// Follows the browser's way through an authorization endpoint: the `Location` it redirects to.
    func authorize(_ url: String) async throws -> URLComponents? {
        let response = try await Self.client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.headers.first(name: "location").flatMap { URLComponents(string: $0) }
    }
}
