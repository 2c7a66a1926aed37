import Crypto
import EduQLAudit
import EduQLSchema
import Foundation
import PostgresNIO

extension Authenticator {
    /// A federated sign-in in progress, kept on the server under the hash of its `state`.
    public struct FederatedStart: Sendable, Equatable {
        public var provider: String
        public var regionID: Int
        public var nonce: String
        public var codeVerifier: String
        /// A path of this server to return to.
        public var returnTo: String
        public var role: String?
        /// The account of the password session that asked to link its identity, if one did.
        public var linkUserID: Int?

        public init(provider: String, regionID: Int, nonce: String, codeVerifier: String, returnTo: String, role: String?, linkUserID: Int?) {
            self.provider = provider
            self.regionID = regionID
            self.nonce = nonce
            self.codeVerifier = codeVerifier
            self.returnTo = returnTo
            self.role = role
            self.linkUserID = linkUserID
        }
    }

    /// A person's identity at a provider, as the ID token gave it.
    public struct FederatedIdentity: Sendable {
        public var provider: String
        public var issuer: String
        public var subject: String
        /// The person's SNILS in its written form, when the provider verified one.
        public var snils: String?
        /// The provider's session (`sid`).
        public var providerSession: String?
        /// The last name and birth date (`yyyy-MM-dd`) the register's person must have too, when
        /// the provider gives them (ЕСИА): a SNILS alone does not link there.
        public var lastName: String?
        public var birthDate: String?

        public init(provider: String, issuer: String, subject: String, snils: String?, providerSession: String?,
                    lastName: String? = nil, birthDate: String? = nil) {
            self.provider = provider
            self.issuer = issuer
            self.subject = subject
            self.snils = snils
            self.providerSession = providerSession
            self.lastName = lastName
            self.birthDate = birthDate
        }

        /// Whether the person's own data must match too.
        public var matchesPerson: Bool { self.lastName != nil || self.birthDate != nil }
    }

    /// Why a federated sign-in gave no session (its code is in the audit event).
    public struct FederatedRefusal: Error, Sendable, Equatable {
        public var code: String
    }

    /// A state's key: its SHA-256 (the state itself is only in the browser's cookie and the provider's redirect).
    static func hash(_ state: String) -> Data { Data(SHA256.hash(data: Data(state.utf8))) }

    /// The region a provider serves, by the region's code; nil when no region has it.
    public func region(code: String) async throws -> Int? {
        try await self.database.withConnection { connection in
            try await connection.guardedQuery("SELECT eduql.region_of_code(\(code))", logger: self.logger).collect().first?.decode(Int?.self)
        }
    }

    /// Keeps a sign-in in progress for `lifetime`, under the hash of its state. A link asked
    /// for (`start.linkUserID`) must come from that account's own password session, `sessionID`.
    public func keep(_ start: FederatedStart, state: String, lifetime: Duration, sessionID: Int? = nil) async throws {
        let kept = try await self.database.transaction(logger: self.logger) { connection in
            try await connection.setTenancy(region: start.regionID, logger: self.logger)
            return try await connection.guardedQuery("""
                INSERT INTO eduql.federated_logins (state_sha256, region_id, provider, nonce, code_verifier, return_to, role, link_user_id, expires_at)
                SELECT \(Self.hash(state)), \(start.regionID), \(start.provider), \(start.nonce), \(start.codeVerifier),
                       \(start.returnTo), \(start.role), \(start.linkUserID), now() + make_interval(secs => \(lifetime.wholeSeconds))
                WHERE \(start.linkUserID)::bigint IS NULL OR EXISTS (
                    SELECT 1 FROM eduql.sessions s WHERE s.id = \(sessionID) AND s.user_id = \(start.linkUserID) AND s.revoked_at IS NULL
                       AND s.expires_at > now() AND s.federated_identity_id IS NULL)
                RETURNING 1
                """, logger: self.logger).collect().count
        }
        guard kept == 1 else { throw FederatedRefusal(code: "LINK_NEEDS_PASSWORD_SESSION") }
    }

    /// Takes the sign-in in progress that `state` names, once: nil when it is unknown, used,
    /// expired, or of another provider.
    public func take(state: String, provider: String, regionID: Int) async throws -> FederatedStart? {
        try await self.database.transaction(logger: self.logger) { connection in
            try await connection.setTenancy(region: regionID, logger: self.logger)
            let rows = try await connection.guardedQuery("""
                DELETE FROM eduql.federated_logins WHERE state_sha256 = \(Self.hash(state))
                RETURNING provider, nonce, code_verifier, return_to, role, link_user_id, expires_at > now()
                """, logger: self.logger).collect()
            guard let row = rows.first else { return nil }
            let (taken, nonce, verifier, returnTo, role, link, fresh) = try row.decode((String, String, String, String, String?, Int?, Bool).self)
            guard fresh, taken == provider else { return nil }
            return FederatedStart(provider: provider, regionID: regionID, nonce: nonce, codeVerifier: verifier, returnTo: returnTo,
                                  role: role, linkUserID: link)
        }
    }

    /// Records a federated sign-in refused before any account was in question (a forged
    /// token, a wrong state, the provider's own refusal).
    public func recordFederatedRefusal(_ code: String, action: String = "federated_login", provider: String, regionID: Int?,
                                       request: RequestInfo) async throws {
        var event = SecurityEvent(.auth, action, .denied, request: request)
        event.regionID = regionID
        event.errorCodes = [code]
        event.detail = ["provider": provider]
        try await event.record(on: self.database, logger: self.logger)
    }
}
