import EduQLAccessControl
import Hummingbird
import Logging
import NIOCore
import EduQLSchema

/// Turns errors into answers: a body too large into 413, a full hashing pool or a database
/// that cannot be reached into 503 with Retry-After, an unexpected
/// error into a logged 500 whose body says only `INTERNAL` — never a stack trace or SQL text.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch is NIOTooManyBytesError {
            throw APIError.contentTooLarge()
        } catch let error as any HTTPResponseError {
            throw error
        } catch is HashingPool.Overloaded {
            throw APIError(status: .serviceUnavailable, code: "OVERLOADED", message: "the server is busy; try again shortly",
                           headers: [.retryAfter: "1"])
        } catch where DatabaseUnavailable.classifies(error) {
            context.logger.warning("database unavailable", metadata: ["error": "\(LoggableError(error))"])
            throw APIError.databaseUnavailable
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(LoggableError(error))"])
            throw APIError(status: .internalServerError, code: "INTERNAL", message: "internal error; the request id is \(context.id)")
        }
    }
}
