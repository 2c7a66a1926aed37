import EduQLAccessControl
import EduQLAudit
import EduQLResolvers
import EduQLSchema
import Foundation
import GraphQL
import HTTPTypes
import Hummingbird
import Tracing
import Logging
import NIOCore
import PostgresNIO

/// `POST /graphql` and `GET /graphql`, per the GraphQL-over-HTTP specification: every request
/// authenticated, validated against the caller's role schema, and answered from one SQL
/// statement per root field.
struct GraphQLController {
    let deadline: Duration
    let runner: QueryRunner
    let engine: GraphQLEngine
    let mutations: MutationExecutor
    /// Roles that may send only trusted documents, by `documentId` (`EDUQL_TRUSTED_DOCUMENTS_ONLY`).
    var documentsOnly: Set<Role> = []

    func addRoutes(to router: Router<EduQLRequestContext>) {
        router.post("/graphql") { request, context in
            try await context.bounded(within: self.deadline) {
                await context.cancellingOnDisconnect { await self.post(request, context: context) }
            }
        }
        router.get("/graphql") { request, context in
            try await context.bounded(within: self.deadline) {
                await context.cancellingOnDisconnect { await self.get(request, context: context) }
            }
        }
    }

    func post(_ request: Request, context: EduQLRequestContext) async -> Response {
        guard let media = GraphQLMediaType(accept: request.headers[.accept]) else { return Self.notAcceptable }
        let contentType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard contentType == "application/json" else {
            return Self.respond(.unsupportedMediaType, media, [GraphQLErrorBody(code: "BAD_REQUEST", message: "The body must be application/json.")])
        }
        let body: GraphQLRequestBody
        let limit = self.engine.limits.maxDocumentBytes * 4
        do {
            let buffer = try await request.body.collect(upTo: limit)
            body = try JSONDecoder().decode(GraphQLRequestBody.self, from: Data(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            return Self.respond(.contentTooLarge, media, [GraphQLErrorBody(code: "PAYLOAD_TOO_LARGE", message: "The body is larger than \(limit) bytes.")])
        } catch {
            return Self.respond(.badRequest, media, [GraphQLErrorBody(
                code: "BAD_REQUEST", message: "The body must be a JSON object with a string \"query\" or \"documentId\", not both (and optional \"operationName\" and \"variables\").")])
        }
        return await self.execute(body, method: .post, request: request, context: context, media: media)
    }

    func get(_ request: Request, context: EduQLRequestContext) async -> Response {
        guard let media = GraphQLMediaType(accept: request.headers[.accept]) else { return Self.notAcceptable }
        let parameters = request.uri.formParameters
        var variables: Map?
        if let text = parameters["variables"] {
            guard let decoded = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)).map else {
                return Self.respond(.badRequest, media, [GraphQLErrorBody(code: "BAD_REQUEST", message: "\"variables\" must be a JSON object.")])
            }
            variables = decoded
        }
        guard let body = try? GraphQLRequestBody(query: parameters["query"], documentID: parameters["documentId"],
                                                 operationName: parameters["operationName"], variables: variables) else {
            return Self.respond(.badRequest, media, [GraphQLErrorBody(
                code: "BAD_REQUEST", message: "One of the query parameters \"query\" and \"documentId\" is required, not both.")])
        }
        return await self.execute(body, method: .get, request: request, context: context, media: media)
    }

    /// The request's document: a trusted one by id, or text where the caller may send text.
    func prepare(_ body: GraphQLRequestBody, for principal: Principal) throws -> PreparedDocument {
        if let id = body.documentID { return try self.engine.prepare(documentID: id, for: principal.policy) }
        if case .user(let user) = principal, self.documentsOnly.contains(user.role) { throw QueryError.documentRequired }
        return try self.engine.prepare(body.query ?? "", for: principal.policy)
    }

    func execute(_ body: GraphQLRequestBody, method: HTTPRequest.Method, request: Request, context: EduQLRequestContext,
                 media: GraphQLMediaType) async -> Response {
        let audit = AuditRecord.current
        audit?.update { event in
            event.operationName = body.operationName
            event.variables = body.variables.flatMap { try? JSONEncoder().encode($0) }.flatMap(VariableRedaction.redacted)
        }
        do {
            let caller = try (context.caller ?? Caller(resolved: .failure(.unauthenticated))).get()
            let (principal, actingAs) = (caller.principal, caller.actingAs)
            let policy = principal.policy
            let prepared = try withSpan("GraphQL parse and validate") { _ in try self.prepare(body, for: principal) }
            audit?.update { event in
                event.documentSHA256 = prepared.hash
                event.document = prepared.text
            }
            let plan = try withSpan("GraphQL plan") { _ in
                try self.engine.plan(prepared, operationName: body.operationName, variables: body.variables ?? .null,
                                     policy: policy, actingAs: actingAs)
            }
            audit?.update { event in
                event.operationType = plan.operation.rawValue
                event.operationName = plan.operationName ?? body.operationName
                event.rootFields = plan.rootFieldNames
                event.action = plan.operation.rawValue
            }
            if method == .get, plan.operation != .query {
                var response = Self.respond(.methodNotAllowed, media, [GraphQLErrorBody(code: "BAD_REQUEST", message: "Mutations must be sent with POST.")])
                response.headers[.allow] = "POST"
                return response
            }
            let data: String
            if plan.introspection {
                data = try await QueryRunner.introspect(prepared, schema: try self.engine.schema(for: policy),
                                                        operationName: body.operationName, variables: body.variables ?? .null)
            } else if plan.operation == .mutation {
                var retry: IdempotentRetry?
                if let key = request.headers[IdempotentRetry.header], case .user(let user) = principal {
                    guard let taken = try? IdempotentRetry(key: key, user: user, body: body) else {
                        audit?.update(decides: true) { event in
                            event.outcome = .invalid
                            event.errorCodes = ["BAD_REQUEST"]
                        }
                        return Self.respond(.badRequest, media, [GraphQLErrorBody(
                            code: "BAD_REQUEST", message: "Idempotency-Key must be 1 to 255 visible ASCII characters.")])
                    }
                    retry = taken
                }
                return try await self.mutations.run(plan, principal: principal, actingAs: actingAs, media: media,
                                                    request: request.info(context), retry: retry,
                                                    console: (request.isSecure, request.bearerToken == nil && request.consoleToken != nil),
                                                    logger: context.logger)
            } else {
                let result = try await self.runner.run(plan, sharing: principal.sharingScope, reader: principal.readerKey,
                                                       after: ReadAfterWrite.position(of: request), logger: context.logger)
                audit?.update { event in
                    event.learnerIDs = result.learnerIDs
                    event.rowCount = result.rows
                }
                data = result.data
            }
            audit?.update(decides: true) { $0.outcome = .ok }
            return Self.respond(.ok, media, data: data)
        } catch let error as QueryError {
            audit?.update(decides: true) { event in
                event.outcome = switch error {
                case .unauthenticated, .forbidden, .passwordChangeRequired, .documentRequired: .denied
                default: .invalid
                }
                event.errorCodes = [error.code]
            }
            return Self.respond(Self.status(of: error, media), media, [GraphQLErrorBody(error)])
        } catch where sqlState(of: error) == .changesPruned {
            audit?.update(decides: true) { event in
                event.outcome = .invalid
                event.errorCodes = [QueryError.cursorExpired.code]
            }
            return Self.respond(.ok, media, [GraphQLErrorBody(QueryError.cursorExpired)], data: "null")
        } catch where sqlState(of: error) == .queryCanceled {
            audit?.update(decides: true) { event in
                event.outcome = .error
                event.errorCodes = ["STATEMENT_TIMEOUT"]
            }
            return Self.respond(.ok, media, [GraphQLErrorBody(code: "INTERNAL", message: "The query took too long and was cancelled.")], data: "null")
        } catch where DatabaseUnavailable.classifies(error) {
            audit?.update(decides: true) { event in
                event.outcome = .error
                event.errorCodes = ["SERVICE_UNAVAILABLE"]
            }
            context.logger.warning("database unavailable", metadata: ["error": "\(LoggableError(error))"])
            return Self.unavailable(media)
        } catch {
            audit?.update(decides: true) { event in
                event.outcome = .error
                event.errorCodes = ["INTERNAL"]
            }
            context.logger.error("graphql request failed", metadata: ["error": "\(LoggableError(error))"])
            return Self.respond(.internalServerError, media, [GraphQLErrorBody(code: "INTERNAL", message: "Internal error.")])
        }
    }
}
