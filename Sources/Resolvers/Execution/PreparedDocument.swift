import GraphQL

/// A document parsed and validated against one role schema, ready to plan with variables.
public struct PreparedDocument: Sendable {
    public let document: Document
    /// SHA-256 of the text, hex.
    public let hash: String
    /// Its lexical identity, what trusted documents are compared by.
    public let fingerprint: DocumentFingerprint
}
