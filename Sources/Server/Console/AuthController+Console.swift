import EduQLAccessControl
import EduQLSchema
import Foundation
import HTTPTypes
import Hummingbird

/// `/auth/console/…`: the console's password sign-in, whose session lives in an HttpOnly cookie
/// (see ``ConsoleSession``), audited and rate-limited like the rest of `/auth/`.
extension AuthController {
    /// What the console's script learns of a sign-in: never the token, only its CSRF companion.
    struct ConsoleLogin: ResponseEncodable {
        var csrf: String
        var mustChangePassword: Bool
        var role: String
    }

    struct ConsoleCSRF: ResponseEncodable {
        var csrf: String
    }

    func addConsoleRoutes(to router: Router<EduQLRequestContext>) {
        let console = router.group("auth/console")
        console.post("login") { request, context in
            try await context.bounded(within: self.deadline) { try await self.consoleLogin(request, context: context) }
        }
        console.post("logout") { request, context in
            try await context.bounded(within: self.deadline) { try await self.consoleLogout(request, context: context) }
        }
        console.post("password") { request, context in
            try await context.bounded(within: self.deadline) { try await self.consolePassword(request, context: context) }
        }
        console.get("csrf") { request, context in
            try await context.bounded(within: self.deadline) { try await self.consoleCSRF(request, context: context) }
        }
    }

    /// A sign-in from another origin is refused before the password is looked at.
    func requireSameOrigin(_ request: Request) throws {
        guard request.isSameOrigin else { throw APIError(status: .forbidden, code: "FORBIDDEN", message: "a sign-in from another origin") }
    }

    func consoleLogin(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        try self.requireSameOrigin(request)
        let body = try await request.decodeJSON(as: LoginRequest.self, context: context)
        let session: Authenticator.Session
        do {
            session = try await self.authenticator.login(body.login, password: body.password, role: body.role, request: request.info(context))
        } catch let failure as Authenticator.Failure {
            throw failure.apiError
        }
        var response = try ConsoleLogin(csrf: ConsoleSession.csrf(for: session.token.value), mustChangePassword: session.mustChangePassword,
                                        role: session.assignment.role.rawValue).response(from: request, context: context)
        response.headers[.cacheControl] = "no-store"
        response.setCookie(ConsoleSession.cookie(session.token.value, secure: request.isSecure))
        return response
    }

    func consoleLogout(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        guard let token = request.consoleToken else { throw APIError.unauthenticated }
        do {
            try await self.authenticator.logout(token: token, request: request.info(context))
        } catch let failure as Authenticator.Failure {
            throw failure.apiError
        }
        var response = Response(status: .noContent)
        response.setCookie(ConsoleSession.expired(secure: request.isSecure))
        return response
    }

    func consolePassword(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        guard let token = request.consoleToken else { throw APIError.unauthenticated }
        let body = try await request.decodeJSON(as: PasswordChange.self, context: context)
        do {
            try await self.authenticator.changePassword(token: token, old: body.oldPassword, new: body.newPassword, request: request.info(context))
        } catch let failure as Authenticator.Failure {
            throw failure.apiError
        }
        var response = try ConsoleCSRF(csrf: ConsoleSession.csrf(for: token)).response(from: request, context: context)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The CSRF token of the cookie's session, for a new tab of the console; 401 without a live session.
    func consoleCSRF(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        guard let token = request.consoleCookieToken, request.isSameOrigin else { throw APIError.unauthenticated }
        do {
            _ = try await self.database.transaction(logger: context.logger) { connection in
                try await self.authenticator.principal(token: token, role: nil, on: connection)
            }
        } catch is Authenticator.Failure {
            throw APIError.unauthenticated
        }
        var response = try ConsoleCSRF(csrf: ConsoleSession.csrf(for: token)).response(from: request, context: context)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
