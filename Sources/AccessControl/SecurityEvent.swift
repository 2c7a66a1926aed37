import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// A registered security event: a sign-in, failure, lockout, sign-out, password change, or an
/// administrative act (FSTEC order 17, РСБ). Written to `eduql.audit_events` directly; the
/// audit issue's group-committed, chained sink takes these over.
public struct SecurityEvent: Sendable {
    public enum Kind: String, Sendable { case auth, admin }
    public enum Outcome: String, Sendable { case ok, denied, invalid, error }

    public var kind: Kind
    public var action: String
    public var outcome: Outcome
    public var request: RequestInfo
    public var regionID: Int?
    public var municipalityID: Int?
    public var organizationID: Int?
    public var userID: Int?
    public var clientID: Int?
    public var login: String?
    public var role: String?
    public var errorCodes: [String] = []
    /// Extra facts (the target of an administrative act, a lock's end); never secrets.
    public var detail: [String: String] = [:]

    public init(_ kind: Kind, _ action: String, _ outcome: Outcome, request: RequestInfo) {
        self.kind = kind
        self.action = action
        self.outcome = outcome
        self.request = request
    }

    /// Inserts the event on `connection` (inside the caller's transaction, if any).
    public func record(on connection: PostgresConnection, logger: Logger) async throws {
        let detail = self.detail.isEmpty ? nil : String(decoding: try JSONEncoder().encode(self.detail), as: UTF8.self)
        try await connection.execute("""
            INSERT INTO eduql.audit_events (occurred_at, region_id, municipality_id, organization_id, request_id, kind, action,
                                            user_id, client_id, login, role, client_ip, user_agent, outcome, error_codes, detail)
            VALUES (clock_timestamp(), \(self.regionID), \(self.municipalityID), \(self.organizationID), \(self.request.requestID),
                    \(self.kind.rawValue), \(self.action), \(self.userID), \(self.clientID), \(self.login), \(self.role),
                    \(self.request.clientIP)::inet, \(self.request.userAgent), \(self.outcome.rawValue), \(self.errorCodes), \(detail)::jsonb)
            """, logger: logger)
    }

    /// Inserts the event on a pooled connection of its own.
    public func record(on database: PostgresClient, logger: Logger) async throws {
        try await database.withConnection { try await self.record(on: $0, logger: logger) }
    }
}
