import EduQLAudit
import EduQLSchema
import Foundation
import PostgresNIO

extension Authenticator {
    /// Signs in through a provider's identity: its linked account, or — on its first sign-in —
    /// the one person of the region's register whose SNILS the provider verified (and, from
    /// ЕСИА, whose last name and birth date are the person's there too), linked now. Only a
    /// guardian's or learner's account is linked so; an account holding any staff or
    /// administrator role is linked only from its own password session (`start.linkUserID`)
    /// or with an administrator's approval waiting for it. No match creates nothing. Every
    /// outcome is a security event.
    public func signIn(_ identity: FederatedIdentity, start: FederatedStart, request: RequestInfo) async throws -> Session {
        var event = SecurityEvent(.auth, "federated_login", .denied, request: request)
        event.regionID = start.regionID
        event.detail["provider"] = identity.provider
        let outcome: Result<Session, FederatedRefusal> = try await self.database.auditedTransaction(logger: self.logger) { connection in
            try await connection.setTenancy(region: start.regionID, logger: self.logger)
            func refuse(_ code: String) async throws -> Result<Session, FederatedRefusal> {
                event.errorCodes = [code]
                try await event.record(on: connection, logger: self.logger)
                return .failure(FederatedRefusal(code: code))
            }
            let linked = try await connection.guardedQuery("""
                SELECT id, user_id FROM eduql.federated_identities WHERE issuer = \(identity.issuer) AND subject = \(identity.subject)
                """, logger: self.logger).collect().first?.decode((Int, Int).self)
            var account: (userID: Int, how: String?)
            var linkedBy = start.linkUserID
            if let linked {
                if let asking = start.linkUserID, asking != linked.1 { return try await refuse("LINKED_TO_ANOTHER_ACCOUNT") }
                account = (linked.1, nil)
            } else {
                guard let snils = identity.snils else { return try await refuse("NOT_IN_REGISTER") }
                let matches = try await self.accounts(of: identity, snils: snils, provider: identity.provider, on: connection)
                if let asking = start.linkUserID {
                    guard matches.contains(where: { $0.userID == asking }) else { return try await refuse("NOT_IN_REGISTER") }
                    account = (asking, "password_session")
                } else {
                    let people = matches.filter { !$0.staff }
                    if people.count == 1, matches.count == 1 {
                        account = (people[0].userID, "verified_attribute")
                    } else if matches.isEmpty {
                        return try await refuse("NOT_IN_REGISTER")
                    } else if people.isEmpty, matches.count == 1, let approval = matches[0].approval {
                        linkedBy = try await connection.guardedQuery("""
                            UPDATE eduql.federated_link_approvals SET used_at = now() WHERE id = \(approval) RETURNING approved_by
                            """, logger: self.logger).collect().first?.decode(Int.self)
                        account = (matches[0].userID, "administrator")
                    } else if people.isEmpty {
                        return try await refuse("LINK_NEEDS_PASSWORD_SESSION")
                    } else {
                        // One person with several accounts (a parent who also teaches): each is linked from its own session.
                        return try await refuse("LINK_NEEDS_PASSWORD_SESSION")
                    }
                }
            }
            let user = try await connection.guardedQuery("""
                SELECT login, disabled_at IS NULL FROM eduql.users WHERE id = \(account.userID)
                """, logger: self.logger).collect().first?.decode((String, Bool).self)
            event.userID = account.userID
            event.login = user?.0
            guard let user, user.1 else { return try await refuse("ACCOUNT_DISABLED") }
            let assignments = try await self.assignments(of: account.userID, on: connection)
            let chosen: Assignment
            switch Self.choose(start.role, from: assignments) {
            case .success(let assignment): chosen = assignment
            case .failure(let failure): return try await refuse(failure.code)
            }
            let identityID: Int
            if let linked {
                identityID = linked.0
            } else {
                let inserted = try await connection.guardedQuery("""
                    INSERT INTO eduql.federated_identities (region_id, user_id, provider, issuer, subject, linked_how, linked_by)
                    VALUES (\(start.regionID), \(account.userID), \(identity.provider), \(identity.issuer), \(identity.subject),
                            \(account.how), \(linkedBy))
                    ON CONFLICT DO NOTHING RETURNING id
                    """, logger: self.logger).collect().first?.decode(Int.self)
                // The account has another identity at this provider already.
                guard let inserted else { return try await refuse("ACCOUNT_ALREADY_LINKED") }
                identityID = inserted
                event.detail["linked"] = account.how
                var linkEvent = SecurityEvent(.auth, "federated_link", .ok, request: request)
                linkEvent.regionID = start.regionID
                linkEvent.userID = account.userID
                linkEvent.login = user.0
                linkEvent.detail = ["provider": identity.provider, "how": account.how ?? ""]
                try await linkEvent.record(on: connection, logger: self.logger)
            }
            return .success(try await self.openSession(
                userID: account.userID, regionID: start.regionID, in: chosen, of: assignments, mustChangePassword: false,
                request: request, event: event, federated: (identityID, identity.providerSession), on: connection))
        }
        return try outcome.get()
    }

    /// The enabled accounts of the region whose person (guardian, learner or staff member) has
    /// this SNILS — and the identity's last name and birth date, when it gives them (a birth
    /// date the register lacks is not compared) — whether each holds a role other than parent
    /// or student, and an administrator's unused approval to link it at `provider`.
    func accounts(of identity: FederatedIdentity, snils: String, provider: String,
                  on connection: PostgresConnection) async throws -> [(userID: Int, staff: Bool, approval: Int?)] {
        let rows = try await connection.guardedQuery("""
            SELECT u.id, u.staff_id IS NOT NULL OR EXISTS (
                       SELECT 1 FROM eduql.role_assignments ra WHERE ra.user_id = u.id AND ra.revoked_at IS NULL
                          AND ra.role NOT IN ('parent', 'student')),
                   (SELECT a.id FROM eduql.federated_link_approvals a
                    WHERE a.user_id = u.id AND a.provider = \(provider) AND a.used_at IS NULL AND a.expires_at > now()
                    ORDER BY a.id DESC LIMIT 1)
            FROM eduql.users u
            JOIN LATERAL (
                SELECT g.last_name, g.birth_date FROM eduql.guardians g WHERE g.id = u.guardian_id AND g.snils = \(snils)
                UNION ALL SELECT l.last_name, l.birth_date FROM eduql.learners l WHERE l.id = u.learner_id AND l.snils = \(snils)
                UNION ALL SELECT s.last_name, s.birth_date FROM eduql.staff s WHERE s.id = u.staff_id AND s.snils = \(snils)
            ) person ON true
            WHERE u.region_id = eduql.current_region_id() AND u.disabled_at IS NULL
              AND (\(identity.lastName)::text IS NULL OR eduql.same_name(person.last_name, \(identity.lastName)))
              AND (\(identity.birthDate)::date IS NULL OR person.birth_date IS NULL OR person.birth_date = \(identity.birthDate)::date)
            ORDER BY u.id
            """, logger: self.logger)
        var accounts: [(userID: Int, staff: Bool, approval: Int?)] = []
        for try await (userID, staff, approval) in rows.decode((Int, Bool, Int?).self) { accounts.append((userID, staff, approval)) }
        return accounts
    }

    /// Ends the EduQL sessions behind a provider's session (`sid`) or of a provider's subject,
    /// as its back-channel logout asks; how many.
    public func endFederatedSessions(regionID: Int, issuer: String, subject: String?, providerSession: String?, request: RequestInfo) async throws -> Int {
        try await self.database.auditedTransaction(logger: self.logger) { connection in
            try await connection.setTenancy(region: regionID, logger: self.logger)
            let rows = try await connection.guardedQuery("""
                UPDATE eduql.sessions s SET revoked_at = now()
                FROM eduql.federated_identities f
                WHERE s.federated_identity_id = f.id AND f.issuer = \(issuer) AND s.revoked_at IS NULL
                  AND (\(subject)::text IS NULL OR f.subject = \(subject))
                  AND (\(providerSession)::text IS NULL OR s.provider_session = \(providerSession))
                RETURNING s.user_id
                """, logger: self.logger)
            var ended: [Int] = []
            for try await user in rows.decode(Int.self) { ended.append(user) }
            var event = SecurityEvent(.auth, "federated_logout", .ok, request: request)
            event.regionID = regionID
            event.userID = ended.first
            event.detail = ["sessions": String(ended.count)]
            try await event.record(on: connection, logger: self.logger)
            return ended.count
        }
    }
}
