import Foundation

/// One audit event: who, in which role and scope, asked what, saw whose data, and what came
/// of it. Numbered and hashed into the chain when it is appended.
public struct AuditEvent: Sendable {
    public enum Kind: String, Sendable { case graphql, auth, admin }
    public enum Outcome: String, Sendable { case ok, partial, denied, invalid, error }

    public var occurredAt: Date
    public var requestID: String
    public var kind: Kind
    public var action: String
    public var outcome: Outcome
    public var regionID: Int?
    public var municipalityID: Int?
    public var organizationID: Int?
    public var userID: Int?
    public var clientID: Int?
    public var login: String?
    public var role: String?
    public var clientIP: String?
    public var userAgent: String?
    public var operationType: String?
    public var operationName: String?
    /// SHA-256 of the document, hex; its text is stored once per hash.
    public var documentSHA256: String?
    public var document: String?
    /// The variables as JSON, secrets already redacted.
    public var variables: Data?
    public var rootFields: [String] = []
    /// The learners whose personal data the answer carried.
    public var learnerIDs: [Int] = []
    public var rowCount: Int?
    public var errorCodes: [String] = []
    /// Extra facts (the target of an administrative act, a lock's end); never secrets.
    public var detail: [String: String] = [:]
    public var durationMilliseconds: Double?

    public init(kind: Kind, action: String, outcome: Outcome, requestID: String, occurredAt: Date = Date()) {
        self.kind = kind
        self.action = action
        self.outcome = outcome
        self.requestID = requestID
        self.occurredAt = occurredAt
    }

    /// The event as `eduql.append_audit` reads it: audit_events columns by name.
    func jsonObject(includingDocument: Bool) throws -> [String: Any] {
        var object: [String: Any] = [
            "occurred_at": self.occurredAt.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)),
            "request_id": self.requestID, "kind": self.kind.rawValue, "action": self.action, "outcome": self.outcome.rawValue,
            "root_fields": self.rootFields, "learner_ids": self.learnerIDs, "error_codes": self.errorCodes,
        ]
        let optional: [(String, Any?)] = [
            ("region_id", self.regionID), ("municipality_id", self.municipalityID), ("organization_id", self.organizationID),
            ("user_id", self.userID), ("client_id", self.clientID), ("login", self.login), ("role", self.role),
            ("client_ip", self.clientIP), ("user_agent", self.userAgent), ("operation_type", self.operationType),
            ("operation_name", self.operationName), ("document_sha256", self.documentSHA256.map { "\\x" + $0 }),
            ("row_count", self.rowCount), ("duration_ms", self.durationMilliseconds),
            ("detail", self.detail.isEmpty ? nil : self.detail),
            ("variables", try self.variables.map { try JSONSerialization.jsonObject(with: $0, options: [.fragmentsAllowed]) }),
            ("document", includingDocument ? self.document : nil),
        ]
        for (key, value) in optional {
            if let value { object[key] = value }
        }
        return object
    }
}
