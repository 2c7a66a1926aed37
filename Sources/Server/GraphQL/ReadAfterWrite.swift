import EduQLSchema
import HTTPTypes
import Hummingbird

/// The WAL position a client's reads must see, carried by the client itself, so that a write
/// through one process and a read through another still meet (``ReplicaSet``): a mutation's
/// answer names the position after its commit in `X-EduQL-Written` — and, for the console, in a
/// short-lived cookie the browser sends back — and a read that brings it back in
/// `X-EduQL-Read-After` (or in that cookie) goes only to a replica that has replayed it.
enum ReadAfterWrite {
    static let writtenHeader = HTTPField.Name("X-EduQL-Written")!
    static let readAfterHeader = HTTPField.Name("X-EduQL-Read-After")!
    static let cookieName = "eduql_written"

    /// The position a request asks its read to see, if it names one.
    static func position(of request: Request) -> UInt64? {
        let named = request.headers[Self.readAfterHeader] ?? request.cookies[Self.cookieName]?.value
        return named.flatMap(ReplicaSet.parse)
    }

    /// Names `position` in a mutation's answer; for the console, also in a cookie that lasts as
    /// long as its reads need it.
    static func name(_ position: UInt64, in response: inout Response, console: Bool, secure: Bool, lasting seconds: Int) {
        let text = ReplicaSet.text(position)
        response.headers[Self.writtenHeader] = text
        if console {
            response.setCookie(Cookie(name: Self.cookieName, value: text, maxAge: seconds, path: "/", secure: secure, httpOnly: true, sameSite: .strict))
        }
    }
}
