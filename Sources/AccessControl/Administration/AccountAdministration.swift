import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// Delegated administration: create accounts with temporary passwords, assign and revoke
/// roles, reset passwords, disable and enable accounts, rotate and revoke client secrets.
///
/// Every act runs in a transaction under the actor's own tenancy, is checked against
/// ``GrantRules``, and is audited whether it is done or refused.
public struct AccountAdministration: Sendable {
    public enum Failure: Error, Equatable {
        /// Outside the actor's scope or above its level.
        case forbidden(String)
        /// The named user, person, organization or class is not visible to the actor.
        case notFound(String)
        case invalid(String)
    }

    /// The person an account belongs to.
    public enum Person: Sendable, Equatable {
        case staff(Int)
        case guardian(Int)
        case learner(Int)
    }

    /// A created or reset account's one-time temporary password.
    public struct Credentials: Sendable {
        public var userID: Int
        public var temporaryPassword: String
    }

    let database: PostgresClient
    let hashing: HashingPool
    let logger: Logger

    public init(database: PostgresClient, hashing: HashingPool, logger: Logger) {
        self.database = database
        self.hashing = hashing
        self.logger = logger
    }

    /// Creates an account holding `role` at `scope`, with a temporary password to change at first sign-in.
    public func createUser(by actor: UserPrincipal, login: String, displayName: String, person: Person?, role: Role, scope: Scope,
                           request: RequestInfo,
                           on connection: PostgresConnection? = nil) async throws -> Credentials {
        let password = Self.temporaryPassword()
        let hash = try await self.hashing.hash(password)
        return try await self.act(actor, "create_user", request, detail: ["login": login, "role": role.rawValue], on: connection) { connection, event in
            let scope = try await self.checkGrant(actor, role, scope, person: person, on: connection)
            let (staff, guardian, learner) = person.links
            let rows = try await connection.guardedQuery("""
                INSERT INTO eduql.users (region_id, login, display_name, password_hash, must_change_password, staff_id, guardian_id, learner_id, created_by)
                VALUES (\(scope.regionID), lower(\(login)), \(displayName), \(hash), true, \(staff), \(guardian), \(learner), \(actor.userID))
                ON CONFLICT (login) DO NOTHING RETURNING id
                """, logger: self.logger).collect()
            guard let userID = try rows.first?.decode(Int.self) else { throw Failure.invalid("the login is taken") }
            try await self.insertAssignment(userID: userID, role: role, scope: scope, by: actor, on: connection)
            event.detail["user"] = String(userID)
            return Credentials(userID: userID, temporaryPassword: password)
        }
    }

    /// Gives an existing account of the actor's region another role. A parent role names the
    /// guardian the account acts for when the account is not linked to one yet.
    public func assignRole(by actor: UserPrincipal, userID: Int, role: Role, scope: Scope, guardianID: Int? = nil, request: RequestInfo,
                           on connection: PostgresConnection? = nil) async throws -> Int {
        try await self.act(actor, "assign_role", request, detail: ["user": String(userID), "role": role.rawValue], on: connection) { connection, _ in
            var person = try await self.person(of: userID, for: role, on: connection)
            var link: Int?
            if let guardianID {
                guard role == .parent else { throw Failure.invalid("guardianId is given only with the PARENT role") }
                switch person {
                case nil: link = guardianID
                case .guardian(guardianID): break
                default: throw Failure.invalid("the account already acts for another guardian")
                }
                person = .guardian(guardianID)
            }
            let scope = try await self.checkGrant(actor, role, scope, person: person, on: connection)
            if let link {
                try await connection.execute("UPDATE eduql.users SET guardian_id = \(link) WHERE id = \(userID) AND guardian_id IS NULL",
                                             logger: self.logger)
            }
            return try await self.insertAssignment(userID: userID, role: role, scope: scope, by: actor, on: connection)
        }
    }

    /// Revokes a role assignment; sessions acting in it stop at their next request.
    public func revokeRole(by actor: UserPrincipal, assignmentID: Int, request: RequestInfo,
                           on connection: PostgresConnection? = nil) async throws {
        try await self.act(actor, "revoke_role", request, detail: ["assignment": String(assignmentID)], on: connection) { connection, _ in
            let rows = try await connection.guardedQuery("""
                SELECT role, region_id, municipality_id, organization_id, class_id, user_id FROM eduql.role_assignments
                WHERE id = \(assignmentID) AND revoked_at IS NULL
                """, logger: self.logger).collect()
            guard let (role, region, municipality, organization, classID, userID) = try rows.first?.decode((String, Int, Int?, Int?, Int?, Int).self),
                  let role = Role(rawValue: role)
            else { throw Failure.notFound("assignment \(assignmentID)") }
            let person = try await self.person(of: userID, for: role, on: connection)
            _ = try await self.checkReach(actor, role, Scope(regionID: region, municipalityID: municipality, organizationID: organization, classID: classID),
                                          person: person, on: connection)
            try await connection.execute("UPDATE eduql.role_assignments SET revoked_at = now() WHERE id = \(assignmentID)", logger: self.logger)
        }
    }

    /// Gives an account a new temporary password and ends its sessions.
    public func resetPassword(by actor: UserPrincipal, userID: Int, request: RequestInfo,
                           on connection: PostgresConnection? = nil) async throws -> Credentials {
        let password = Self.temporaryPassword()
        let hash = try await self.hashing.hash(password)
        return try await self.act(actor, "reset_password", request, detail: ["user": String(userID)], on: connection) { connection, _ in
            try await self.checkGoverns(actor, userID, on: connection)
            try await connection.execute("""
                UPDATE eduql.users SET password_hash = \(hash), must_change_password = true, password_changed_at = now(),
                       failed_attempts = 0, first_failed_at = NULL, locked_until = NULL
                WHERE id = \(userID)
                """, logger: self.logger)
            try await connection.execute("UPDATE eduql.sessions SET revoked_at = now() WHERE user_id = \(userID) AND revoked_at IS NULL", logger: self.logger)
            return Credentials(userID: userID, temporaryPassword: password)
        }
    }

    /// Disables an account at once (its sessions stop at their next request), or enables it again.
    public func setDisabled(_ disabled: Bool, by actor: UserPrincipal, userID: Int, request: RequestInfo,
                           on connection: PostgresConnection? = nil) async throws {
        try await self.act(actor, disabled ? "disable_user" : "enable_user", request, detail: ["user": String(userID)], on: connection) { connection, _ in
            try await self.checkGoverns(actor, userID, on: connection)
            try await connection.execute("""
                UPDATE eduql.users SET disabled_at = CASE WHEN \(disabled) THEN now() END WHERE id = \(userID)
                """, logger: self.logger)
        }
    }

    /// Sixteen letters and digits from an alphabet without look-alikes.
    static func temporaryPassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
    }
}

extension Optional where Wrapped == AccountAdministration.Person {
    /// staff_id, guardian_id, learner_id.
    var links: (Int?, Int?, Int?) {
        switch self {
        case .staff(let id): (id, nil, nil)
        case .guardian(let id): (nil, id, nil)
        case .learner(let id): (nil, nil, id)
        case nil: (nil, nil, nil)
        }
    }
}
