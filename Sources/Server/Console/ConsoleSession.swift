import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The console's session: the bearer token of a password sign-in kept in an HttpOnly,
/// SameSite=Strict cookie (Secure over TLS), and a CSRF token derived from it that the console's
/// script sends in `X-EduQL-CSRF`. A request is authenticated by the cookie only when it carries
/// that header with the right value, and an `Origin`, if any, of this server: another origin can
/// neither read the token nor send the header.
enum ConsoleSession {
    static let cookieName = "eduql_session"
    static let csrfHeader = HTTPField.Name("X-EduQL-CSRF")!

    /// The CSRF token of a session token: not the token, and not its stored hash.
    static func csrf(for token: String) -> String {
        Data(SHA256.hash(data: Data("eduql-console-csrf\u{0}\(token)".utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The cookie that holds `token`.
    static func cookie(_ token: String, secure: Bool) -> Cookie {
        Cookie(name: self.cookieName, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// The cookie that ends it in the browser.
    static func expired(secure: Bool) -> Cookie {
        Cookie(name: self.cookieName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// Whether two strings are equal, in time independent of where they differ.
    static func equal(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Request {
    /// The console session's token, when the request proves it comes from the console's own pages.
    var consoleToken: String? {
        guard let token = self.cookies[ConsoleSession.cookieName]?.value, !token.isEmpty,
              let csrf = self.headers[ConsoleSession.csrfHeader], ConsoleSession.equal(csrf, ConsoleSession.csrf(for: token)),
              self.isSameOrigin
        else { return nil }
        return token
    }

    /// The cookie's token whatever the headers: only for handing its CSRF token to a new tab of the console.
    var consoleCookieToken: String? {
        guard let token = self.cookies[ConsoleSession.cookieName]?.value, !token.isEmpty else { return nil }
        return token
    }

    /// No `Origin`, or one naming the host the request was sent to.
    var isSameOrigin: Bool {
        guard let origin = self.headers[.origin] else { return true }
        guard let host = self.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    /// Served over TLS, here or at a proxy that says so.
    var isSecure: Bool {
        self.head.scheme == "https" || self.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }
}
