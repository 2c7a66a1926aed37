import Foundation
import HTTPTypes
import Hummingbird

/// An error answered as JSON `{"code", "message"}` with its status and headers; never a stack
/// trace or SQL text.
struct APIError: HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var headers: HTTPFields = [:]
    /// The roles a person may choose from, when sign-in needs one named.
    var roles: [Authenticated.Assignment]?

    struct Body: Encodable {
        var code: String
        var message: String
        var roles: [Authenticated.Assignment]?
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(Body(code: self.code, message: self.message, roles: self.roles))
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func badRequest(_ message: String, code: String = "BAD_REQUEST") -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }

    /// 413: the body is larger than `limit` bytes (or than the endpoint accepts).
    static func contentTooLarge(limit: Int? = nil) -> APIError {
        APIError(status: .contentTooLarge, code: "PAYLOAD_TOO_LARGE",
                 message: limit.map { "the body is larger than \($0) bytes" } ?? "the body is larger than this endpoint accepts")
    }

    /// 503 with `Retry-After`: the database cannot serve the request now.
    static let databaseUnavailable = APIError(
        status: .serviceUnavailable, code: "SERVICE_UNAVAILABLE", message: "the database is not reachable right now; try again shortly",
        headers: [.retryAfter: "2"]
    )

    static let unauthenticated = APIError(
        status: .unauthorized, code: "UNAUTHENTICATED", message: "sign in first: no valid bearer token",
        headers: [.wwwAuthenticate: "Bearer"]
    )
}
