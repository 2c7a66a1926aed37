import Crypto
import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import Synchronization

/// Parses, validates and plans GraphQL operations for a policy: role schemas and validated
/// documents are cached; plans are compiled per request (they carry the request's binds).
public final class GraphQLEngine: Sendable {
    public let limits: QueryLimits
    private let schemas = Mutex<[String: RoleSchema]>([:])
    private let documents = Mutex<[String: PreparedDocument]>([:])
    private let cacheSize: Int
    /// Trusted documents by path under `queries/` (normalized), for grants that name documents.
    private let trusted: [String: String]

    public init(limits: QueryLimits = .init(), trustedDocuments: [String: String] = [:], cacheSize: Int = 2_000) {
        self.limits = limits
        self.trusted = trustedDocuments.mapValues(Self.normalized)
        self.cacheSize = cacheSize
    }

    /// The schema `policy` sees, built once per policy key.
    public func schema(for policy: Policy) throws -> RoleSchema {
        if let schema = self.schemas.withLock({ $0[policy.key] }) { return schema }
        let schema = try RoleSchema(policy: policy)
        self.schemas.withLock { $0[policy.key] = schema }
        return schema
    }

    /// Parses and validates `text` against the policy's schema (cached per schema and hash).
    public func prepare(_ text: String, for policy: Policy) throws -> PreparedDocument {
        try DocumentLimits.check(text, self.limits)
        let hash = SHA256.hash(data: Data(text.utf8)).hexadecimal
        if let allowed = policy.trustedDocuments {
            let normalized = Self.normalized(text)
            guard allowed.contains(where: { self.trusted[$0] == normalized }) else { throw QueryError.forbidden("This client may only send the documents its grant names.") }
        }
        let key = policy.key + ":" + hash
        if let prepared = self.documents.withLock({ $0[key] }) { return prepared }
        let schema = try self.schema(for: policy)
        let document: Document
        do {
            document = try parse(source: Source(body: text, name: "request"))
        } catch let error as GraphQLError {
            throw QueryError.parse(error.message, line: error.locations.first?.line, column: error.locations.first?.column)
        }
        if let error = validate(schema: schema.schema, ast: document).first {
            throw QueryError.validation(error.message, line: error.locations.first?.line, column: error.locations.first?.column)
        }
        let prepared = PreparedDocument(document: document, hash: hash)
        self.documents.withLock { cache in
            if cache.count >= self.cacheSize { cache.removeAll(keepingCapacity: true) }
            cache[key] = prepared
        }
        return prepared
    }

    /// Text compared without insignificant whitespace and comments, for trusted documents.
    static func normalized(_ text: String) -> String {
        text.split(separator: "\n").map { line in
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return code.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).joined(separator: " ")
        }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
