import Crypto
import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import Synchronization

/// Parses, validates and plans GraphQL operations for a policy: role schemas, validated
/// documents and compiled plans are cached; a request only binds its values to a plan.
public final class GraphQLEngine: Sendable {
    public let limits: QueryLimits
    private let schemas = Mutex<[String: RoleSchema]>([:])
    private let documents = Mutex<[String: PreparedDocument]>([:])
    private let cacheSize: Int
    /// Compiled operations, bound per request.
    public let plans: PlanCache
    /// The trusted documents' texts by document id (`sha256:<hex of the bytes>`).
    private let trusted: [String: String]

    public init(limits: QueryLimits = .init(), trustedDocuments: [String: String] = [:], cacheSize: Int = 2_000,
                plans: PlanCache.Configuration = .init()) {
        self.limits = limits
        self.plans = PlanCache(configuration: plans)
        self.trusted = trustedDocuments
        self.cacheSize = cacheSize
    }

    /// Whether the schema has `type.field` (any role's).
    public func hasField(_ type: String, _ field: String) -> Bool { Catalog.types[type]?[field] != nil }

    /// Whether `id` names a trusted document.
    public func isTrustedDocument(_ id: String) -> Bool { self.trusted[id] != nil }

    /// The schema `policy` sees, built once per policy key.
    public func schema(for policy: Policy) throws -> RoleSchema {
        if let schema = self.schemas.withLock({ $0[policy.key] }) { return schema }
        let schema = try RoleSchema(policy: policy)
        self.schemas.withLock { $0[policy.key] = schema }
        return schema
    }

    /// Parses and validates a document sent as text against the policy's schema (cached per
    /// schema and hash); refuses it before validation when it is too large, has too many tokens
    /// or expands to too many fields, and at once when the policy runs trusted documents only.
    public func prepare(_ text: String, for policy: Policy) throws -> PreparedDocument {
        if policy.trustedDocuments != nil { throw QueryError.documentRequired }
        return try self.prepared(text, for: policy)
    }

    /// The trusted document `id` names, prepared for the policy: unknown ids are
    /// `PERSISTED_QUERY_NOT_FOUND`, ids the policy's grant does not name `FORBIDDEN`. Ids are
    /// compared as given; no text is ever compared.
    public func prepare(documentID id: String, for policy: Policy) throws -> PreparedDocument {
        guard let text = self.trusted[id] else { throw QueryError.documentNotFound(id) }
        if let allowed = policy.trustedDocuments, !allowed.contains(id) {
            throw QueryError.forbidden("This client's grant does not name the document \(id).")
        }
        return try self.prepared(text, for: policy)
    }

    private func prepared(_ text: String, for policy: Policy) throws -> PreparedDocument {
        try DocumentLimits.checkText(text, self.limits)
        let hash = SHA256.hash(data: Data(text.utf8)).hexadecimal
        let key = policy.key + ":" + hash
        if let cached = self.documents.withLock({ $0[key] }) { return cached }
        let prepared = try self.parseAndValidate(text, hash: hash, policy: policy)
        self.documents.withLock { cache in
            if cache.count >= self.cacheSize { cache.removeAll(keepingCapacity: true) }
            cache[key] = prepared
        }
        return prepared
    }

    private func parseAndValidate(_ text: String, hash: String, policy: Policy) throws -> PreparedDocument {
        let document: Document
        do {
            document = try parse(source: Source(body: text, name: "request"))
        } catch let error as GraphQLError {
            throw QueryError.parse(error.message, line: error.locations.first?.line, column: error.locations.first?.column)
        }
        try DocumentLimits.check(document, self.limits)
        let schema = try self.schema(for: policy)
        if let error = validate(schema: schema.schema, ast: document).first {
            if let refusal = Self.refusedMutation(in: document, by: policy) { throw QueryError.forbidden(refusal) }
            throw QueryError.validation(error.message, line: error.locations.first?.line, column: error.locations.first?.column)
        }
        return PreparedDocument(document: document, text: text, hash: hash)
    }

    /// Why the policy refuses a root field of the document's mutations, if it names a reason
    /// for one (``Policy/refusedMutations``).
    static func refusedMutation(in document: Document, by policy: Policy) -> String? {
        guard !policy.refusedMutations.isEmpty else { return nil }
        for case let operation as OperationDefinition in document.definitions where operation.operation == .mutation {
            for case let field as Field in operation.selectionSet.selections {
                if let reason = policy.refusedMutations[field.name.value] { return reason }
            }
        }
        return nil
    }
}
