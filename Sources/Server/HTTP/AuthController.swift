import EduQLSchema
import EduQLAccessControl
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

/// `/auth/*`: sign-in and sign-out, password change, the current principal, and the
/// integration token endpoint.
struct AuthController: Sendable {
    let deadline: Duration
    let database: PostgresClient
    let authenticator: Authenticator
    let clients: ClientAuthenticator

    struct LoginRequest: Decodable {
        var login: String
        var password: String
        var role: String?
    }

    struct PasswordChange: Decodable {
        var oldPassword: String
        var newPassword: String
    }

    func addRoutes(to router: Router<EduQLRequestContext>) {
        let auth = router.group("auth")
        auth.post("login") { request, context in
            try await context.bounded(within: self.deadline) { try await self.login(request, context: context).response(from: request, context: context) }
        }
        auth.post("logout") { request, context in
            try await context.bounded(within: self.deadline) { try await self.logout(request, context: context).response(from: request, context: context) }
        }
        auth.post("password") { request, context in
            try await context.bounded(within: self.deadline) {
                try await self.changePassword(request, context: context).response(from: request, context: context)
            }
        }
        auth.get("session") { request, context in
            try await context.bounded(within: self.deadline) { try await self.session(request, context: context).response(from: request, context: context) }
        }
        auth.post("token") { request, context in
            try await context.bounded(within: self.deadline) { try await self.token(request, context: context) }
        }
        self.addConsoleRoutes(to: router)
    }

    func login(_ request: Request, context: EduQLRequestContext) async throws -> EditedResponse<Authenticated.Login> {
        let body = try await request.decodeJSON(as: LoginRequest.self, context: context)
        do {
            let session = try await self.authenticator.login(body.login, password: body.password, role: body.role, request: request.info(context))
            return EditedResponse(status: .ok, response: Authenticated.Login(session))
        } catch let failure as Authenticator.Failure {
            throw failure.apiError
        }
    }

    func logout(_ request: Request, context: EduQLRequestContext) async throws -> HTTPResponse.Status {
        do {
            try await self.authenticator.logout(token: request.bearerToken, request: request.info(context))
            return .noContent
        } catch let failure as Authenticator.Failure {
            throw failure.apiError
        }
    }

    func changePassword(_ request: Request, context: EduQLRequestContext) async throws -> HTTPResponse.Status {
        let body = try await request.decodeJSON(as: PasswordChange.self, context: context)
        do {
            try await self.authenticator.changePassword(token: request.bearerToken, old: body.oldPassword, new: body.newPassword,
                                                        request: request.info(context))
            return .noContent
        } catch let failure as Authenticator.Failure {
            throw failure.apiError
        }
    }

    /// Who the token acts as: a user in one role (X-EduQL-Role may name another of theirs), or a client.
    func session(_ request: Request, context: EduQLRequestContext) async throws -> Authenticated.Principal {
        do {
            return try await self.database.transaction(logger: context.logger) { connection in
                if request.bearerToken?.hasPrefix(BearerToken.Kind.client.rawValue) == true {
                    return Authenticated.Principal(try await self.clients.principal(token: request.bearerToken, on: connection))
                }
                let principal = try await self.authenticator.principal(token: request.bearerToken, role: request.headers[.eduqlRole], on: connection)
                guard !principal.mustChangePassword else { throw Authenticated.passwordChangeRequired }
                return Authenticated.Principal(principal)
            }
        } catch let failure as Authenticator.Failure {
            throw failure.apiError
        } catch is ClientAuthenticator.Failure {
            throw APIError.unauthenticated
        }
    }

    /// OAuth2 client credentials (RFC 6749 §4.4): a form body with grant_type, and the client id
    /// and secret by HTTP Basic.
    func token(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let form: ByteBuffer
        do {
            form = try await request.body.collect(upTo: 4096)
        } catch is NIOTooManyBytesError {
            throw APIError.contentTooLarge(limit: 4096)
        }
        let fields = URLComponents(string: "?" + String(buffer: form))?.queryItems ?? []
        guard fields.first(where: { $0.name == "grant_type" })?.value == "client_credentials" else {
            return try OAuthError.response("unsupported_grant_type", status: .badRequest)
        }
        guard let (clientID, secret) = request.basicCredentials else {
            return try OAuthError.response("invalid_client", status: .unauthorized)
        }
        guard !clientID.unicodeScalars.contains("\u{0}"), !secret.unicodeScalars.contains("\u{0}") else {
            return try OAuthError.response("invalid_request", status: .badRequest)
        }
        do {
            let issued = try await self.clients.issueToken(clientID: clientID, secret: secret, request: request.info(context))
            let body = try JSONEncoder().encode(TokenResponse(accessToken: issued.token.value, expiresIn: issued.expiresIn))
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        } catch ClientAuthenticator.Failure.throttled(let wait) {
            return try OAuthError.response("slow_down", status: .tooManyRequests, headers: [.retryAfter: String(wait)])
        } catch is ClientAuthenticator.Failure {
            return try OAuthError.response("invalid_client", status: .unauthorized)
        }
    }
}

/// RFC 6749 §5.1: the token, its type and lifetime in seconds.
struct TokenResponse: Encodable {
    var accessToken: String
    var tokenType = "Bearer"
    var expiresIn: Int

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
    }
}

/// RFC 6749 §5.2 error bodies.
enum OAuthError {
    static func response(_ error: String, status: HTTPResponse.Status, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Basic realm="eduql""# }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(["error": error]))))
    }
}

extension HTTPField.Name {
    /// Names the role assignment a request acts in.
    static let eduqlRole = HTTPField.Name("X-EduQL-Role")!
}
