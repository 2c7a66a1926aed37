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

    /// The event as `eduql.append_audit` reads it: a JSON object of audit_events columns, written
    /// directly (the sink writes one per request; Foundation's serializer costs more than the rest).
    func json(includingDocument: Bool) -> String {
        var json = JSONWriter()
        json.number("occurred_at_us", (self.occurredAt.timeIntervalSince1970 * 1_000_000).rounded())
        json.string("request_id", self.requestID)
        json.string("kind", self.kind.rawValue)
        json.string("action", self.action)
        json.string("outcome", self.outcome.rawValue)
        json.int("region_id", self.regionID)
        json.int("municipality_id", self.municipalityID)
        json.int("organization_id", self.organizationID)
        json.int("user_id", self.userID)
        json.int("client_id", self.clientID)
        json.string("login", self.login)
        json.string("role", self.role)
        json.string("client_ip", self.clientIP)
        json.string("user_agent", self.userAgent)
        json.string("operation_type", self.operationType)
        json.string("operation_name", self.operationName)
        json.string("document_sha256", self.documentSHA256.map { "\\x" + $0 })
        json.string("document", includingDocument ? self.document : nil)
        json.raw("variables", self.variables.map { JSONWriter.storable(String(decoding: $0, as: UTF8.self)) })
        json.strings("root_fields", self.rootFields)
        json.raw("learner_ids", "[" + self.learnerIDs.map(String.init).joined(separator: ",") + "]")
        json.int("row_count", self.rowCount)
        json.strings("error_codes", self.errorCodes)
        json.number("duration_ms", self.durationMilliseconds)
        if !self.detail.isEmpty {
            var detail = JSONWriter()
            for (key, value) in self.detail.sorted(by: { $0.key < $1.key }) { detail.string(key, value) }
            json.raw("detail", detail.text)
        }
        return json.text
    }
}
