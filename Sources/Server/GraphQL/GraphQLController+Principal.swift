import EduQLAccessControl
import EduQLResolvers
import EduQLSchema
import Foundation
import Hummingbird

/// Who a GraphQL request acts as.
extension GraphQLController {
    /// The principal of the bearer token, from the cache or the database.
    func principal(_ request: Request, context: EduQLRequestContext) async throws -> (Principal, ActingAs) {
        guard let presented = request.bearerToken, let token = BearerToken(presented: presented) else { throw QueryError.unauthenticated }
        let role = request.headers[.eduqlRole]
        let key = token.sha256.base64EncodedString() + "|" + (role ?? "")
        let principal: Principal
        if let cached = self.principals.principal(for: key) {
            principal = cached
        } else {
            do {
                principal = try await self.database.transaction(logger: context.logger) { connection in
                    if token.kind == .client {
                        return Principal.client(try await self.clients.principal(token: presented, on: connection))
                    }
                    return Principal.user(try await self.authenticator.principal(token: presented, role: role, on: connection))
                }
            } catch Authenticator.Failure.roleNotHeld {
                throw QueryError.forbidden("The role named is not one this account holds.")
            } catch is Authenticator.Failure {
                throw QueryError.unauthenticated
            } catch is ClientAuthenticator.Failure {
                throw QueryError.unauthenticated
            }
            self.principals.remember(principal, for: key)
        }
        switch principal {
        case .user(let user):
            guard !user.mustChangePassword else { throw QueryError.forbidden("Change the temporary password first (POST /auth/password).") }
            return (principal, .user(tokenSHA256: token.sha256, assignmentID: user.assignmentID, idleSeconds: self.idleSeconds))
        case .client:
            return (principal, .client(tokenSHA256: token.sha256))
        }
    }
}
