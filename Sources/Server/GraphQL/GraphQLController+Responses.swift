import EduQLResolvers
import HTTPTypes
import Hummingbird

/// Status codes and bodies of GraphQL answers.
extension GraphQLController {
    static func status(of error: QueryError, _ media: GraphQLMediaType) -> HTTPResponse.Status {
        switch error {
        case .unauthenticated: .unauthorized
        case .forbidden, .passwordChangeRequired, .documentRequired: .forbidden
        case .parse, .validation, .badInput, .documentNotFound, .costLimit, .cursorExpired: media.status(forRequestError: .badRequest)
        }
    }

    static var notAcceptable: Response {
        respond(.notAcceptable, .json, [GraphQLErrorBody(code: "BAD_REQUEST", message: "Accept application/graphql-response+json or application/json.")])
    }

    /// 503 with `Retry-After`: the database (or the audit store) cannot serve the request now.
    static func unavailable(_ media: GraphQLMediaType) -> Response {
        var response = respond(.serviceUnavailable, media, [GraphQLErrorBody(
            code: "SERVICE_UNAVAILABLE", message: "The database is not reachable right now; try again shortly.")])
        response.headers[.retryAfter] = "2"
        return response
    }

    static func respond(_ status: HTTPResponse.Status, _ media: GraphQLMediaType, _ errors: [GraphQLErrorBody] = [], data: String? = nil) -> Response {
        let text = errors.isEmpty ? "{\"data\":\(data ?? "null")}" : GraphQLErrorBody.document(errors, data: data)
        var headers: HTTPFields = [.contentType: "\(media.rawValue); charset=utf-8"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
