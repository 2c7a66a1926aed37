import Foundation
import HTTPTypes

extension TestAPI {
    /// `POST /graphql` with a query and variables, acting with `token`.
    func graphql(_ query: String, variables: [String: Any] = [:], token: String?, accept: String? = nil,
                 operationName: String? = nil) async throws -> Reply {
        var body: [String: Any] = ["query": query, "variables": variables]
        if let operationName { body["operationName"] = operationName }
        var headers: HTTPFields = [:]
        if let accept { headers[.accept] = accept }
        return try await self.request(.post, "/graphql", json: body, token: token, headers: headers)
    }

    /// Signs in a demo account by login.
    func demoToken(_ login: String) async throws -> String {
        try await self.token(login, try await TestCluster.shared.password(of: login))
    }
}

extension TestAPI.Reply {
    /// `data` of a GraphQL answer.
    var data: [String: Any]? { self.json["data"] as? [String: Any] }
    /// `errors[].extensions.code` of a GraphQL answer.
    var errorCodes: [String] {
        ((self.json["errors"] as? [[String: Any]]) ?? []).compactMap { ($0["extensions"] as? [String: Any])?["code"] as? String }
    }
}
