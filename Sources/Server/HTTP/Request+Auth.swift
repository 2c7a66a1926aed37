import EduQLAccessControl
import EduQLResolvers
import Foundation
import HTTPTypes
import GraphQL
import Hummingbird
import NIOCore

extension Request {
    /// The token of `Authorization: Bearer …`, if any.
    var bearerToken: String? {
        guard let value = self.headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    /// The id and secret of `Authorization: Basic …`, if well-formed.
    var basicCredentials: (String, String)? {
        guard let value = self.headers[.authorization], value.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(value.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]).removingPercentEncoding ?? "", String(text[text.index(after: colon)...]).removingPercentEncoding ?? "")
    }

    /// The request id, client address and user agent, for the audit log.
    func info(_ context: EduQLRequestContext) -> RequestInfo {
        RequestInfo(requestID: context.id, clientIP: context.remoteAddress?.ipAddress, userAgent: self.headers[.userAgent].map { String($0.prefix(512)) })
    }

    /// Decodes a JSON body (at most 64 KiB); a malformed one is a 400, not a 500, and so is one
    /// with U+0000 in any string (PostgreSQL's text cannot hold it).
    func decodeJSON<T: Decodable>(as type: T.Type, context: EduQLRequestContext) async throws -> T {
        let data: Data
        do {
            data = Data(try await self.body.collect(upTo: 65_536).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError.contentTooLarge(limit: 65_536)
        }
        guard let value = try? JSONDecoder().decode(T.self, from: data) else {
            throw APIError.badRequest("the body must be a JSON object with the documented fields")
        }
        if let any = try? JSONDecoder().decode(JSONValue.self, from: data), any.map.containsNUL {
            throw APIError.badRequest("the body must not contain the character U+0000")
        }
        return value
    }
}

extension Map {
    /// Whether a string or key anywhere in the value holds U+0000.
    var containsNUL: Bool {
        switch self {
        case .string(let text): text.unicodeScalars.contains("\u{0}")
        case .array(let items): items.contains { $0.containsNUL }
        case .dictionary(let members): members.contains { $0.key.unicodeScalars.contains("\u{0}") || $0.value.containsNUL }
        default: false
        }
    }
}
