import EduQLResolvers
import HTTPTypes
import Hummingbird

/// Status codes and bodies of GraphQL answers.
extension GraphQLController {
    static func status(of error: QueryError, _ media: GraphQLMediaType) -> HTTPResponse.Status {
        switch error {
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .parse, .validation, .badInput: media.status(forRequestError: .badRequest)
        }
    }

    static var notAcceptable: Response {
        respond(.notAcceptable, .json, [GraphQLErrorBody(code: "BAD_REQUEST", message: "Accept application/graphql-response+json or application/json.")])
    }

    static func respond(_ status: HTTPResponse.Status, _ media: GraphQLMediaType, _ errors: [GraphQLErrorBody] = [], data: String? = nil) -> Response {
        let text = errors.isEmpty ? "{\"data\":\(data ?? "null")}" : GraphQLErrorBody.document(errors, data: data)
        var headers: HTTPFields = [.contentType: "\(media.rawValue); charset=utf-8"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
