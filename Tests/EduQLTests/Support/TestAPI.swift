import EduQLAccessControl
@testable import EduQLServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// A live EduQL server on a test database, and a small JSON client for it.
struct TestAPI {
    /// An answer: status, headers and the JSON body (empty when there is none). Immutable once made.
    struct Reply: @unchecked Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var json: [String: Any]
        var text: String

        subscript(key: String) -> Any? { self.json[key] }
        var code: String? { self.json["code"] as? String }
    }

    let client: any TestClientProtocol

    /// Starts the real application on a free port over `database` and runs `body` against it.
    static func run<T: Sendable>(
        _ database: ClusterConnections,
        authentication: AuthenticationConfiguration = .init(),
        hashing: HashingPool.Configuration = .init(),
        caches: Bool = true,
        configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestAPI) async throws -> T
    ) async throws -> T {
        var server = ServerConfiguration(host: "127.0.0.1", port: 0)
        server.caches = caches
        configure(&server)
        let app = try await buildApplication(server: server, database: database.server,
                                       authentication: authentication, hashing: hashing, logger: Logger(label: "eduql-tests"))
        return try await app.test(.live) { client in try await body(TestAPI(client: client)) }
    }

    func request(_ method: HTTPRequest.Method, _ path: String, json: [String: Any]? = nil, raw: String? = nil,
                 token: String? = nil, headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            body = ByteBuffer(string: raw)
        }
        return try await self.client.execute(uri: path, method: method, headers: headers, body: body) { response in
            let text = String(buffer: response.body)
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            return Reply(status: response.status, headers: response.headers, json: json, text: text)
        }
    }

    /// `POST /auth/login`.
    func login(_ login: String, _ password: String, role: String? = nil) async throws -> Reply {
        var body: [String: Any] = ["login": login, "password": password]
        if let role { body["role"] = role }
        return try await self.request(.post, "/auth/login", json: body)
    }

    /// Signs in and returns the token, failing the test if sign-in fails.
    func token(_ login: String, _ password: String, role: String? = nil) async throws -> String {
        let reply = try await self.loginRetryingWhenBusy(login, password, role: role)
        guard reply.status == .ok, let token = reply["token"] as? String else {
            throw TestFailure("sign-in of \(login) failed: \(reply.status) \(reply.text)")
        }
        return token
    }

    /// `POST /auth/login`, once more (up to three times) after a 503 with `Retry-After`, as a
    /// client does when a loaded machine's password hashing is busy.
    func loginRetryingWhenBusy(_ login: String, _ password: String, role: String? = nil) async throws -> Reply {
        var reply = try await self.login(login, password, role: role)
        for _ in 0..<2 where reply.status == .serviceUnavailable && reply.headers[.retryAfter] != nil {
            try await Task.sleep(for: .seconds(1))
            reply = try await self.login(login, password, role: role)
        }
        return reply
    }

    /// `GET /auth/session`, optionally naming a role.
    func session(_ token: String?, role: String? = nil) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let role { headers[HTTPField.Name("X-EduQL-Role")!] = role }
        return try await self.request(.get, "/auth/session", token: token, headers: headers)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension TestCluster {
    /// The demo password of `login` (or the secret of a client id).
    func password(of login: String) async throws -> String {
        let accounts = try await self.accounts()
        guard let account = accounts.first(where: { $0.login == login || $0.clientId == login }),
              let secret = account.password ?? account.clientSecret
        else { throw TestFailure("no demo account \(login)") }
        return secret
    }
}
