import EduQLResolvers
import Foundation

/// One error of a GraphQL response: `message`, `locations`, `path`, `extensions.code`.
struct GraphQLErrorBody: Encodable {
    struct Location: Encodable {
        var line: Int
        var column: Int
    }

    struct Extensions: Encodable {
        var code: String
    }

    var message: String
    var locations: [Location]?
    var path: [String]?
    var extensions: Extensions

    init(code: String, message: String, line: Int? = nil, column: Int? = nil, path: [String]? = nil) {
        self.message = message
        self.locations = line.map { [Location(line: $0, column: column ?? 1)] }
        self.path = path
        self.extensions = Extensions(code: code)
    }

    init(_ error: QueryError) {
        switch error {
        case .parse(_, let line, let column), .validation(_, let line, let column):
            self.init(code: error.code, message: error.message, line: line, column: column)
        default:
            self.init(code: error.code, message: error.message)
        }
    }

    /// `{"errors": [...]}` as JSON text.
    static func document(_ errors: [GraphQLErrorBody], data: String? = nil) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let list = (try? encoder.encode(errors)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return data.map { "{\"data\":\($0),\"errors\":\(list)}" } ?? "{\"errors\":\(list)}"
    }
}
