import EduQLAccessControl
import EduQLAudit
import Hummingbird
import Metrics

/// Refuses requests over their token bucket with 429 and `Retry-After`, audited as denied:
/// at the ``Stage/address`` stage per client address before the bearer token is looked at,
/// at the ``Stage/caller`` stage per user or integration client once it is known.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = EduQLRequestContext

    enum Stage: Sendable { case address, caller }

    let stage: Stage
    let limits: RateLimits
    let buckets: TokenBuckets

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path == "/graphql" || path.hasPrefix("/auth/") || path.hasPrefix("/onboarding/") || path.hasPrefix("/forms/") else {
            return try await next(request, context)
        }
        if let (key, limit, who) = self.bucket(context), let wait = self.buckets.take(key, limit) {
            Counter(label: "eduql_rate_limit_rejections_total", dimensions: [("bucket", who)]).increment()
            AuditRecord.current?.update(decides: true) { event in
                event.outcome = .denied
                event.errorCodes = ["RATE_LIMITED"]
                event.detail["rateLimit"] = "\(who) \(limit)"
            }
            throw APIError(status: .tooManyRequests, code: "RATE_LIMITED",
                           message: "too many requests from this \(who) (at most \(limit) per second/burst); retry after \(wait) s",
                           headers: [.retryAfter: String(wait)])
        }
        return try await next(request, context)
    }

    /// The bucket this request draws from at this stage, its limit, and whose it is.
    func bucket(_ context: Context) -> (String, TokenBuckets.Limit, String)? {
        switch self.stage {
        case .address:
            return self.limits.address.map { ("address:" + (context.remoteAddress?.ipAddress ?? "unknown"), $0, "address") }
        case .caller:
            guard case .success(let caller) = context.caller?.resolved else { return nil }
            switch caller.principal {
            case .user(let user): return self.limits.user.map { ("user:\(user.userID)", $0, "user") }
            case .client(let client): return (client.rateLimit ?? self.limits.client).map { ("client:\(client.clientID)", $0, "client") }
            }
        }
    }
}
