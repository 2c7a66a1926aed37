import EduQLResolvers
import Foundation
import GraphQL

/// A GraphQL-over-HTTP request: `{"query", "operationName", "variables", "extensions"}`, or a
/// persisted document's `{"documentId", "operationName", "variables"}` (appendix A) — one of
/// `query` and `documentId`, never both.
struct GraphQLRequestBody: Decodable {
    /// The document sent as text.
    var query: String?
    /// The id of a trusted document (`sha256:<hex>`).
    var documentID: String?
    var operationName: String?
    var variables: Map?

    enum CodingKeys: String, CodingKey { case query, documentID = "documentId", operationName, variables }

    /// Neither or both of `query` and `documentId`.
    struct Ambiguous: Error {}

    init(query: String?, documentID: String? = nil, operationName: String?, variables: Map?) throws {
        guard (query == nil) != (documentID == nil) else { throw Ambiguous() }
        self.query = query
        self.documentID = documentID
        self.operationName = operationName
        self.variables = variables
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(query: try container.decodeIfPresent(String.self, forKey: .query),
                      documentID: try container.decodeIfPresent(String.self, forKey: .documentID),
                      operationName: try container.decodeIfPresent(String.self, forKey: .operationName),
                      variables: try container.decodeIfPresent(JSONValue.self, forKey: .variables)?.map)
    }

    /// What the request names as its document: the text, or the trusted document's id.
    var document: String { self.query ?? self.documentID ?? "" }
}
