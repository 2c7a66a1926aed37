import EduQLSchema
import Foundation
import PostgresNIO

extension AccountAdministration {
    /// Removes an account's link to its identity at `provider`; the sessions that identity
    /// opened end at once.
    public func unlinkFederatedIdentity(by actor: UserPrincipal, userID: Int, provider: String, request: RequestInfo,
                                        on connection: PostgresConnection? = nil) async throws {
        let detail = ["user": String(userID), "provider": String(provider.prefix(32))]
        try await self.act(actor, "unlink_federated_identity", request, detail: detail, on: connection) { connection, _ in
            try await self.checkGoverns(actor, userID, on: connection)
            try await connection.execute("""
                UPDATE eduql.sessions SET revoked_at = now()
                WHERE revoked_at IS NULL AND federated_identity_id IN (
                    SELECT f.id FROM eduql.federated_identities f WHERE f.user_id = \(userID) AND f.provider = \(provider))
                """, logger: self.logger)
            let removed = try await connection.guardedQuery("""
                DELETE FROM eduql.federated_identities WHERE user_id = \(userID) AND provider = \(provider) RETURNING id
                """, logger: self.logger).collect()
            guard !removed.isEmpty else { throw Failure.notFound("the account has no identity at that provider") }
        }
    }

    /// Approves that an account holding staff or administrator roles be linked to its identity
    /// at `provider` at its next federated sign-in — the identity must still match the
    /// account's person by its verified attributes — once, within `lifetime`.
    public func approveFederatedLink(by actor: UserPrincipal, userID: Int, provider: String, lifetime: Duration = .seconds(7 * 86_400),
                                     request: RequestInfo, on connection: PostgresConnection? = nil) async throws {
        let detail = ["user": String(userID), "provider": String(provider.prefix(32))]
        try await self.act(actor, "approve_federated_link", request, detail: detail, on: connection) { connection, _ in
            guard provider.range(of: "^[a-z0-9][a-z0-9_-]{0,31}$", options: .regularExpression) != nil else {
                throw Failure.invalid("provider must name a configured sign-in provider")
            }
            try await self.checkGoverns(actor, userID, on: connection)
            let linked = try await connection.guardedQuery("""
                SELECT 1 FROM eduql.federated_identities WHERE user_id = \(userID) AND provider = \(provider)
                """, logger: self.logger).collect()
            guard linked.isEmpty else { throw Failure.invalid("the account is linked at that provider already") }
            try await connection.execute("""
                UPDATE eduql.federated_link_approvals SET used_at = now()
                WHERE user_id = \(userID) AND provider = \(provider) AND used_at IS NULL
                """, logger: self.logger)
            try await connection.execute("""
                INSERT INTO eduql.federated_link_approvals (region_id, user_id, provider, approved_by, expires_at)
                VALUES (\(actor.scope.regionID), \(userID), \(provider), \(actor.userID), now() + make_interval(secs => \(lifetime.wholeSeconds)))
                """, logger: self.logger)
        }
    }
}
