import EduQLAccessControl
@testable import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// Trusted documents by id (GraphQL over HTTP, appendix A): the manifest lists every document of
/// `queries/` by the SHA-256 of its bytes; clients send `documentId` by POST or GET; a grant or
/// a deployment that holds a caller to documents takes no text at all.
@Suite("Trusted documents by id", .timeLimit(.minutes(3)))
struct TrustedDocumentTests {
    let logger = Logger(label: "eduql-tests")
    static let roster = "integration/roster-export.graphql"

    @Test("queries/manifest.json lists every document of queries/ by the SHA-256 of its exact bytes")
    func manifest() throws {
        let folder = ConsumerDocuments.folder.path
        let listed = try TrustedDocuments.load(from: folder)
        #expect(listed == (try TrustedDocuments.scan(folder)))
        let files = FileManager.default.enumerator(atPath: folder)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".graphql") && !$0.hasSuffix("schema.graphql") }
        #expect(files.count >= 9)
        #expect(Set(listed.byID.values.map(\.path)) == Set(files))
        for (id, document) in listed.byID { #expect(id == (try ConsumerDocuments.id(document.path))) }
        #expect(listed.byID[DemoAccounts.rosterExport]?.path == Self.roster)
        // A document changed after the manifest was written stops start-up, naming it.
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-queries-\(UUID())")
        try FileManager.default.copyItem(at: ConsumerDocuments.folder, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        try Data("{ me { name } }".utf8).write(to: copy.appendingPathComponent(Self.roster))
        #expect { try TrustedDocuments.load(from: copy.path) } throws: { "\($0)".contains(Self.roster) }
    }

    @Test("a document runs by documentId sent by POST or GET, as text would; an unknown id is PERSISTED_QUERY_NOT_FOUND")
    func byID() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let id = try ConsumerDocuments.id(Self.roster)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("region.admin")
            let text = try await api.graphql(try ConsumerDocuments.text(Self.roster), variables: ["first": 3], token: token)
            let post = try await api.graphql(documentID: id, variables: ["first": 3], token: token)
            #expect(post.status == .ok)
            #expect((post.data?.at("learners.edges") as? [Any])?.count == 3, "\(post.text)")
            #expect(post.text == text.text)
            let query = "documentId=\(id)&variables=" + #"{"first":3}"#.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let get = try await api.request(.get, "/graphql?\(query)", token: token)
            #expect(get.status == .ok)
            #expect(get.text == text.text)

            let unknown = "sha256:" + String(repeating: "0", count: 64)
            for missing in [unknown, id.uppercased(), Self.roster, ""] {
                let reply = try await api.request(.post, "/graphql", json: ["documentId": missing], token: token,
                                                  headers: [.accept: "application/graphql-response+json"])
                #expect(reply.status == .badRequest, "\(missing)")
                #expect(reply.errorCodes == ["PERSISTED_QUERY_NOT_FOUND"], "\(reply.text)")
            }
            let both = try await api.request(.post, "/graphql", json: ["query": "{ me { name } }", "documentId": id], token: token)
            #expect(both.status == .badRequest)
            let neither = try await api.request(.get, "/graphql", token: token)
            #expect(neither.status == .badRequest)
        }
        // Each refusal is audited, naming the caller.
        let refused = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("""
                SELECT count(*)::int FROM eduql.audit_events
                WHERE login = 'region.admin' AND outcome = 'invalid' AND error_codes = ARRAY['PERSISTED_QUERY_NOT_FOUND']
                """, as: Int.self)
        }
        #expect(refused == 4)
    }

    @Test("a client whose grant names documents sends them by id only; text is refused and audited as denied")
    func clientText() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.clientToken()
            let id = try ConsumerDocuments.id(Self.roster)
            let allowed = try await api.request(.get, "/graphql?documentId=\(id)", token: token)
            #expect(allowed.status == .ok, "\(allowed.text)")
            let text = try await api.graphql(try ConsumerDocuments.text(Self.roster), token: token)
            #expect(text.status == .forbidden)
            #expect(text.errorCodes == ["PERSISTED_QUERY_REQUIRED"])
            let get = try await api.request(.get, "/graphql?query=%7B%20me%20%7B%20name%20%7D%20%7D", token: token)
            #expect(get.errorCodes == ["PERSISTED_QUERY_REQUIRED"])
        }
        let denied = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("""
                SELECT count(*)::int FROM eduql.audit_events
                WHERE role = 'integration' AND client_id IS NOT NULL AND outcome = 'denied' AND error_codes = ARRAY['PERSISTED_QUERY_REQUIRED']
                """, as: Int.self)
        }
        #expect(denied == 2)
    }

    @Test("EDUQL_TRUSTED_DOCUMENTS_ONLY holds the roles it names to documents by id; the others still send text")
    func rolesHeldToDocuments() async throws {
        #expect(try ServerConfiguration(settings: Settings(environment: ["EDUQL_TRUSTED_DOCUMENTS_ONLY": "parent, student"])).trustedDocumentsOnly == [.parent, .student])
        #expect(try ServerConfiguration(settings: Settings(environment: ["EDUQL_TRUSTED_DOCUMENTS_ONLY": "all"])).trustedDocumentsOnly == Set(Role.allCases))
        #expect { try ServerConfiguration(settings: Settings(environment: ["EDUQL_TRUSTED_DOCUMENTS_ONLY": "parent,root"])) } throws: {
            "\($0)".contains("EDUQL_TRUSTED_DOCUMENTS_ONLY")
        }
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database, configure: { $0.trustedDocumentsOnly = [.parent] }) { api in
            let parent = try await api.demoToken("parent")
            let text = try await api.graphql("{ me { name } }", token: parent)
            #expect(text.status == .forbidden)
            #expect(text.errorCodes == ["PERSISTED_QUERY_REQUIRED"])
            let learner = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar("""
                    SELECT gl.learner_id::text FROM eduql.guardian_learners gl JOIN eduql.users u ON u.guardian_id = gl.guardian_id
                    WHERE u.login = 'parent' ORDER BY gl.learner_id LIMIT 1
                    """, as: String.self)
            }
            let diary = try await api.graphql(documentID: try ConsumerDocuments.id("parent/diary-week.graphql"),
                                              variables: ["learnerId": learner, "from": "2025-09-01", "to": "2025-09-07"], token: parent)
            #expect(diary.status == .ok, "\(diary.text)")
            #expect(diary.errorCodes.isEmpty)
            let teacher = try await api.graphql("{ me { name } }", token: try await api.demoToken("teacher"))
            #expect(teacher.status == .ok)
        }
    }
}
