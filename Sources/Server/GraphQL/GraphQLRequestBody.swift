import Foundation
import GraphQL

/// A GraphQL-over-HTTP request: `{"query", "operationName", "variables", "extensions"}`.
struct GraphQLRequestBody: Decodable {
    var query: String
    var operationName: String?
    var variables: Map?

    enum CodingKeys: String, CodingKey { case query, operationName, variables }

    init(query: String, operationName: String?, variables: Map?) {
        self.query = query
        self.operationName = operationName
        self.variables = variables
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.query = try container.decode(String.self, forKey: .query)
        self.operationName = try container.decodeIfPresent(String.self, forKey: .operationName)
        self.variables = try container.decodeIfPresent(Map.self, forKey: .variables)
    }
}
