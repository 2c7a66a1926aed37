import EduQLAccessControl
import Hummingbird

/// Answers 503 with Retry-After when the Argon2 hashing pool is full, instead of queueing.
struct OverloadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch is HashingPool.Overloaded {
            throw APIError(status: .serviceUnavailable, code: "OVERLOADED", message: "the server is busy; try again shortly",
                           headers: [.retryAfter: "1"])
        }
    }
}
