import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// GraphQL over HTTP: methods, media types, status codes, error shapes and the limits checked
/// before any SQL runs.
@Suite("GraphQL over HTTP", .timeLimit(.minutes(3)))
struct GraphQLOverHTTPTests {
    static let response = "application/graphql-response+json"

    @Test("no token, a bad token or a revoked session: 401 with UNAUTHENTICATED and no data")
    func unauthenticated() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            for token: String? in [nil, "eduql_u_nonsense", "garbage"] {
                let reply = try await api.graphql("{ regions { id } }", token: token)
                #expect(reply.status == .unauthorized)
                #expect(reply.errorCodes == ["UNAUTHENTICATED"])
                #expect(reply.headers[.wwwAuthenticate] == "Bearer")
                #expect(reply.json["data"] == nil)
            }
            let token = try await api.demoToken("parent")
            #expect(try await api.graphql("{ regions { id } }", token: token).status == .ok)
            #expect(try await api.request(.post, "/auth/logout", token: token).status == .noContent)
            let after = try await api.graphql("{ regions { id } }", token: token)
            #expect(after.status == .unauthorized, "a revoked session stops reading at once, whatever the cache remembers")
            #expect(after.errorCodes == ["UNAUTHENTICATED"])
        }
    }

    @Test("a temporary password must be changed before any query; the token that changed it keeps working")
    func temporaryPassword() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: Logger(label: "eduql-tests")) {
            try await $0.execute("UPDATE eduql.users SET must_change_password = true WHERE login = 'student'")
        }
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("student")
            let other = try await api.demoToken("student")
            let reply = try await api.graphql("{ me { name } }", token: token)
            #expect(reply.status == .forbidden)
            #expect(reply.errorCodes == ["PASSWORD_CHANGE_REQUIRED"])
            let session = try await api.session(token)
            #expect(session.code == "PASSWORD_CHANGE_REQUIRED")

            let password = try await TestCluster.shared.password(of: "student")
            let changed = try await api.request(.post, "/auth/password", json: ["oldPassword": password, "newPassword": "Новый пароль ученика 2026"],
                                                token: token)
            #expect(changed.status == .noContent)
            let after = try await api.graphql("{ me { name } }", token: token)
            #expect(after.status == .ok)
            #expect(after.data?.at("me.name") as? String == "student")
            // Every other session of the account ended with the change.
            #expect(try await api.graphql("{ me { name } }", token: other).status == .unauthorized)
        }
    }

    @Test("GET runs queries, refuses mutations with 405, and POST wants application/json")
    func methodsAndContentTypes() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("school.admin")
            let query = "{ organization(id: 1) { shortName } }".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let get = try await api.request(.get, "/graphql?query=\(query)", token: token)
            #expect(get.status == .ok)
            #expect(get.data?.at("organization.shortName") as? String == "СОШ № 1")

            let mutation = "mutation { disableUser(userId: 1) { id } }".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let refused = try await api.request(.get, "/graphql?query=\(mutation)", token: token)
            #expect(refused.status == .methodNotAllowed)
            #expect(refused.headers[.allow] == "POST")

            let text = try await api.request(.post, "/graphql", raw: "{ regions { id } }", token: token, headers: [.contentType: "text/plain"])
            #expect(text.status == .unsupportedMediaType)
            let malformed = try await api.request(.post, "/graphql", raw: "{\"query\": ", token: token, headers: [.contentType: "application/json"])
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCodes == ["BAD_REQUEST"])
            let noQuery = try await api.request(.post, "/graphql", json: ["variables": [:]], token: token)
            #expect(noQuery.status == .badRequest)
            let badVariables = try await api.request(.get, "/graphql?query=\(query)&variables=%7Bnope", token: token)
            #expect(badVariables.status == .badRequest)
        }
    }

    @Test("media types: graphql-response+json gets 4xx for request errors, application/json gets 200")
    func mediaTypes() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("region.admin")
            let ok = try await api.graphql("{ regions { id } }", token: token, accept: Self.response)
            #expect(ok.headers[.contentType]?.hasPrefix(Self.response) == true)
            let plain = try await api.graphql("{ regions { id } }", token: token)
            #expect(plain.headers[.contentType]?.hasPrefix("application/json") == true)

            let cases: [(String, [String: Any], String)] = [
                ("{ regions { id ", [:], "GRAPHQL_PARSE_FAILED"),
                ("{ regions { nope } }", [:], "GRAPHQL_VALIDATION_FAILED"),
                ("query($id: ID!) { learner(id: $id) { id } }", [:], "BAD_USER_INPUT"),
                ("query($id: ID!) { learner(id: $id) { id } }", ["id": ["not": "an id"]], "BAD_USER_INPUT"),
                ("query($from: Date!) { learner(id: 545) { marks(from: $from) { id } } }", ["from": "2026-02-30"], "BAD_USER_INPUT"),
                ("{ learners(first: 1000) { totalCount } }", [:], "BAD_USER_INPUT"),
                ("{ learners(after: \"bm90IGEgY3Vyc29y\") { totalCount } }", [:], "BAD_USER_INPUT"),
            ]
            for (query, variables, code) in cases {
                let strict = try await api.graphql(query, variables: variables, token: token, accept: Self.response)
                #expect(strict.status == .badRequest, "\(query)")
                #expect(strict.errorCodes == [code], "\(query): \(strict.text)")
                #expect(strict.json["data"] == nil)
                let legacy = try await api.graphql(query, variables: variables, token: token, accept: "application/json")
                #expect(legacy.status == .ok, "\(query)")
                #expect(legacy.errorCodes == [code])
            }
            let located = try await api.graphql("{\n  regions { nope }\n}", token: token)
            let error = try #require((located.json["errors"] as? [[String: Any]])?.first)
            #expect((error["locations"] as? [[String: Int]])?.first?["line"] == 2)
            let unacceptable = try await api.graphql("{ regions { id } }", token: token, accept: "text/html")
            #expect(unacceptable.status == .notAcceptable)
        }
    }

    @Test("limits: depth, aliases, root fields, size, tokens and conflicting fields are refused before SQL")
    func limits() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("school.admin")
            let deep = "{ learner(id: 545) { organization { municipality { region { municipalities { organizations { edges { node { municipality { region { name } } } } } } } } } } }"
            let aliases = "{ " + (1...31).map { "a\($0): regions { id }" }.joined(separator: " ") + " }"
            let roots = "{ " + (1...11).map { "r\($0): me { name }" }.joined(separator: " ") + " }"
            let large = "{ regions { id } }" + String(repeating: " ", count: 40_000)
            let tokens = "{ regions { " + String(repeating: "id ", count: 2_100) + "} }"
            let conflict = "{ learner(id: 545) { name: lastName name: firstName } }"
            let conflictingArguments = "{ x: learner(id: 545) { id } x: learner(id: 546) { id } }"
            for query in [deep, aliases, roots, large, tokens, conflict, conflictingArguments] {
                let reply = try await api.graphql(query, token: token)
                #expect(reply.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(query.prefix(80)): \(reply.text.prefix(300))")
                #expect(reply.json["data"] == nil)
            }
            let merged = try await api.graphql("{ learner(id: 545) { id ... on Learner { id lastName } } learner(id: 545) { firstName } }", token: token)
            #expect(merged.errorCodes.isEmpty, "\(merged.text)")
            #expect(Set((merged.data?["learner"] as? [String: Any] ?? [:]).keys) == ["id", "lastName", "firstName"])
        }
    }

    @Test("fragments, variables, @include/@skip, aliases and __typename")
    func language() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("parent")
            let reply = try await api.graphql("""
                query Child($id: ID!, $withClass: Boolean!, $noName: Boolean = true) {
                  __typename
                  child: learner(id: $id) { __typename ...Card klass: class @include(if: $withClass) { name } lastName @skip(if: $noName) }
                }
                fragment Card on Learner { id firstName }
                """, variables: ["id": "609", "withClass": true], token: token, operationName: "Child")
            #expect(reply.errorCodes.isEmpty, "\(reply.text)")
            let child = try #require(reply.data?["child"] as? [String: Any])
            #expect(reply.data?["__typename"] as? String == "Query")
            #expect(child["__typename"] as? String == "Learner")
            #expect(child["id"] as? String == "609")
            #expect(child.at("klass.name") as? String == "3А")
            #expect(child["lastName"] == nil)
            #expect(Array(child.keys).count == 4)
        }
    }

    @Test("errors never carry SQL text or stack traces")
    func noInternals() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("region.admin")
            for query in ["{ learner(id: \"'; DROP TABLE eduql.learners; --\") { id } }", "{ learners(filter: { nameContains: \"%' OR 1=1 --\" }) { totalCount } }"] {
                let reply = try await api.graphql(query, token: token)
                #expect(!reply.text.contains("SELECT"), "\(reply.text)")
                #expect(!reply.text.lowercased().contains("eduql."))
            }
            let injected = try await api.graphql("{ learners(filter: { nameContains: \"%' OR 1=1 --\" }) { totalCount } }", token: token)
            #expect(injected.data?.at("learners.totalCount") as? Int == 0)
        }
    }
}
