import EduQLAccessControl
import EduQLAudit
import EduQLResolvers
import EduQLSchema
import Foundation
import Hummingbird
import PostgresNIO

/// Resolves the bearer token (or the console's session cookie) of a request once, before any handler looks at the request, and
/// names the caller in its audit event — so a request refused later for any reason (a
/// malformed body, a wrong media type, a role not held) is still attributed to whoever sent it.
struct PrincipalMiddleware: RouterMiddleware {
    typealias Context = EduQLRequestContext

    let database: PostgresClient
    let authenticator: Authenticator
    let clients: ClientAuthenticator
    let principals: PrincipalCache
    let idleSeconds: Int
    /// Longest wait for a connection while the database is down.
    let wait: Duration
    let probe: DatabaseProbe?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // A bearer token, or the console's session cookie with its CSRF token (see ConsoleSession).
        guard let presented = request.bearerToken ?? request.consoleToken else { return try await next(request, context) }
        var context = context
        context.caller = try await self.resolve(presented, role: request.headers[.eduqlRole], context: context)
        return try await next(request, context)
    }

    func resolve(_ presented: String, role: String?, context: Context) async throws -> Caller {
        guard let token = BearerToken(presented: presented) else { return Caller(resolved: .failure(.unauthenticated)) }
        let key = token.sha256.base64EncodedString() + "|" + (role ?? "")
        let principal: Principal
        if let cached = self.principals.principal(for: key) {
            principal = cached
        } else {
            do {
                principal = try await self.lookUp(presented, kind: token.kind, role: role, context: context)
            } catch Authenticator.Failure.roleNotHeld {
                // Refused, but still named: the account's own role says who asked.
                if let own = try? await self.lookUp(presented, kind: token.kind, role: nil, context: context) {
                    AuditRecord.current?.update { own.describe(into: &$0) }
                }
                return Caller(resolved: .failure(.roleNotHeld))
            } catch is Authenticator.Failure {
                return Caller(resolved: .failure(.unauthenticated))
            } catch is ClientAuthenticator.Failure {
                return Caller(resolved: .failure(.unauthenticated))
            }
            // An account that must change its password is looked up again once it has.
            if case .user(let user) = principal, user.mustChangePassword {} else { self.principals.remember(principal, for: key) }
        }
        AuditRecord.current?.update { principal.describe(into: &$0) }
        let actingAs: ActingAs = switch principal {
        case .user(let user): .user(tokenSHA256: token.sha256, assignmentID: user.assignmentID, idleSeconds: self.idleSeconds,
                                    regionID: user.scope.regionID)
        case .client(let client): .client(tokenSHA256: token.sha256, regionID: client.regionID)
        }
        return Caller(resolved: .success(.init(principal: principal, actingAs: actingAs)))
    }

    private func lookUp(_ presented: String, kind: BearerToken.Kind, role: String?, context: Context) async throws -> Principal {
        // One statement each: no transaction needed.
        try await self.database.withConnection(lease: self.wait, total: self.wait + .seconds(5), probe: self.probe) { connection in
            if kind == .client {
                return Principal.client(try await self.clients.principal(token: presented, on: connection))
            }
            return Principal.user(try await self.authenticator.principal(token: presented, role: role, on: connection))
        }
    }
}
