import EduQLAccessControl
import Hummingbird
import Logging

/// Turns errors into answers: a full hashing pool into 503 with Retry-After, an unexpected
/// error into a logged 500 whose body says only `INTERNAL` — never a stack trace or SQL text.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch is HashingPool.Overloaded {
            throw APIError(status: .serviceUnavailable, code: "OVERLOADED", message: "the server is busy; try again shortly",
                           headers: [.retryAfter: "1"])
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(status: .internalServerError, code: "INTERNAL", message: "internal error; the request id is \(context.id)")
        }
    }
}
