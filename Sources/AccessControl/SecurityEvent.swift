import EduQLAudit
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// A registered security event: a sign-in, failure, lockout, sign-out, password change, or an
/// administrative act (FSTEC order 17, РСБ). Inside an audited request it becomes that
/// request's one event; elsewhere (the command line) it is appended to the chain directly.
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

    /// Records the event: into the audited request's event when there is one (written, chained,
    /// before the answer leaves), else appended to the chain on `connection` at once.
    public func record(on connection: PostgresConnection, logger: Logger) async throws {
        if let record = AuditRecord.current {
            record.update(decides: true) { self.merge(into: &$0) }
        } else {
            try await self.auditEvent.append(on: connection, logger: logger)
        }
    }

    /// Records the event as ``record(on:logger:)-(PostgresConnection,_)`` does, on a pooled connection when needed.
    public func record(on database: PostgresClient, logger: Logger) async throws {
        if let record = AuditRecord.current {
            record.update(decides: true) { self.merge(into: &$0) }
        } else {
            try await database.withMeteredConnection { try await self.auditEvent.append(on: $0, logger: logger) }
        }
    }

    /// The request's event takes this one's facts; a later event of the same request (a lockout
    /// after a failed sign-in) names the action.
    func merge(into event: inout AuditEvent) {
        event.kind = AuditEvent.Kind(rawValue: self.kind.rawValue) ?? event.kind
        event.action = self.action
        event.outcome = AuditEvent.Outcome(rawValue: self.outcome.rawValue) ?? event.outcome
        event.regionID = self.regionID ?? event.regionID
        event.municipalityID = self.municipalityID ?? event.municipalityID
        event.organizationID = self.organizationID ?? event.organizationID
        event.userID = self.userID ?? event.userID
        event.clientID = self.clientID ?? event.clientID
        event.login = self.login ?? event.login
        event.role = self.role ?? event.role
        event.errorCodes += self.errorCodes.filter { !event.errorCodes.contains($0) }
        event.detail.merge(self.detail) { _, new in new }
    }

    /// The event as the audit chain stores it.
    var auditEvent: AuditEvent {
        var event = AuditEvent(kind: .auth, action: self.action, outcome: .ok, requestID: self.request.requestID)
        event.clientIP = self.request.clientIP
        event.userAgent = self.request.userAgent
        self.merge(into: &event)
        return event
    }
}
