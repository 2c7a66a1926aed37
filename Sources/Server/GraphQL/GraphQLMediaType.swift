import Foundation
import HTTPTypes

/// The response media type a client accepts (GraphQL over HTTP, §Accept).
enum GraphQLMediaType: String {
    case graphQLResponse = "application/graphql-response+json"
    case json = "application/json"

    /// The preferred acceptable type; `application/json` when the client names none.
    init?(accept: String?) {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else {
            self = .json
            return
        }
        let types = accept.split(separator: ",").map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() }
        if types.contains(Self.graphQLResponse.rawValue) {
            self = .graphQLResponse
        } else if types.contains(Self.json.rawValue) || types.contains("*/*") || types.contains("application/*") {
            self = .json
        } else {
            return nil
        }
    }

    /// The status of a request error (no data): 4xx for graphql-response+json, 200 for legacy JSON.
    func status(forRequestError status: HTTPResponse.Status) -> HTTPResponse.Status {
        self == .graphQLResponse ? status : .ok
    }
}
