import EduQLSchema
import Hummingbird

/// Answers 503 with `Retry-After` at once, before any request to the API waits for a database
/// connection, while the database is known to be down: the probe last found it down and, asked
/// again (at most once a second; a stopped server refuses at once), still does. Every path —
/// reads, sign-ins, mutations — is answered alike, and the first request after the database is
/// back is served.
struct OutageMiddleware: RouterMiddleware {
    typealias Context = EduQLRequestContext

    let probe: DatabaseProbe

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/graphql" || path.hasPrefix("/auth/") || path.hasPrefix("/onboarding/") || path.hasPrefix("/forms/"),
           await self.probe.lastFoundDown, await !self.probe.reachable() {
            throw DatabaseUnavailable(reason: "the database is unreachable")
        }
        return try await next(request, context)
    }
}
