import EduQLConsole
import Foundation
import HTTPTypes
import Hummingbird

/// `/` and `/console/…`: the web console's pages and files. A page is HTML with no data in it;
/// its script reads and writes through `/graphql` with the trusted documents the page names.
struct ConsoleController: Sendable {
    let console: Console
    /// Trusted documents' names (their paths without `.graphql`) → ids, as the pages send them.
    let documents: String
    /// Trusted documents' texts by id: the explorer shows them (they are the public `queries/`).
    let texts: [String: String]
    let providers: [ConsolePage.Provider]

    /// What every console answer carries: no inline script or style, no framing, no referrer.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("X-Frame-Options")!: "DENY",
    ]

    func addRoutes(to router: Router<EduQLRequestContext>) {
        router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/console/"]) }
        router.get("console") { _, _ in try self.page("sign-in") }
        router.get("console/{page}") { _, context in try self.page(context.parameters.get("page") ?? "") }
        router.get("console/assets/**") { _, context in self.asset(context.parameters.getCatchAll().joined(separator: "/")) }
        router.get("console/documents/{hash}") { _, context in self.document("sha256:" + (context.parameters.get("hash") ?? "")) }
    }

    func page(_ path: String) throws -> Response {
        let page = ConsolePage(path: path, documents: self.documents, providers: self.providers)
        guard let html = self.console.render(page) else { throw HTTPError(.internalServerError) }
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: page.page == "not-found" ? .notFound : .ok, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func document(_ id: String) -> Response {
        guard let text = self.texts[id] else { return Response(status: .notFound, headers: Self.securityHeaders) }
        var headers = Self.securityHeaders
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func asset(_ path: String) -> Response {
        guard let asset = self.console.asset(path) else { return Response(status: .notFound, headers: Self.securityHeaders) }
        var headers = Self.securityHeaders
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
