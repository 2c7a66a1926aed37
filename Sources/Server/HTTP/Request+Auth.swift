import EduQLAccessControl
import Foundation
import HTTPTypes
import Hummingbird

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

    /// Decodes a JSON body (at most 64 KiB); a malformed one is a 400, not a 500.
    func decodeJSON<T: Decodable>(as type: T.Type, context: EduQLRequestContext) async throws -> T {
        do {
            let buffer = try await self.body.collect(upTo: 65_536)
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(status: .contentTooLarge, code: "BAD_REQUEST", message: "the body is larger than 64 KiB")
        } catch {
            throw APIError.badRequest("the body must be a JSON object with the documented fields")
        }
    }
}
