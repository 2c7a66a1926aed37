import EduQLAudit
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

extension Authenticator {
    struct Candidate {
        var userID: Int
        var regionID: Int
        var passwordHash: String
        var mustChangePassword: Bool
        var disabled: Bool
        var lockedUntil: Date?
    }

    func candidate(_ login: String) async throws -> Candidate? {
        let rows = try await self.database.withMeteredConnection { connection in
            try await connection.watched {
                try await connection.guardedQuery("""
                    SELECT user_id, region_id, password_hash, must_change_password, disabled, locked_until
                    FROM eduql.login_candidate(\(login))
                    """, logger: self.logger).collect()
            }
        }
        guard let row = rows.first else { return nil }
        let (userID, regionID, hash, mustChange, disabled, lockedUntil) = try row.decode((Int, Int, String, Bool, Bool, Date?).self)
        return Candidate(userID: userID, regionID: regionID, passwordHash: hash, mustChangePassword: mustChange,
                         disabled: disabled, lockedUntil: lockedUntil)
    }

    /// Counts a failed sign-in inside the failure window; the last allowed failure locks the
    /// account for the lock duration doubled per earlier lock.
    func recordFailure(of candidate: Candidate, event: SecurityEvent) async throws {
        let c = self.configuration
        try await self.database.auditedTransaction(logger: self.logger) { connection in
            try await connection.setTenancy(region: candidate.regionID, logger: self.logger)
            let rows = try await connection.guardedQuery("""
                UPDATE eduql.users SET
                    failed_attempts = CASE WHEN first_failed_at > now() - make_interval(secs => \(c.failureWindow.wholeSeconds)) THEN failed_attempts + 1 ELSE 1 END,
                    first_failed_at = CASE WHEN first_failed_at > now() - make_interval(secs => \(c.failureWindow.wholeSeconds)) THEN first_failed_at ELSE now() END
                WHERE id = \(candidate.userID)
                RETURNING failed_attempts
                """, logger: self.logger).collect()
            var failure = event
            failure.errorCodes = ["WRONG_PASSWORD"]
            try await failure.record(on: connection, logger: self.logger)
            guard try rows.first!.decode(Int.self) >= c.maximumFailures else { return }
            let lockedUntil = try await connection.guardedQuery("""
                UPDATE eduql.users SET locked_until = now() + make_interval(secs => \(c.lockDuration.wholeSeconds)) * power(2, lockouts),
                       lockouts = lockouts + 1, failed_attempts = 0, first_failed_at = NULL
                WHERE id = \(candidate.userID)
                RETURNING locked_until
                """, logger: self.logger).collect().first!.decode(Date.self)
            var lockout = event
            lockout.action = "lockout"
            lockout.detail["lockedUntil"] = ISO8601DateFormatter().string(from: lockedUntil)
            try await lockout.record(on: connection, logger: self.logger)
        }
    }

    func assignments(of userID: Int, on connection: PostgresConnection) async throws -> [Assignment] {
        let rows = try await connection.guardedQuery("""
            SELECT id, role, region_id, municipality_id, organization_id, class_id FROM eduql.role_assignments
            WHERE user_id = \(userID) AND revoked_at IS NULL ORDER BY id
            """, logger: self.logger)
        var result: [Assignment] = []
        for try await (id, role, region, municipality, organization, classID) in rows.decode((Int, String, Int, Int?, Int?, Int?).self) {
            guard let role = Role(rawValue: role) else { continue }
            result.append(Assignment(id: id, role: role, scope: Scope(regionID: region, municipalityID: municipality, organizationID: organization, classID: classID)))
        }
        return result
    }

    /// The assignment `requested` names (a role held once, or an assignment id), or the only one.
    static func choose(_ requested: String?, from assignments: [Assignment]) -> Result<Assignment, Failure> {
        guard !assignments.isEmpty else { return .failure(.noRole) }
        guard let requested, !requested.isEmpty else {
            return assignments.count == 1 ? .success(assignments[0]) : .failure(.roleRequired(assignments))
        }
        let matches = assignments.filter { String($0.id) == requested || $0.role.rawValue == requested }
        return matches.count == 1 ? .success(matches[0]) : .failure(matches.isEmpty ? .roleNotHeld : .roleRequired(matches))
    }
}

extension Authenticator.Failure {
    /// The machine-readable code clients and the audit log see.
    public var code: String {
        switch self {
        case .invalidCredentials: "INVALID_CREDENTIALS"
        case .throttled: "TOO_MANY_ATTEMPTS"
        case .roleRequired: "ROLE_REQUIRED"
        case .roleNotHeld: "ROLE_NOT_HELD"
        case .noRole: "NO_ROLE"
        case .unauthenticated: "UNAUTHENTICATED"
        case .wrongPassword: "WRONG_PASSWORD"
        case .weakPassword(let violation): violation.rawValue
        }
    }
}

extension SecurityEvent {
    /// The same event, attributed to `principal`.
    func about(_ principal: UserPrincipal) -> SecurityEvent {
        var event = self
        event.userID = principal.userID
        event.login = principal.login
        event.role = principal.role.rawValue
        event.regionID = principal.scope.regionID
        event.municipalityID = principal.scope.municipalityID
        event.organizationID = principal.scope.organizationID
        return event
    }
}

extension PostgresConnection {
    /// Sets the transaction's tenancy settings (row-level security) to a scope.
    public func setTenancy(region: Int, municipality: Int? = nil, organization: Int? = nil, logger: Logger) async throws {
        try await self.execute("""
            SELECT set_config('eduql.region_id', \(String(region)), true),
                   set_config('eduql.municipality_id', \(municipality.map(String.init) ?? ""), true),
                   set_config('eduql.organization_id', \(organization.map(String.init) ?? ""), true)
            """, logger: logger)
    }
}
