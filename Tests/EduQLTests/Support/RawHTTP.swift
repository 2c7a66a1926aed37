import Foundation
import HummingbirdTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange over URLSession, so that many can run at once against a live server.
struct RawExchange: Sendable {
    var status: Int
    var requestID: String?
    var body: String
    var retryAfter = false
    /// The WAL position a mutation's answer names (`X-EduQL-Written`).
    var written: String?
}

extension RawExchange {
    /// What URLSession answered: the status, the body and the headers the tests read.
    init(data: Data, response: URLResponse) {
        let http = response as? HTTPURLResponse
        self.init(status: http?.statusCode ?? 0, requestID: http?.value(forHTTPHeaderField: "X-Request-Id"),
                  body: String(decoding: data, as: UTF8.self), retryAfter: http?.value(forHTTPHeaderField: "Retry-After") != nil,
                  written: http?.value(forHTTPHeaderField: "X-EduQL-Written"))
    }
}

enum RawHTTP {
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 16
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration)
    }()

    /// POSTs `body` (raw text) to `path` on `port`.
    static func post(port: Int, path: String = "/graphql", body: String, token: String?,
                     contentType: String = "application/json") async throws -> RawExchange {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await self.session.data(for: request)
        return RawExchange(data: data, response: response)
    }

    /// POSTs `json` to `path` on `port` with extra `headers`, over a connection of its own (the
    /// test client pipelines every request on one connection, each bounded by 15 s).
    static func post(port: Int, path: String, json: [String: Any], token: String?, headers: [String: String] = [:]) async throws -> RawExchange {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: json)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await self.session.data(for: request)
        return RawExchange(data: data, response: response)
    }

    /// GETs `path` on `port`.
    static func get(port: Int, path: String, token: String?) async throws -> RawExchange {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await self.session.data(for: request)
        return RawExchange(data: data, response: response)
    }

    /// A GraphQL request body.
    static func graphql(_ query: String, variables: [String: Any] = [:]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: ["query": query, "variables": variables]), as: UTF8.self)
    }
}

extension TestAPI {
    /// The live server's port.
    var port: Int { self.client.port ?? 0 }
}
