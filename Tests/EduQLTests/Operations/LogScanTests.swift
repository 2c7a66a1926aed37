@testable import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// The log holds no personal data: no password, token, SNILS or person's name, whatever the
/// requests carried. `scripts/test` runs this suite after all the others, over the log of the
/// whole run (`EDUQL_TEST_LOG`); alone, it scans what its own requests logged.
@Suite("Log scan", .serialized)
struct LogScanTests {
    let logger = Logger(label: "eduql-tests")

    @Test("a run's log is JSON lines, one per request, naming no password, token, SNILS or person")
    func logIsFreeOfPersonalData() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let accounts = try await TestCluster.shared.accounts()
        let (names, snils, learnerName) = try await database.owner.withConnection(logger: self.logger) { connection in
            let people = try await connection.query("""
                SELECT last_name, first_name, coalesce(middle_name, ''), coalesce(snils, '') FROM eduql.learners
                UNION ALL SELECT last_name, first_name, coalesce(middle_name, ''), coalesce(snils, '') FROM eduql.guardians
                """, logger: self.logger).collect().map { try $0.decode((String, String, String, String).self) }
            let names = Set(people.flatMap { [$0.0, $0.1, $0.2] }.filter { $0.count >= 3 })
            return (names, Set(people.map(\.3).filter { !$0.isEmpty }), people[0].0)
        }
        #expect(names.count > 100 && snils.count > 100)
        let secrets = accounts.compactMap { $0.password ?? $0.clientSecret }
        #expect(secrets.count >= 7)

        // Requests that carry every kind of it: sign-ins right and wrong, tokens, variables with a
        // name and a SNILS, a text with them, an integration client.
        let issuedTokens = try await TestAPI.run(database) { api async throws -> [String] in
            var issuedTokens: [String] = []
            for account in accounts {
                if let login = account.login, let password = account.password {
                    _ = try await api.login(login, password + "x")
                    let token = try await api.token(login, password)
                    issuedTokens.append(token)
                    _ = try await api.graphql("query Find($name: String, $snils: String) { learners(filter: { nameContains: $name }) { totalCount } }",
                                              variables: ["name": learnerName, "snils": snils.first!], token: token)
                    _ = try await api.graphql(#"{ learners(filter: { nameContains: "\#(learnerName)" }) { totalCount } }"#, token: token)
                    _ = try await api.session(token)
                }
                if let client = account.clientId {
                    let token = try await api.clientToken(client)
                    issuedTokens.append(token)
                    _ = try await api.graphql("{ me { name } }", token: token)
                }
            }
            return issuedTokens
        }
        #expect(issuedTokens.count >= 8)

        let paths = [TestLog.path] + (ProcessInfo.processInfo.environment["EDUQL_SCAN_LOG"].map { [$0] } ?? [])
        var text = ""
        for path in Set(paths) { text += (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        let lines = text.split(separator: "\n")
        let requests = lines.filter { $0.contains(#""message":"request""#) }
        #expect(requests.count >= 4 * issuedTokens.count, "the log should have a line per request")
        // Log lines are JSON objects; the commands' own output (also in the file, and scanned) is not.
        for line in lines.prefix(200_000) where line.hasPrefix("{") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not a JSON object: \(line.prefix(200))")
        }
        for line in requests.prefix(1000) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in ["request_id", "operation", "outcome", "status", "duration_ms"] { #expect(object[key] != nil, "\(key) in \(line)") }
        }

        let findings = Self.findings(in: text, secrets: secrets + issuedTokens, snils: snils, names: names)
        #expect(findings.isEmpty, "personal data in the log: \(findings.prefix(10))")
        // The scan itself finds each kind when it is there.
        let planted = #"{"message":"x","a":"\#(secrets[0])","b":"\#(snils.first!)","c":"\#(learnerName)","d":"eduql_u_abc"}"#
        #expect(Self.findings(in: planted, secrets: secrets, snils: snils, names: names).count == 4)
        let digits = #"{"message":"x","e":"\#(snils.first!.filter(\.isNumber))"}"#
        #expect(Self.findings(in: digits, secrets: secrets, snils: snils, names: names) == ["a SNILS, as digits"])
    }

    /// What of these the text contains: secrets, token-shaped words, SNILS, and names as words.
    static func findings(in text: String, secrets: [String], snils: Set<String>, names: Set<String>) -> [String] {
        var found: [String] = []
        for secret in secrets where text.contains(secret) { found.append("a password or token") }
        if text.contains("eduql_u_") || text.contains("eduql_c_") { found.append("a bearer token") }
        if text.range(of: #"[0-9]{3}-[0-9]{3}-[0-9]{3} [0-9]{2}"#, options: .regularExpression) != nil { found.append("a SNILS") }
        // Each person's SNILS also as its bare eleven digits.
        let numbers = Set(text.split { !$0.isNumber }.map(String.init))
        let bare = Set(snils.map { $0.filter(\.isNumber) })
        if !numbers.isDisjoint(with: bare) { found.append("a SNILS, as digits") }
        let words = Set(text.split { !$0.isLetter }.map(String.init))
        found += names.intersection(words).sorted().map { "the name \($0)" }
        return found
    }
}
