import GraphQL

/// A document parsed and validated against one role schema, ready to plan with variables.
public struct PreparedDocument: Sendable {
    public let document: Document
    /// The text, as sent or as the trusted document holds it.
    public let text: String
    /// SHA-256 of the text, hex.
    public let hash: String
}
