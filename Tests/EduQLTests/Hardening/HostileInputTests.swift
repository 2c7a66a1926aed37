@testable import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// Hostile input at the HTTP edge: every refusal is a clear 4xx with a code (never a 500), and
/// its audit event still names the caller.
@Suite("Hostile input")
struct HostileInputTests {
    let logger = Logger(label: "eduql-tests")

    /// The audit event of a request, by its `X-Request-Id`.
    func event(_ requestID: String?, in database: ClusterConnections) async throws -> (login: String?, role: String?, outcome: String) {
        let id = try #require(requestID)
        return try await database.owner.withConnection(logger: self.logger) { connection in
            let rows = try await connection.query("SELECT login, role, outcome FROM eduql.audit_events WHERE request_id = \(id)",
                                                  logger: self.logger).collect()
            guard let row = rows.first else { throw TestFailure("no audit event for request \(id)") }
            return try row.decode((String?, String?, String).self)
        }
    }

    @Test("dates PostgreSQL cannot hold are BAD_USER_INPUT in every argument and variable that takes one")
    func dates() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let parent = try await api.demoToken("parent")
            let school = try await api.demoToken("school.admin")
            let mouo = try await api.demoToken("mouo.admin")
            let fields: [(String, String)] = [
                (parent, "diary(learnerId: 609, from: %@, to: %@) { learner { id } }"),
                (school, "journal(classId: 1, subjectId: 101, from: %@, to: %@) { class { id } }"),
                (school, "learner(id: 675) { marks(from: %@) { value } }"),
                (school, "learner(id: 675) { attendance(from: %@) { code } }"),
                (school, "learnerAccessLog(learnerId: 675, from: %@, to: %@) { login }"),
            ]
            for bad in ["0000-01-01", "0000-12-31", "+999-01-01", "10000-01-01", "2026-02-30", "2026-13-01", "2026-1-01", "２０２６-01-01"] {
                for (token, field) in fields {
                    let query = "{ " + field.replacingOccurrences(of: "%@", with: "\"\(bad)\"") + " }"
                    let reply = try await api.graphql(query, token: token)
                    #expect(reply.status.code < 500, "\(bad) in \(field): \(reply.text)")
                    #expect(reply.errorCodes == ["BAD_USER_INPUT"] || reply.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(bad) in \(field): \(reply.text)")
                }
                // The same through a variable.
                let reply = try await api.graphql("query($d: Date!) { diary(learnerId: 609, from: $d, to: $d) { learner { id } } }",
                                                  variables: ["d": bad], token: parent)
                #expect(reply.errorCodes == ["BAD_USER_INPUT"], "$d = \(bad): \(reply.text)")
            }
            for bad in ["0000-01-01T00:00:00Z", "2026-01-01T25:00:00Z", "2026-01-01"] {
                for (token, query) in [(school, "{ auditEvents(filter: { from: \"\(bad)\" }) { totalCount } }"),
                                       (mouo, "{ queueApplications(filter: { registeredFrom: \"\(bad)\" }) { totalCount } }")] {
                    let reply = try await api.graphql(query, token: token)
                    #expect(reply.status.code < 500, "\(query): \(reply.text)")
                    #expect(!reply.errorCodes.isEmpty && !reply.errorCodes.contains("INTERNAL"), "\(query): \(reply.text)")
                }
            }
            // The earliest and latest dates PostgreSQL holds still work.
            let edge = try await api.graphql("{ learner(id: 675) { marks(from: \"0001-01-01\") { value } } }", token: school)
            #expect(edge.status == .ok && edge.errorCodes.isEmpty, "\(edge.text)")
        }
    }

    @Test("U+0000 in a string argument, a variable, a login or a client id is a 400 / BAD_USER_INPUT, and is audited")
    func nul() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let region = try await api.demoToken("region.admin")
            let inline = try await api.graphql("{ learners(filter: { nameContains: \"a\\u0000b\" }) { totalCount } }", token: region)
            #expect(inline.errorCodes == ["BAD_USER_INPUT"], "\(inline.text)")
            let variable = try await api.graphql("query($n: String) { learners(filter: { nameContains: $n }) { totalCount } }",
                                                 variables: ["n": "x\u{0}"], token: region)
            #expect(variable.errorCodes == ["BAD_USER_INPUT"], "\(variable.text)")
            let login = try await api.login("parent\u{0}", "whatever")
            #expect(login.status == .badRequest, "\(login.text)")
            let password = try await api.login("parent", "pass\u{0}word")
            #expect(password.status == .badRequest, "\(password.text)")
            let basic = "Basic " + Data("diary-vendor\u{0}:secret".utf8).base64EncodedString()
            let token = try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials",
                                              headers: [.authorization: basic, .contentType: "application/x-www-form-urlencoded"])
            #expect(token.status == .badRequest, "\(token.text)")
            for reply in [inline, variable, login, password, token] {
                let event = try await self.event(reply.headers[.requestID], in: database)
                #expect(event.outcome == "invalid")
            }
            #expect(try await self.event(inline.headers[.requestID], in: database).login == "region.admin")
        }
    }

    @Test("an oversized body is 413 with a JSON error at every endpoint that reads one")
    func oversized() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("school.admin")
            let huge = String(repeating: "x", count: 200_000)
            let graphql = try await api.request(.post, "/graphql", raw: "{\"query\": \"\(huge)\"}", token: token,
                                                headers: [.contentType: "application/json"])
            let login = try await api.request(.post, "/auth/login", raw: "{\"login\": \"\(huge)\", \"password\": \"x\"}",
                                              headers: [.contentType: "application/json"])
            let password = try await api.request(.post, "/auth/password", raw: "{\"oldPassword\": \"\(huge)\", \"newPassword\": \"x\"}",
                                                 token: token, headers: [.contentType: "application/json"])
            let client = try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials&pad=\(huge)",
                                               headers: [.contentType: "application/x-www-form-urlencoded"])
            for (name, reply) in [("graphql", graphql), ("login", login), ("password", password), ("token", client)] {
                #expect(reply.status == .contentTooLarge, "\(name): \(reply.status)")
                let code = reply.code ?? reply.errorCodes.first
                #expect(code == "PAYLOAD_TOO_LARGE", "\(name): \(reply.text)")
            }
            // The caller of an oversized request is still named.
            #expect(try await self.event(graphql.headers[.requestID], in: database).login == "school.admin")
            #expect(try await self.event(password.headers[.requestID], in: database).login == "school.admin")
        }
    }

    @Test("GET decodes the query string as a form: + is a space, %2B a plus")
    func formEncoding() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("school.admin")
            let plus = try await api.request(.get, "/graphql?query=%7B+organization(id:+1)+%7B+shortName+%7D+%7D", token: token)
            #expect(plus.status == .ok, "\(plus.text)")
            #expect(plus.data?.at("organization.shortName") as? String == "СОШ № 1")
            let variables = try await api.request(
                .get, "/graphql?query=query(%24n:+String)+%7B+learners(filter:+%7BnameContains:+%24n%7D)+%7B+totalCount+%7D+%7D&variables=%7B%22n%22:+%22a%2Bb%22%7D",
                token: token)
            #expect(variables.status == .ok, "\(variables.text)")
            #expect(variables.data?.at("learners.totalCount") as? Int == 0, "the name holds a literal plus: \(variables.text)")
        }
    }

    @Test("requests refused before they reach the engine still name the caller in their audit event")
    func refusedButNamed() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("teacher")
            let refusals: [(String, TestAPI.Reply)] = [
                ("malformed JSON", try await api.request(.post, "/graphql", raw: "{\"query\": ", token: token, headers: [.contentType: "application/json"])),
                ("not an object", try await api.request(.post, "/graphql", raw: "\"{ me { name } }\"", token: token, headers: [.contentType: "application/json"])),
                ("a batch", try await api.request(.post, "/graphql", raw: "[{\"query\": \"{ me { name } }\"}]", token: token, headers: [.contentType: "application/json"])),
                ("no query", try await api.request(.post, "/graphql", raw: "{\"variables\": {}}", token: token, headers: [.contentType: "application/json"])),
                ("415", try await api.request(.post, "/graphql", raw: "query=x", token: token, headers: [.contentType: "text/plain"])),
                ("406", try await api.request(.post, "/graphql", json: ["query": "{ me { name } }"], token: token, headers: [.accept: "text/html"])),
                ("GET without query", try await api.request(.get, "/graphql", token: token)),
                ("a role not held", try await api.request(.post, "/graphql", json: ["query": "{ me { name } }"], token: token,
                                                          headers: [HTTPField.Name("X-EduQL-Role")!: "region_admin"])),
            ]
            for (name, reply) in refusals {
                #expect((400..<500).contains(reply.status.code), "\(name): \(reply.status)")
                let event = try await self.event(reply.headers[.requestID], in: database)
                #expect(event.login == "teacher", "\(name)")
                if name != "a role not held" { #expect(event.role == "teacher", "\(name)") }
                #expect(event.outcome == "invalid" || event.outcome == "denied", "\(name): \(event.outcome)")
            }
        }
    }

    @Test("nesting deep enough to exhaust the parser's stack is refused before parsing, in every bracket and hiding place")
    func deepNesting() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("parent")
            let depth = 9_000
            let documents = [
                "{" + String(repeating: "a{", count: depth) + "b" + String(repeating: "}", count: depth + 1),
                "query($a: [Int] = " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + ") { me { name } }",
                "{ me(x: " + String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth) + ") { name } }",
                "# " + String(repeating: "}", count: depth) + "\n{" + String(repeating: "a{", count: depth) + "}",
                "{ me { name } } # " + String(repeating: "{", count: depth),
            ]
            for document in documents {
                let reply = try await api.graphql(document, token: token)
                #expect(reply.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(reply.text.prefix(200))")
                #expect(try await api.request(.get, "/healthz").status == .ok, "the server still answers")
            }
            #expect(try await api.graphql("{ me { name } }", token: token).status == .ok)
        }
    }

    @Test("a fragment bomb over HTTP is refused at once, and the server keeps answering")
    func fragmentBomb() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("parent")
            var bomb = "query { ...F0 }\n"
            for level in 0..<30 { bomb += "fragment F\(level) on Query { ...F\(level + 1) ...F\(level + 1) }\n" }
            bomb += "fragment F30 on Query { me { name } }\n"
            async let first = api.graphql(bomb, token: token)
            async let second = api.graphql(bomb, token: token)
            for reply in try await [first, second] {
                #expect(reply.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(reply.text)")
            }
            let health = try await api.request(.get, "/healthz")
            #expect(health.status == .ok)
            #expect(try await api.graphql("{ me { name } }", token: token).status == .ok)
        }
    }
}
