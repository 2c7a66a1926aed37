import Crypto
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

    /// `POST /graphql` with a trusted document's id (`{"documentId": …}`), acting with `token`.
    func graphql(documentID: String, variables: [String: Any] = [:], token: String?, operationName: String? = nil) async throws -> Reply {
        var body: [String: Any] = ["documentId": documentID, "variables": variables]
        if let operationName { body["operationName"] = operationName }
        return try await self.request(.post, "/graphql", json: body, token: token)
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

extension TestAPI {
    /// An access token of the demo integration client (`diary-vendor`).
    func clientToken(_ clientID: String = "diary-vendor") async throws -> String {
        let secret = try await TestCluster.shared.password(of: clientID)
        let reply = try await self.request(.post, "/auth/token", raw: "grant_type=client_credentials", headers: [
            .authorization: "Basic " + Data("\(clientID):\(secret)".utf8).base64EncodedString(),
            .contentType: "application/x-www-form-urlencoded",
        ])
        guard let token = reply["access_token"] as? String else { throw TestFailure("no client token: \(reply.text)") }
        return token
    }
}

/// The consumer documents of `queries/`.
enum ConsumerDocuments {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("queries")

    /// The text of `queries/<path>`.
    static func text(_ path: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
    }

    /// The document id of `queries/<path>`: `sha256:` and the hex SHA-256 of its bytes.
    static func id(_ path: String) throws -> String {
        "sha256:" + SHA256.hash(data: try Data(contentsOf: folder.appendingPathComponent(path))).map { String(format: "%02x", $0) }.joined()
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The value at a dotted path of nested objects.
    func at(_ path: String) -> Any? {
        var current: Any? = self
        for part in path.split(separator: ".") {
            current = (current as? [String: Any])?[String(part)]
        }
        return current
    }
}
