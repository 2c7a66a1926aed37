@testable import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// A real client, Python's graphql-core, builds each role's client schema from the live
/// server's introspection and validates `queries/` against it: each consumer's documents are
/// valid for its role, and documents reaching what a role may not read are not.
@Suite("graphql-core cross-check of the role schemas", .timeLimit(.minutes(3)))
struct ClientSchemaTests {
    static let script = ConsumerDocuments.folder.deletingLastPathComponent().appendingPathComponent("scripts/check-role-schemas.py").path

    /// Which documents each demo account must be able to send (✓) or must be refused (✗).
    static let expectations: [String: [String: Bool]] = [
        "region.admin": ["region-dashboard/municipality-stats.graphql": true, "parent/diary-week.graphql": false,
                         "console/me.graphql": true, "console/audit-events.graphql": true, "console/introspection.graphql": true,
                         "console/record-marks.graphql": false, "console/dashboard.graphql": true, "console/queue-desk.graphql": false,
                         "console/school.graphql": true,
                         "school-portal/class-page.graphql": false, "municipal-queue-desk/queue.graphql": false],
        "mouo.admin": ["municipal-queue-desk/queue.graphql": true, "region-dashboard/municipality-stats.graphql": true,
                       "console/queue-run-distribution.graphql": true, "console/queue-desk.graphql": true, "console/queue-review.graphql": true,
                       "console/audit-events.graphql": true, "console/dashboard.graphql": true, "console/diary-page.graphql": false,
                       "console/forms.graphql": true, "console/form-review.graphql": true, "console/form-filing.graphql": false,
                       "teacher/journal-page.graphql": false],
        "school.admin": ["school-portal/class-page.graphql": true, "teacher/journal-page.graphql": true, "console/school.graphql": true,
                         "console/create-account.graphql": true, "console/reset-password.graphql": true, "console/disable-account.graphql": true,
                         "console/forms.graphql": true, "console/form-filing.graphql": true, "console/form-review.graphql": false,
                         "console/classes.graphql": true, "console/queue-review.graphql": false,
                         "parent/diary-week.graphql": true, "municipal-queue-desk/queue.graphql": false],
        "teacher": ["teacher/journal-page.graphql": true, "parent/diary-week.graphql": false, "school-portal/class-page.graphql": false,
                    "console/classes.graphql": true, "console/record-marks.graphql": true, "console/queue-run-distribution.graphql": false,
                    "console/audit-events.graphql": false, "console/create-account.graphql": false, "console/school.graphql": false,
                    "console/diary-page.graphql": false, "console/dashboard.graphql": false,
                    "console/record-attendance.graphql": true, "console/lesson-topic-homework.graphql": true],
        "homeroom": ["teacher/journal-page.graphql": true, "parent/diary-week.graphql": true, "school-portal/class-page.graphql": false],
        "parent": ["parent/diary-week.graphql": true, "parent/queue-position.graphql": true, "teacher/journal-page.graphql": false,
                   "console/children.graphql": true, "console/diary-page.graphql": true, "console/applications.graphql": true,
                   "console/classes.graphql": true, "console/queue-desk.graphql": false,
                   "console/record-marks.graphql": false, "console/audit-events.graphql": false,
                   "console/record-attendance.graphql": false, "console/lesson-topic-homework.graphql": false,
                   "region-dashboard/municipality-stats.graphql": false],
        "student": ["parent/diary-week.graphql": true, "parent/queue-position.graphql": false, "console/diary-page.graphql": true],
        "diary-vendor": ["integration/roster-export.graphql": true, "parent/diary-week.graphql": false,
                         "integration/journal-record-marks.graphql": false, "integration/portal-file-application.graphql": false],
    ]

    @Test("each role's introspection builds a client schema that accepts its documents and refuses the others")
    func crossCheck() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-introspection-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let query = try Subprocess.run("/usr/bin/env", ["python3", Self.script, "query"])
        try #require(query.status == 0, "graphql-core is missing: \(query.output)")

        // The vendor's grant names documents, which admit no introspection; here it names fields instead.
        try await database.owner.withConnection(logger: Logger(label: "eduql-tests")) { connection in
            try await connection.execute("""
                UPDATE eduql.integration_grants SET documents = '{}', fields = '{Learner.id,Learner.lastName,Learner.firstName,
                    Learner.middleName,Learner.organization,Learner.class,Organization.id,Organization.shortName,Class.id,Class.name}'
                """)
        }
        try await TestAPI.run(database) { api in
            for login in Self.expectations.keys {
                let token = login == "diary-vendor" ? try await api.clientToken() : try await api.demoToken(login)
                let reply = try await api.graphql(query.output, token: token)
                try #require(reply.status == .ok && reply.errorCodes.isEmpty, "\(login): \(reply.text.prefix(300))")
                try reply.text.write(to: folder.appendingPathComponent("\(login).json"), atomically: true, encoding: .utf8)
            }
        }
        let check = try Subprocess.run("/usr/bin/env", ["python3", Self.script, "check", folder.path, ConsumerDocuments.folder.path])
        try #require(check.status == 0, "\(check.output)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [String: [String: [String]]])
        for (login, documents) in Self.expectations {
            for (document, valid) in documents {
                let errors = try #require(results[login]?[document], "\(login) \(document)")
                #expect(errors.isEmpty == valid, "\(login) \(document): \(errors)")
            }
        }
    }
}
