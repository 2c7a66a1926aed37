import EduQLServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

/// Every request to /graphql and /auth is recorded, once, before it is answered — good,
/// malformed, forbidden and unauthenticated alike — with the learners whose data it carried.
@Suite("Audit trail of requests", .timeLimit(.minutes(3)))
struct AuditTrailTests {
    let logger = Logger(label: "eduql-tests")

    /// The kinds of request the load mixes, and what their events must say.
    enum Probe: CaseIterable {
        case diary, otherChild, invalid, malformed, unauthenticated, login

        var outcome: String {
            switch self {
            case .diary, .otherChild, .login: "ok"
            case .invalid, .malformed: "invalid"
            case .unauthenticated: "denied"
            }
        }

        var learners: [Int] { self == .diary ? [609] : [] }
    }

    @Test("under concurrent mixed load there is exactly one event per request, with its outcome and learners")
    func oneEventPerRequest() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let parentPassword = try await TestCluster.shared.password(of: "parent")
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("parent")
            let before = try await self.count(database)
            let diary = RawHTTP.graphql(try ConsumerDocuments.text("parent/diary-week.graphql"),
                                        variables: ["learnerId": "609", "from": "2026-09-07", "to": "2026-09-13"])
            let other = RawHTTP.graphql("{ learner(id: 610) { id lastName } }")
            let invalid = RawHTTP.graphql("{ learner(id: 609) { nope } }")
            let login = String(decoding: try JSONSerialization.data(withJSONObject: ["login": "parent", "password": parentPassword]), as: UTF8.self)
            let port = api.port
            let exchanges = try await withThrowingTaskGroup(of: (Probe, RawExchange).self) { group in
                for index in 0..<60 {
                    let probe = Probe.allCases[index % Probe.allCases.count]
                    group.addTask {
                        let exchange: RawExchange =
                            switch probe {
                            case .diary: try await RawHTTP.post(port: port, body: diary, token: token)
                            case .otherChild: try await RawHTTP.post(port: port, body: other, token: token)
                            case .invalid: try await RawHTTP.post(port: port, body: invalid, token: token)
                            case .malformed: try await RawHTTP.post(port: port, body: "{\"query\": ", token: token)
                            case .unauthenticated: try await RawHTTP.post(port: port, body: diary, token: nil)
                            case .login: try await RawHTTP.post(port: port, path: "/auth/login", body: login, token: nil)
                            }
                        return (probe, exchange)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let after = try await self.count(database)
            #expect(after - before == exchanges.count, "one event per request")
            let events = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.query("SELECT request_id, outcome, learner_ids FROM eduql.audit_events", logger: self.logger)
                    .collect().map { try $0.decode((String, String, [Int]).self) }
            }
            let byRequest = Dictionary(events.map { ($0.0, ($0.1, $0.2)) }) { first, _ in first }
            for (probe, exchange) in exchanges {
                let id = try #require(exchange.requestID, "every answer names its request id")
                let event = try #require(byRequest[id], "\(probe) \(id) has no event")
                #expect(event.0 == probe.outcome, "\(probe): \(event.0) \(exchange.body.prefix(200))")
                #expect(event.1 == probe.learners, "\(probe): learners \(event.1)")
            }
            let intact = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT broken_seq IS NULL FROM eduql.audit_verify()", as: Bool.self)
            }
            #expect(intact)
        }
    }

    @Test("the event says who, in which role and scope, asked what; secrets in variables are redacted")
    func eventContents() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("teacher")
            let reply = try await api.graphql("query Journal($password: String, $id: ID!) { learner(id: $id) { id lastName marks { value } } learners(filter: { nameContains: $password }) { totalCount } }",
                                              variables: ["password": "hunter2-secret", "id": "675"], token: token)
            let requestID = try #require(reply.headers[HTTPField.Name("X-Request-Id")!])
            let row = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.query("""
                    SELECT e.login, e.role, e.organization_id, e.operation_type, e.operation_name, e.root_fields, e.learner_ids,
                           e.variables::text, e.outcome, e.row_count, d.document IS NOT NULL, e.duration_ms IS NOT NULL
                    FROM eduql.audit_events e LEFT JOIN eduql.audit_documents d ON d.sha256 = e.document_sha256
                    WHERE e.request_id = \(requestID)
                    """, logger: self.logger).collect().first!.decode((String?, String?, Int?, String?, String?, [String], [Int], String?, String, Int?, Bool, Bool).self)
            }
            #expect(row.0 == "teacher")
            #expect(row.1 == "teacher")
            #expect(row.2 == 1)
            #expect(row.3 == "query")
            #expect(row.4 == "Journal")
            #expect(row.5 == ["learner", "learners"])
            #expect(row.6 == [675])
            #expect(row.7?.contains("hunter2") == false, "\(String(describing: row.7))")
            #expect(row.7?.contains("[redacted]") == true)
            #expect(row.8 == "ok")
            #expect((row.9 ?? 0) >= 1)
            #expect(row.10, "the document text is stored once per hash")
            #expect(row.11)
        }
    }

    @Test("when the audit store cannot write, requests get 503 and no data")
    func unwritable() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("parent")
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute("REVOKE EXECUTE ON FUNCTION eduql.append_audit(jsonb), eduql.stage_audit(jsonb) FROM eduql_app")
            }
            let refused = try await api.graphql("{ learner(id: 609) { lastName birthDate } }", token: token)
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.errorCodes == ["AUDIT_UNAVAILABLE"])
            #expect(refused.json["data"] == nil)
            #expect(!refused.text.contains("birthDate") && !refused.text.contains("lastName"))
            let login = try await api.login("parent", try await TestCluster.shared.password(of: "parent"))
            #expect(login.status == .serviceUnavailable)
            #expect(login["token"] == nil)
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute("GRANT EXECUTE ON FUNCTION eduql.append_audit(jsonb), eduql.stage_audit(jsonb) TO eduql_app")
            }
            #expect(try await api.graphql("{ learner(id: 609) { lastName } }", token: token).status == .ok)

            // The table itself refusing rows: the same.
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute("""
                    CREATE TRIGGER audit_events_refuse_all BEFORE INSERT ON eduql.audit_events
                        FOR EACH ROW EXECUTE FUNCTION eduql.refuse_audit_change()
                    """)
            }
            let blocked = try await api.graphql("{ learner(id: 609) { lastName } }", token: token)
            #expect(blocked.status == .serviceUnavailable)
            #expect(blocked.json["data"] == nil)
        }
    }

    @Test("administrators read the audit of their scope; families and the school read who saw a child")
    func readingTheAudit() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            // The homeroom teacher of class 21 and the school read learner 675; the parent reads its child 609.
            _ = try await api.graphql("{ learner(id: 675) { lastName } }", token: try await api.demoToken("homeroom"))
            let school = try await api.demoToken("school.admin")
            _ = try await api.graphql("{ class(id: 21) { learners { lastName } } }", token: school)
            let parent = try await api.demoToken("parent")
            _ = try await api.graphql("{ learner(id: 609) { lastName } }", token: parent)

            let log = try await api.graphql("{ learnerAccessLog(learnerId: 675) { login role operationType rootFields scope { kind id } } }", token: school)
            let entries = try #require(log.data?["learnerAccessLog"] as? [[String: Any]], "\(log.text)")
            #expect(Set(entries.compactMap { $0["login"] as? String }) == ["homeroom", "school.admin"])
            let own = try await api.graphql("{ learnerAccessLog(learnerId: 609) { login } }", token: parent)
            #expect((own.data?["learnerAccessLog"] as? [[String: Any]])?.compactMap { $0["login"] as? String }.contains("parent") == true, "\(own.text)")
            let foreign = try await api.graphql("{ learnerAccessLog(learnerId: 675) { login } }", token: parent)
            #expect((foreign.data?["learnerAccessLog"] as? [Any])?.isEmpty == true, "another family's child: \(foreign.text)")
            let teacher = try await api.graphql("{ learnerAccessLog(learnerId: 675) { login } }", token: try await api.demoToken("teacher"))
            #expect(teacher.errorCodes == ["GRAPHQL_VALIDATION_FAILED"])

            let scoped = try await api.graphql("{ auditEvents(first: 100) { totalCount edges { node { login scope { kind id } } } } }", token: school)
            let nodes = (scoped.data?.at("auditEvents.edges") as? [[String: Any]] ?? []).compactMap { $0["node"] as? [String: Any] }
            #expect(!nodes.isEmpty, "\(scoped.text)")
            #expect(nodes.allSatisfy { ($0.at("scope.kind") as? String) == "ORGANIZATION" && ($0.at("scope.id") as? String) == "1" })
            #expect(!nodes.contains { $0["login"] as? String == "parent" }, "a parent's request is not the school's audit")
            let region = try await api.graphql("{ auditEvents(filter: { login: \"parent\" }) { totalCount } }", token: try await api.demoToken("region.admin"))
            #expect((region.data?.at("auditEvents.totalCount") as? Int ?? 0) >= 2, "\(region.text)")
            let mouo = try await api.demoToken("mouo.admin")
            let expected = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT count(*)::int FROM eduql.audit_events WHERE municipality_id = 1", as: Int.self)
            }
            let municipal = try await api.graphql("{ auditEvents { totalCount } }", token: mouo)
            // Everything of municipality 1 recorded before this request; nothing of the region at large.
            #expect(municipal.data?.at("auditEvents.totalCount") as? Int == expected, "\(municipal.text)")
            #expect(expected > 0)
        }
    }

    func count(_ database: ClusterConnections) async throws -> Int {
        try await database.owner.withConnection(logger: self.logger) { try await $0.scalar("SELECT count(*)::int FROM eduql.audit_events", as: Int.self) }
    }
}
