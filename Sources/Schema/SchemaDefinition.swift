import Foundation

/// The GraphQL schema in SDL: the single source of truth of the query language, published
/// unchanged as `queries/schema.graphql`.
public enum SchemaDefinition {
    /// The text of `schema.graphql`.
    public static let sdl: String = {
        guard let url = Bundle.module.url(forResource: "schema", withExtension: "graphql"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { fatalError("schema.graphql is missing from the EduQLSchema bundle") }
        return text
    }()
}
