import EduQLAudit
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// Signs users in and out, resolves session tokens to principals, and changes passwords.
///
/// Every sign-in verifies a hash, even for an unknown login (against a dummy hash), so the
/// answer takes the same time. Failures count per account; enough of them lock it, each lock
/// twice as long as the last. Every outcome is written as a ``SecurityEvent``.
public final class Authenticator: Sendable {
    /// Why a sign-in or a token was refused.
    public enum Failure: Error, Equatable {
        /// Wrong login or password, or a locked or disabled account: one answer for all.
        case invalidCredentials
        /// Too many attempts from this address; retry after the seconds given.
        case throttled(retryAfter: Int)
        /// The person holds several roles and named none.
        case roleRequired([Assignment])
        /// The role named is not one the person holds.
        case roleNotHeld
        /// The account has no active role.
        case noRole
        /// No token, or one that is unknown, expired, idle, revoked, or of a disabled account.
        case unauthenticated
        /// The old password is wrong.
        case wrongPassword
        /// The new password breaks the policy.
        case weakPassword(PasswordPolicy.Violation)
    }

    /// A role assignment a person holds.
    public struct Assignment: Sendable, Equatable, Codable {
        public var id: Int
        public var role: Role
        public var scope: Scope
    }

    /// A new session: the token (shown once), its end, and the roles the person may act in.
    public struct Session: Sendable {
        public var token: BearerToken
        public var expiresAt: Date
        public var mustChangePassword: Bool
        public var assignment: Assignment
        public var assignments: [Assignment]
    }

    let database: PostgresClient
    let hashing: HashingPool
    let verifier: SecretVerifier
    let configuration: AuthenticationConfiguration
    let logger: Logger

    public init(database: PostgresClient, hashing: HashingPool, configuration: AuthenticationConfiguration = .init(), logger: Logger) throws {
        self.database = database
        self.hashing = hashing
        self.verifier = try SecretVerifier(
            hashing: hashing, throttle: AddressThrottle(database: database, attemptsPerMinute: configuration.attemptsPerAddressPerMinute, logger: logger))
        self.configuration = configuration
        self.logger = logger
    }

    /// Signs in with a login and password, acting in `role` (a role name or an assignment id),
    /// or the person's only role.
    public func login(_ login: String, password: String, role requested: String?, request: RequestInfo) async throws -> Session {
        var event = SecurityEvent(.auth, "login", .denied, request: request)
        event.login = String(login.prefix(64))
        do {
            try await self.verifier.admit(password, from: request.clientIP)
        } catch let refusal as SecretVerifier.Refusal {
            event.errorCodes = [refusal.code]
            try await event.record(on: self.database, logger: self.logger)
            if case .throttled(let wait) = refusal { throw Failure.throttled(retryAfter: wait) }
            throw Failure.invalidCredentials
        }
        let candidate = try await self.candidate(login)
        let verified = try await self.verifier.verify(password, against: candidate?.passwordHash)
        guard let candidate else {
            event.errorCodes = ["UNKNOWN_LOGIN"]
            // Committed in a transaction of its own, as a known login's failure is with its
            // counter: the two answers take the same path, and so the same time.
            let failure = event
            try await self.database.auditedTransaction(logger: self.logger) { connection in
                try await failure.record(on: connection, logger: self.logger)
            }
            throw Failure.invalidCredentials
        }
        event.regionID = candidate.regionID
        event.userID = candidate.userID
        if candidate.disabled || (candidate.lockedUntil.map { $0 > Date() } ?? false) {
            event.errorCodes = [candidate.disabled ? "ACCOUNT_DISABLED" : "ACCOUNT_LOCKED"]
            try await event.record(on: self.database, logger: self.logger)
            throw Failure.invalidCredentials
        }
        guard verified else {
            try await self.recordFailure(of: candidate, event: event)
            throw Failure.invalidCredentials
        }
        let rehash = self.hashing.hasher.needsRehash(candidate.passwordHash) ? try await self.hashing.hash(password) : nil
        // A refusal is returned, not thrown, so that its audit record commits.
        let outcome: Result<Session, Failure> = try await self.database.auditedTransaction(logger: self.logger) { connection in
            try await connection.setTenancy(region: candidate.regionID, logger: self.logger)
            let assignments = try await self.assignments(of: candidate.userID, on: connection)
            let chosen: Assignment
            switch Self.choose(requested, from: assignments) {
            case .success(let assignment):
                chosen = assignment
            case .failure(let failure):
                event.errorCodes = [failure.code]
                try await event.record(on: connection, logger: self.logger)
                return .failure(failure)
            }
            try await connection.execute("""
                UPDATE eduql.users SET failed_attempts = 0, first_failed_at = NULL, lockouts = 0, locked_until = NULL,
                       password_hash = coalesce(\(rehash), password_hash)
                WHERE id = \(candidate.userID)
                """, logger: self.logger)
            if rehash != nil { event.detail["rehashed"] = "true" }
            return .success(try await self.openSession(
                userID: candidate.userID, regionID: candidate.regionID, in: chosen, of: assignments,
                mustChangePassword: candidate.mustChangePassword, request: request, event: event, on: connection))
        }
        return try outcome.get()
    }

    /// Opens a session of a user in `chosen`, and records `event` as its success, in the
    /// caller's transaction; `federated` names the provider's identity and session behind it.
    func openSession(userID: Int, regionID: Int, in chosen: Assignment, of assignments: [Assignment], mustChangePassword: Bool,
                     request: RequestInfo, event: SecurityEvent, federated: (identity: Int, providerSession: String?)? = nil,
                     on connection: PostgresConnection) async throws -> Session {
        var event = event
        let token = BearerToken.generate(.session)
        let expiresAt = try await connection.guardedQuery("""
            INSERT INTO eduql.sessions (region_id, user_id, role_assignment_id, token_sha256, expires_at, client_ip, user_agent,
                                        federated_identity_id, provider_session)
            VALUES (\(regionID), \(userID), \(chosen.id), \(token.sha256),
                    now() + make_interval(secs => \(self.configuration.sessionLifetime.wholeSeconds)),
                    \(request.clientIP)::inet, \(request.userAgent), \(federated?.identity), \(federated?.providerSession))
            RETURNING expires_at
            """, logger: self.logger).collect().first!.decode(Date.self)
        event.outcome = .ok
        event.role = chosen.role.rawValue
        event.municipalityID = chosen.scope.municipalityID
        event.organizationID = chosen.scope.organizationID
        try await event.record(on: connection, logger: self.logger)
        return Session(token: token, expiresAt: expiresAt, mustChangePassword: mustChangePassword, assignment: chosen, assignments: assignments)
    }

    /// The principal of a session token acting in its own role or the one `role` names, with
    /// the tenancy settings set for the rest of `connection`'s transaction.
    public func principal(token: String?, role: String?, on connection: PostgresConnection) async throws -> UserPrincipal {
        guard let token = token.flatMap(BearerToken.init(presented:)), token.kind == .session else { throw Failure.unauthenticated }
        let rows = try await connection.guardedQuery("""
            SELECT status, session_id, user_id, login, region_id, assignment_id, role, municipality_id, organization_id, class_id,
                   staff_id, guardian_id, learner_id, must_change_password
            FROM eduql.session_principal(\(token.sha256), \(role), make_interval(secs => \(self.configuration.idleTimeout.wholeSeconds)))
            """, logger: self.logger).collect()
        guard let row = rows.first else { throw Failure.unauthenticated }
        let (status, sessionID, userID, login, regionID, assignmentID, roleName, municipalityID, organizationID, classID,
             staffID, guardianID, learnerID, mustChange) = try row.decode(
            (String, Int, Int, String, Int, Int?, String?, Int?, Int?, Int?, Int?, Int?, Int?, Bool).self)
        guard status == "ok", let assignmentID, let role = roleName.flatMap(Role.init(rawValue:)) else { throw Failure.roleNotHeld }
        // Only the person link of the role acted in: roles never lend each other their reach.
        return UserPrincipal(sessionID: sessionID, userID: userID, login: login, assignmentID: assignmentID, role: role,
                             scope: Scope(regionID: regionID, municipalityID: municipalityID, organizationID: organizationID, classID: classID),
                             staffID: [.parent, .student].contains(role) ? nil : staffID,
                             guardianID: role == .parent ? guardianID : nil,
                             learnerID: role == .student ? learnerID : nil,
                             mustChangePassword: mustChange)
    }

    /// Ends the session of `token` at once.
    public func logout(token: String?, request: RequestInfo) async throws {
        try await self.database.auditedTransaction(logger: self.logger) { connection in
            let principal = try await self.principal(token: token, role: nil, on: connection)
            try await connection.execute("UPDATE eduql.sessions SET revoked_at = now() WHERE id = \(principal.sessionID)", logger: self.logger)
            try await SecurityEvent(.auth, "logout", .ok, request: request).about(principal).record(on: connection, logger: self.logger)
        }
    }

    /// Replaces the password of the session's user after checking the old one and the
    /// policy; ends the user's other sessions.
    public func changePassword(token: String?, old: String, new: String, request: RequestInfo) async throws {
        let outcome: Result<Void, Failure> = try await self.database.auditedTransaction(logger: self.logger) { connection in
            let principal = try await self.principal(token: token, role: nil, on: connection)
            var event = SecurityEvent(.auth, "password_change", .denied, request: request).about(principal)
            let row = try await connection.guardedQuery("""
                SELECT u.password_hash, u.login, r.password_min_length FROM eduql.users u JOIN eduql.regions r ON r.id = u.region_id
                WHERE u.id = \(principal.userID)
                """, logger: self.logger).collect()
            let (stored, login, minimumLength) = try row.first!.decode((String, String, Int).self)
            guard old.utf8.count <= self.hashing.hasher.configuration.maximumPasswordBytes,
                  try await self.hashing.verify(old, against: stored)
            else {
                event.errorCodes = ["WRONG_PASSWORD"]
                try await event.record(on: connection, logger: self.logger)
                return .failure(.wrongPassword)
            }
            if let violation = PasswordPolicy(minimumLength: minimumLength).violation(of: new, login: login) {
                event.errorCodes = [violation.rawValue]
                try await event.record(on: connection, logger: self.logger)
                return .failure(.weakPassword(violation))
            }
            let hash = try await self.hashing.hash(new)
            try await connection.execute("""
                UPDATE eduql.users SET password_hash = \(hash), must_change_password = false, password_changed_at = now()
                WHERE id = \(principal.userID)
                """, logger: self.logger)
            try await connection.execute("""
                UPDATE eduql.sessions SET revoked_at = now()
                WHERE user_id = \(principal.userID) AND id <> \(principal.sessionID) AND revoked_at IS NULL
                """, logger: self.logger)
            event.outcome = .ok
            try await event.record(on: connection, logger: self.logger)
            return .success(())
        }
        try outcome.get()
    }
}
