import EduQLAccessControl
import EduQLAudit
import EduQLFederation
import EduQLOnboarding
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `/auth/federated/*`: sign-in through an OpenID provider (the authorization code flow with
/// PKCE), and the provider's back-channel logout.
///
/// - `GET /auth/federated` — the providers one may sign in through;
/// - `GET /auth/federated/{provider}/start?returnTo=/path&role=…` — sends the browser to the
///   provider, with `state`, `nonce` and the PKCE verifier kept on the server and the state in a
///   short-lived HttpOnly cookie; with a password session's bearer token, the identity is linked
///   to that account when it comes back;
/// - `GET /auth/federated/{provider}/callback?code=…&state=…` — the provider's answer: the code
///   redeemed, the ID token verified, the person found in the register; EduQL's own session, as
///   `POST /auth/login` answers it, with `returnTo`;
/// - `POST /auth/federated/{provider}/logout?returnTo=/path` — ends the bearer's session and
///   answers where to send the browser to sign out at the provider too (ЕСИА's logout with
///   `redirect_url`, or the provider's `end_session_endpoint`);
/// - `POST /auth/federated/{provider}/backchannel-logout` — the provider ends the sessions of
///   one of its sessions (a `logout_token`).
struct FederationController: Sendable {
    let deadline: Duration
    let authenticator: Authenticator
    let providers: [String: ProviderClient]
    let configuration: FederationConfiguration
    let port: Int

    static let cookie = "eduql_federated_state"

    init(deadline: Duration, authenticator: Authenticator, configuration: FederationConfiguration, port: Int) {
        self.deadline = deadline
        self.authenticator = authenticator
        self.configuration = configuration
        self.port = port
        self.providers = Dictionary(uniqueKeysWithValues: configuration.providers.map { ($0.id, ProviderClient(provider: $0, configuration: configuration.client)) })
    }

    func addRoutes(to router: Router<EduQLRequestContext>) {
        let group = router.group("auth/federated")
        group.get { _, _ in
            try OnboardingController.json(["providers": self.configuration.providers.map { ["id": $0.id, "issuer": $0.issuer] }])
        }
        group.get(":provider/start") { request, context in
            try await context.bounded(within: self.deadline) { try await self.start(request, context: context) }
        }
        group.get(":provider/callback") { request, context in
            try await context.bounded(within: self.deadline) { try await self.callback(request, context: context) }
        }
        group.post(":provider/logout") { request, context in
            try await context.bounded(within: self.deadline) { try await self.logout(request, context: context) }
        }
        group.post(":provider/backchannel-logout") { request, context in
            try await context.bounded(within: self.deadline) { try await self.backchannelLogout(request, context: context) }
        }
    }

    var base: String { self.configuration.publicURL ?? "http://127.0.0.1:\(self.port)" }

    func redirectURI(_ provider: IdentityProvider) -> String { "\(self.base)/auth/federated/\(provider.id)/callback" }

    /// The provider named in the path, with its region.
    func provider(_ context: EduQLRequestContext) async throws -> (ProviderClient, Int) {
        guard let client = self.providers[context.parameters.get("provider") ?? ""] else {
            throw APIError(status: .notFound, code: "UNKNOWN_PROVIDER", message: "no such sign-in provider")
        }
        guard let region = try await self.authenticator.region(code: client.provider.region) else {
            throw APIError(status: .serviceUnavailable, code: "PROVIDER_MISCONFIGURED", message: "the provider's region does not exist")
        }
        AuditRecord.current?.update { $0.regionID = region }
        return (client, region)
    }

    func start(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let (client, region) = try await self.provider(context)
        let returnTo = request.uri.queryParameters.get("returnTo") ?? "/"
        guard Self.isLocalPath(returnTo) else {
            try await self.authenticator.recordFederatedRefusal("BAD_RETURN", provider: client.provider.id, regionID: region, request: request.info(context))
            throw APIError(status: .badRequest, code: "BAD_RETURN", message: "returnTo must be a path of this server")
        }
        // A bearer token asks to link the identity to its own account.
        var linking: (userID: Int, sessionID: Int)?
        if let caller = context.caller {
            guard case .success(let resolved) = caller.resolved, case .user(let user) = resolved.principal, user.scope.regionID == region else {
                throw APIError.unauthenticated
            }
            linking = (user.userID, user.sessionID)
        }
        let state = client.newState()
        let nonce = Base64URL.random(bytes: 32)
        let pkce = PKCE.generate()
        let role = request.uri.queryParameters.get("role").map { String($0.prefix(40)) }
        let url: String
        do {
            url = try await client.authorizationURL(redirectURI: self.redirectURI(client.provider), state: state, nonce: nonce, pkce: pkce,
                                                    loginHint: request.uri.queryParameters.get("loginHint").map { String($0.prefix(200)) })
            try await self.authenticator.keep(
                .init(provider: client.provider.id, regionID: region, nonce: nonce, codeVerifier: pkce.verifier, returnTo: returnTo, role: role,
                      linkUserID: linking?.userID),
                state: state, lifetime: self.configuration.signInLifetime, sessionID: linking?.sessionID)
        } catch let refusal as FederationRefusal {
            try await self.authenticator.recordFederatedRefusal(refusal.code, provider: client.provider.id, regionID: region, request: request.info(context))
            throw APIError(status: .badGateway, code: refusal.code, message: refusal.reason)
        } catch let refusal as Authenticator.FederatedRefusal {
            try await self.authenticator.recordFederatedRefusal(refusal.code, provider: client.provider.id, regionID: region, request: request.info(context))
            throw APIError(status: .forbidden, code: refusal.code, message: FederationRefusal.linkNeedsPassword.reason)
        }
        var headers: HTTPFields = [.location: url, .cacheControl: "no-store"]
        headers[.setCookie] = self.cookie(state, path: "/auth/federated/\(client.provider.id)/callback",
                                          maxAge: Int(self.configuration.signInLifetime.components.seconds))
        return Response(status: .found, headers: headers)
    }

    func callback(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let (client, region) = try await self.provider(context)
        let info = request.info(context)
        let provider = client.provider
        func refuse(_ code: String, _ status: HTTPResponse.Status, _ message: String) async throws -> Never {
            try await self.authenticator.recordFederatedRefusal(code, provider: provider.id, regionID: region, request: info)
            var error = APIError(status: status, code: code, message: message)
            error.headers[.setCookie] = self.cookie("", path: "/auth/federated/\(provider.id)/callback", maxAge: 0)
            throw error
        }
        let query = request.uri.queryParameters
        // The state must be this browser's (its cookie) and a sign-in the server began, once.
        guard let state = query.get("state"), !state.isEmpty, let cookie = request.cookies[Self.cookie]?.value,
              Self.equal(cookie, state) else {
            try await refuse("BAD_STATE", .badRequest, FederationRefusal.badState.reason)
        }
        guard let start = try await self.authenticator.take(state: state, provider: provider.id, regionID: region) else {
            try await refuse("BAD_STATE", .badRequest, FederationRefusal.badState.reason)
        }
        if query.get("error") != nil { try await refuse("PROVIDER_ERROR", .unauthorized, FederationRefusal.providerError.reason) }
        guard let code = query.get("code"), !code.isEmpty, code.utf8.count <= 2048 else {
            try await refuse("PROVIDER_ERROR", .unauthorized, FederationRefusal.providerError.reason)
        }
        let signedIn: ProviderClient.SignedIn
        do {
            signedIn = try await client.redeem(code: code, redirectURI: self.redirectURI(provider), pkce: PKCE(verifier: start.codeVerifier), nonce: start.nonce)
        } catch let refusal as FederationRefusal {
            try await refuse(refusal.code, refusal.code == "PROVIDER_UNAVAILABLE" ? .badGateway : .unauthorized, "the sign-in could not be verified")
        }
        let token = signedIn.token
        let snils = signedIn.snils.flatMap { SNILS($0) }.flatMap { $0.isValid ? $0.text : nil }
        let identity = Authenticator.FederatedIdentity(provider: provider.id, issuer: token.iss, subject: token.sub, snils: snils,
                                                       providerSession: token.sid.map { String($0.prefix(255)) },
                                                       lastName: signedIn.lastName, birthDate: signedIn.birthDate)
        let session: Authenticator.Session
        do {
            session = try await self.authenticator.signIn(identity, start: start, request: info)
        } catch let refusal as Authenticator.FederatedRefusal {
            var error: APIError = switch refusal.code {
            case "NOT_IN_REGISTER": APIError(status: .forbidden, code: refusal.code, message: FederationRefusal.notInRegister.reason)
            case "LINK_NEEDS_PASSWORD_SESSION": APIError(status: .forbidden, code: refusal.code, message: FederationRefusal.linkNeedsPassword.reason)
            default: APIError(status: .forbidden, code: refusal.code, message: "this account cannot sign in so")
            }
            error.headers[.setCookie] = self.cookie("", path: "/auth/federated/\(provider.id)/callback", maxAge: 0)
            throw error
        }
        struct Answer: Encodable {
            var login: Authenticated.Login
            var returnTo: String
            func encode(to encoder: any Encoder) throws {
                try self.login.encode(to: encoder)
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(self.returnTo, forKey: .returnTo)
            }
            enum Keys: String, CodingKey { case returnTo }
        }
        let expiredState = self.cookie("", path: "/auth/federated/\(provider.id)/callback", maxAge: 0)
        // Back to the web console: its session in its cookie, and the browser sent on.
        if start.returnTo.hasPrefix("/console/") {
            var response = Response(status: .seeOther, headers: [.location: start.returnTo, .cacheControl: "no-store", .setCookie: expiredState])
            response.headers.append(HTTPField(name: .setCookie, value: ConsoleSession.cookie(session.token.value, secure: request.isSecure).description))
            return response
        }
        var response = try OnboardingController.json(Answer(login: Authenticated.Login(session), returnTo: start.returnTo))
        response.headers[.setCookie] = expiredState
        response.headers[.cacheControl] = "no-store"
        return response
    }

    func logout(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let (client, _) = try await self.provider(context)
        let returnTo = request.uri.queryParameters.get("returnTo") ?? "/"
        guard Self.isLocalPath(returnTo) else { throw APIError(status: .badRequest, code: "BAD_RETURN", message: "returnTo must be a path of this server") }
        do {
            try await self.authenticator.logout(token: request.bearerToken, request: request.info(context))
        } catch let failure as Authenticator.Failure {
            throw failure.apiError
        }
        // The provider's own sign-out is the browser's next step; its failing to answer leaves EduQL's done.
        let url = try? await client.logoutURL(returnURL: self.base + returnTo)
        struct Answer: Encodable { var providerLogoutUrl: String? }
        var response = try OnboardingController.json(Answer(providerLogoutUrl: url ?? nil))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    func backchannelLogout(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let (client, region) = try await self.provider(context)
        let info = request.info(context)
        let body: String
        do {
            body = String(buffer: try await request.body.collect(upTo: 65_536))
        } catch is NIOTooManyBytesError {
            throw APIError.contentTooLarge(limit: 65_536)
        }
        let form = Dictionary(body.split(separator: "&").map { pair -> (String, String) in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]).removingPercentEncoding ?? "", parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" : "")
        }) { first, _ in first }
        guard let token = form["logout_token"], !token.isEmpty else {
            try await self.authenticator.recordFederatedRefusal("BAD_REQUEST", action: "federated_logout", provider: client.provider.id, regionID: region, request: info)
            throw APIError.badRequest("logout_token is required", code: "invalid_request")
        }
        let claims: LogoutToken
        do {
            claims = try await client.verify(logoutToken: token)
        } catch let refusal as FederationRefusal {
            try await self.authenticator.recordFederatedRefusal(refusal.code, action: "federated_logout", provider: client.provider.id, regionID: region, request: info)
            throw APIError.badRequest("the logout token does not hold", code: "invalid_request")
        }
        _ = try await self.authenticator.endFederatedSessions(regionID: region, issuer: claims.iss, subject: claims.sub, providerSession: claims.sid,
                                                              request: info)
        return Response(status: .ok, headers: [.cacheControl: "no-store"])
    }

    /// A short-lived cookie for the sign-in's state: HttpOnly, SameSite=Lax (the provider's
    /// redirect back is a top-level GET), Secure when the server is reached over TLS.
    func cookie(_ value: String, path: String, maxAge: Int) -> String {
        var cookie = "\(Self.cookie)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Lax"
        if self.base.hasPrefix("https://") { cookie += "; Secure" }
        return cookie
    }

    /// A path of this server: one leading `/`, not `//` or `/\` (which browsers read as another host), no scheme, no control characters.
    static func isLocalPath(_ text: String) -> Bool {
        guard text.hasPrefix("/"), text.count <= 1000 else { return false }
        let second = text.dropFirst().first
        guard second != "/" && second != "\\" else { return false }
        return !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }
    }

    static func equal(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
