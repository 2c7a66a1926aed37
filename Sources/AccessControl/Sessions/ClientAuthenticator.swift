import EduQLAudit
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// Issues bearer tokens to integration clients (OAuth2 client credentials) and resolves them
/// to the client's grant.
public final class ClientAuthenticator: Sendable {
    /// Why a client was refused, as RFC 6749 §5.2 names it.
    public enum Failure: Error, Equatable {
        /// Unknown client, wrong secret, revoked client, or no live grant.
        case invalidClient
        case unsupportedGrantType
        case throttled(retryAfter: Int)
        /// No token, or an unknown, expired or revoked one.
        case unauthenticated
    }

    /// An issued token: shown once, with its lifetime in seconds.
    public struct IssuedToken: Sendable {
        public var token: BearerToken
        public var expiresIn: Int
    }

    let database: PostgresClient
    let verifier: SecretVerifier
    let configuration: AuthenticationConfiguration
    let logger: Logger

    public init(database: PostgresClient, hashing: HashingPool, configuration: AuthenticationConfiguration = .init(), logger: Logger) throws {
        self.database = database
        self.verifier = try SecretVerifier(
            hashing: hashing, throttle: AddressThrottle(database: database, attemptsPerMinute: configuration.attemptsPerAddressPerMinute, logger: logger))
        self.configuration = configuration
        self.logger = logger
    }

    /// Exchanges a client id and secret for a token under the client's newest live grant.
    public func issueToken(clientID: String, secret: String, request: RequestInfo) async throws -> IssuedToken {
        var event = SecurityEvent(.auth, "client_token", .denied, request: request)
        event.login = String(clientID.prefix(64))
        do {
            try await self.verifier.admit(secret, from: request.clientIP)
        } catch let refusal as SecretVerifier.Refusal {
            event.errorCodes = [refusal.code]
            try await event.record(on: self.database, logger: self.logger)
            if case .throttled(let wait) = refusal { throw Failure.throttled(retryAfter: wait) }
            throw Failure.invalidClient
        }
        let rows = try await self.database.withMeteredConnection { connection in
            try await connection.watched {
                try await connection.guardedQuery("""
                    SELECT client_id, region_id, secret_hash, revoked FROM eduql.client_candidate(\(clientID))
                    """, logger: self.logger).collect()
            }
        }
        let candidate = try rows.first?.decode((Int, Int, String, Bool).self)
        let verified = try await self.verifier.verify(secret, against: candidate?.2)
        guard let (id, regionID, _, revoked) = candidate, verified, !revoked else {
            event.regionID = candidate?.1
            event.clientID = candidate?.0
            event.errorCodes = [candidate == nil ? "UNKNOWN_CLIENT" : candidate!.3 ? "CLIENT_REVOKED" : "WRONG_SECRET"]
            try await event.record(on: self.database, logger: self.logger)
            throw Failure.invalidClient
        }
        event.regionID = regionID
        event.clientID = id
        let outcome: Result<IssuedToken, Failure> = try await self.database.auditedTransaction(logger: self.logger) { connection in
            try await connection.setTenancy(region: regionID, logger: self.logger)
            let grants = try await connection.guardedQuery("""
                SELECT id, least(\(self.configuration.clientTokenLifetime.wholeSeconds), floor(extract(epoch FROM expires_at - now())))::integer
                FROM eduql.integration_grants
                WHERE client_id = \(id) AND revoked_at IS NULL AND expires_at > now() + interval '1 second'
                ORDER BY created_at DESC, id DESC LIMIT 1
                """, logger: self.logger).collect()
            guard let (grantID, lifetime) = try grants.first?.decode((Int, Int).self) else {
                event.errorCodes = ["NO_LIVE_GRANT"]
                try await event.record(on: connection, logger: self.logger)
                return .failure(.invalidClient)
            }
            let token = BearerToken.generate(.client)
            try await connection.execute("""
                INSERT INTO eduql.integration_tokens (region_id, client_id, grant_id, token_sha256, expires_at)
                VALUES (\(regionID), \(id), \(grantID), \(token.sha256), now() + make_interval(secs => \(lifetime)))
                """, logger: self.logger)
            event.outcome = .ok
            event.detail["grant"] = String(grantID)
            try await event.record(on: connection, logger: self.logger)
            return .success(IssuedToken(token: token, expiresIn: lifetime))
        }
        return try outcome.get()
    }

    /// The client principal of a bearer token, with the region set for the rest of the transaction.
    public func principal(token: String?, on connection: PostgresConnection) async throws -> ClientPrincipal {
        guard let token = token.flatMap(BearerToken.init(presented:)), token.kind == .client else { throw Failure.unauthenticated }
        let rows = try await connection.guardedQuery("""
            SELECT client_id, client_name, region_id, grant_id, municipality_ids, organization_ids, documents, fields, writes,
                   rate_per_second::float8, burst
            FROM eduql.client_token_principal(\(token.sha256))
            """, logger: self.logger).collect()
        guard let row = rows.first else { throw Failure.unauthenticated }
        let (id, name, region, grant, municipalities, organizations, documents, fields, writes, rate, burst) = try row.decode(
            (Int, String, Int, Int, [Int], [Int], [String], [String], String, Double?, Int?).self)
        return ClientPrincipal(clientID: id, name: name, regionID: region, grantID: grant, municipalityIDs: municipalities,
                               organizationIDs: organizations, documents: documents, fields: fields,
                               writes: (try? JSONDecoder().decode([GrantedWrite].self, from: Data(writes.utf8))) ?? [],
                               rateLimit: rate.flatMap { rate in burst.map { TokenBuckets.Limit(rate: rate, burst: $0) } })
    }
}
