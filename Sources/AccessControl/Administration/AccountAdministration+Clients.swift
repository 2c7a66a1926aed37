import EduQLSchema
import Logging
import PostgresNIO

extension AccountAdministration {
    /// Gives an integration client a new secret (shown once); the old one stops working and
    /// the client's live tokens are revoked. Region admins of the client's region only.
    public func rotateClientSecret(by actor: UserPrincipal, clientID: Int, request: RequestInfo,
                           on connection: PostgresConnection? = nil) async throws -> String {
        let secret = Self.temporaryPassword() + Self.temporaryPassword()
        let hash = try await self.hashing.hash(secret)
        return try await self.act(actor, "rotate_client_secret", request, detail: ["client": String(clientID)], on: connection) { connection, _ in
            try await self.checkClientAdministrator(actor, clientID, on: connection)
            try await connection.execute("""
                UPDATE eduql.integration_clients SET secret_hash = \(hash), secret_rotated_at = now() WHERE id = \(clientID)
                """, logger: self.logger)
            try await connection.execute("UPDATE eduql.integration_tokens SET revoked_at = now() WHERE client_id = \(clientID) AND revoked_at IS NULL", logger: self.logger)
            return secret
        }
    }

    /// Revokes an integration client and its tokens at once.
    public func revokeClient(by actor: UserPrincipal, clientID: Int, request: RequestInfo,
                           on connection: PostgresConnection? = nil) async throws {
        try await self.act(actor, "revoke_client", request, detail: ["client": String(clientID)], on: connection) { connection, _ in
            try await self.checkClientAdministrator(actor, clientID, on: connection)
            try await connection.execute("UPDATE eduql.integration_clients SET revoked_at = now() WHERE id = \(clientID)", logger: self.logger)
            try await connection.execute("UPDATE eduql.integration_tokens SET revoked_at = now() WHERE client_id = \(clientID) AND revoked_at IS NULL", logger: self.logger)
        }
    }

    func checkClientAdministrator(_ actor: UserPrincipal, _ clientID: Int, on connection: PostgresConnection) async throws {
        guard actor.role == .regionAdmin else { throw Failure.forbidden("only a region admin administers integration clients") }
        let rows = try await connection.guardedQuery("SELECT 1 FROM eduql.integration_clients WHERE id = \(clientID)", logger: self.logger).collect()
        guard !rows.isEmpty else { throw Failure.notFound("client \(clientID)") }
    }

    /// Creates the first region admin of a region, as the schema owner (`eduql admin bootstrap`).
    public static func bootstrap(regionID: Int, login: String, on connection: PostgresConnection, hasher: PasswordHasher = .init(),
                                 logger: Logger) async throws -> Credentials {
        let password = Self.temporaryPassword()
        let hash = try hasher.hash(password)
        return try await connection.transaction(logger: logger) { connection in
            let regions = try await connection.guardedQuery("SELECT 1 FROM eduql.regions WHERE id = \(regionID)", logger: logger).collect()
            guard !regions.isEmpty else { throw Failure.notFound("region \(regionID)") }
            let rows = try await connection.guardedQuery("""
                INSERT INTO eduql.users (region_id, login, display_name, password_hash, must_change_password)
                VALUES (\(regionID), lower(\(login)), \(login), \(hash), true)
                ON CONFLICT (login) DO NOTHING RETURNING id
                """, logger: logger).collect()
            guard let userID = try rows.first?.decode(Int.self) else { throw Failure.invalid("the login is taken") }
            try await connection.execute("""
                INSERT INTO eduql.role_assignments (region_id, user_id, role) VALUES (\(regionID), \(userID), 'region_admin')
                """, logger: logger)
            var event = SecurityEvent(.admin, "bootstrap_region_admin", .ok, request: RequestInfo(requestID: "cli"))
            event.regionID = regionID
            event.userID = userID
            event.login = login
            event.role = Role.regionAdmin.rawValue
            try await event.record(on: connection, logger: logger)
            return Credentials(userID: userID, temporaryPassword: password)
        }
    }
}
