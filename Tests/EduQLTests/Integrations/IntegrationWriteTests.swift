import EduQLSchema
import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// Integrations that write, with real client credentials: the federal services portal files
/// queue applications for guardians of its municipality, and a journal vendor records marks
/// for a school's teacher. Each write is the named person's own, under the grant's reach and
/// the person's rules, and its audit event names both the client and the person.
@Suite("Integration writes", .serialized, .timeLimit(.minutes(4)))
struct IntegrationWriteTests {
    let logger = Logger(label: "eduql-tests")

    static let grant = """
        mutation($input: GrantAccessInput!) { grantAccess(input: $input) { id writes { mutation ratePerSecond burst } } }
        """
    static let file = """
        mutation File($input: QueueApplicationInput!) {
          fileQueueApplication(input: $input) { id number status portalNumber municipality { id } choices { rank } }
        }
        """

    /// A client of the demo region with one grant; its access token.
    func client(_ api: TestAPI, _ name: String, grant: [String: Any]) async throws -> String {
        let admin = try await api.demoToken("region.admin")
        let created = try await api.graphql("""
            mutation($input: CreateIntegrationClientInput!) { createIntegrationClient(input: $input) { clientSecret client { id } } }
            """, variables: ["input": ["clientId": name, "name": name]], token: admin)
        let secret = try #require(created.data?.at("createIntegrationClient.clientSecret") as? String, "\(created.text)")
        let id = try #require(created.data?.at("createIntegrationClient.client.id") as? String)
        var input = grant
        input["clientId"] = id
        input["expiresAt"] = "2029-01-01T00:00:00Z"
        let granted = try await api.graphql(Self.grant, variables: ["input": input], token: admin)
        #expect(granted.data?["grantAccess"] is [String: Any], "\(granted.text)")
        let issued = try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials", headers: [
            .authorization: "Basic " + Data("\(name):\(secret)".utf8).base64EncodedString(),
            .contentType: "application/x-www-form-urlencoded",
        ])
        return try #require(issued["access_token"] as? String, "\(issued.text)")
    }

    /// The audit events of the writes a client made: outcome, error code and on whose behalf.
    func audited(_ database: ClusterConnections, client: String) async throws -> [String] {
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("""
                SELECT e.outcome || ':' || coalesce(e.error_codes[1], '-') || ':' || coalesce(e.detail->>'onBehalfOf', '-')
                FROM eduql.audit_events e JOIN eduql.integration_clients c ON c.id = e.client_id
                WHERE c.client_id = \(client) AND e.operation_type = 'mutation' ORDER BY e.seq
                """, as: String.self)
        }
    }

    @Test("the portal files for a guardian of its municipality, once per portal number, and follows the status through the change feed; refused outside its grant")
    func portal() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let queue = try await QueueWorkflowTests().fixture(database)
        let (snils, lastName, guardianCount) = try await database.owner.withConnection(logger: self.logger) { connection in
            let (snils, lastName) = try await connection.query("""
                SELECT g.snils, g.last_name FROM eduql.users u JOIN eduql.guardians g ON g.id = u.guardian_id WHERE u.login = 'parent'
                """, logger: self.logger).collect().first!.decode((String, String).self)
            return (snils, lastName, try await connection.scalar("SELECT count(*)::int FROM eduql.guardians", as: Int.self))
        }
        try await TestAPI.run(database) { api in
            let portal = try await self.client(api, "epgu-portal", grant: [
                "municipalityIds": [String(queue.municipality)],
                "writes": [["mutation": "fileQueueApplication", "ratePerSecond": 50, "burst": 100], ["mutation": "withdrawQueueApplication"],
                           ["mutation": "respondToOffer"]],
            ])
            let mouo = try await api.demoToken("mouo.admin")
            let horizon = try #require(try await api.graphql("{ changes(first: 0) { horizon } }", token: portal).data?.at("changes.horizon") as? String)
            let input: [String: Any] = [
                "applicant": ["snils": snils, "lastName": lastName, "firstName": "Анна"],
                "portalNumber": "EPGU-2026-000001", "municipalityId": String(queue.municipality),
                "child": QueueWorkflowTests.child("Портальная"), "choices": queue.kindergartens.map(String.init),
                "desiredStartOn": QueueWorkflowTests.today, "benefitCategoryId": String(queue.benefit), "benefitDocument": "№ 77/1",
            ]
            let filed = try await api.graphql(Self.file, variables: ["input": input], token: portal)
            let application = try #require(filed.data?["fileQueueApplication"] as? [String: Any], "\(filed.text)")
            let id = try #require(application["id"] as? String)
            #expect(application["status"] as? String == "NEW" && application["portalNumber"] as? String == "EPGU-2026-000001")
            // The portal retries: the same application, not a second one.
            let retried = try await api.graphql(Self.file, variables: ["input": input], token: portal)
            #expect(retried.data?.at("fileQueueApplication.id") as? String == id, "\(retried.text)")
            let (applications, applicant, guardians) = try await database.owner.withConnection(logger: self.logger) { connection in
                let rows = try await connection.query("""
                    SELECT count(*)::int, min(q.applicant_guardian_id)::int FROM eduql.queue_applications q WHERE q.portal_number = 'EPGU-2026-000001'
                    """, logger: self.logger).collect().first!.decode((Int, Int).self)
                return (rows.0, rows.1, try await connection.scalar("SELECT count(*)::int FROM eduql.guardians", as: Int.self))
            }
            #expect(applications == 1)
            // Matched by SNILS and last name: the parent, whose own app sees the application too.
            let parentGuardian = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT guardian_id::int FROM eduql.users WHERE login = 'parent'", as: Int.self)
            }
            #expect(applicant == parentGuardian && guardians == guardianCount)
            let parent = try await api.demoToken("parent")
            let seen = try await api.graphql("query($id: ID!) { queueApplication(id: $id) { id portalNumber } }", variables: ["id": id], token: parent)
            #expect(seen.data?.at("queueApplication.portalNumber") as? String == "EPGU-2026-000001", "\(seen.text)")

            // A new person: a guardian record without an account.
            var stranger = input
            stranger["portalNumber"] = "EPGU-2026-000002"
            stranger["child"] = QueueWorkflowTests.child("Новенькая")
            stranger["applicant"] = ["snils": "112-233-445 95", "lastName": "Новикова", "firstName": "Ольга", "birthDate": "1994-05-06"]
            let second = try await api.graphql(Self.file, variables: ["input": stranger], token: portal)
            #expect(second.data?.at("fileQueueApplication.status") as? String == "NEW", "\(second.text)")
            let created = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar("""
                    SELECT count(*)::int FROM eduql.guardians g WHERE g.snils = '112-233-445 95' AND g.birth_date = DATE '1994-05-06'
                      AND NOT EXISTS (SELECT 1 FROM eduql.users u WHERE u.guardian_id = g.id)
                    """, as: Int.self)
            }
            #expect(created == 1)

            // Refused: another municipality, a mutation the grant does not name, a SNILS under another name,
            // no applicant or number, and a parent posing as the portal. Nothing is written.
            var foreign = input
            foreign["portalNumber"] = "EPGU-2026-000003"
            foreign["municipalityId"] = String(queue.otherMunicipality)
            foreign["choices"] = [String(queue.otherKindergarten)]
            foreign["benefitCategoryId"] = nil
            foreign["benefitDocument"] = nil
            #expect(try await api.graphql(Self.file, variables: ["input": foreign], token: portal).errorCodes == ["FORBIDDEN"])
            let notGranted = try await api.graphql("mutation($id: ID!) { changeQueueChoices(applicationId: $id, choices: []) { id } }",
                                                   variables: ["id": id], token: portal)
            #expect(notGranted.errorCodes == ["FORBIDDEN"] && notGranted.text.contains("the grant does not name changeQueueChoices"), "\(notGranted.text)")
            var misnamed = input
            misnamed["portalNumber"] = "EPGU-2026-000004"
            misnamed["applicant"] = ["snils": snils, "lastName": "Иванова", "firstName": "Анна"]
            #expect(try await api.graphql(Self.file, variables: ["input": misnamed], token: portal).errorCodes == ["BAD_USER_INPUT"])
            for missing in ["applicant", "portalNumber"] {
                var partial = input
                partial["portalNumber"] = "EPGU-2026-000006"
                partial[missing] = nil
                #expect(try await api.graphql(Self.file, variables: ["input": partial], token: portal).errorCodes == ["BAD_USER_INPUT"], "\(missing)")
            }
            var posing = input
            posing["portalNumber"] = "EPGU-2026-000005"
            posing["child"] = QueueWorkflowTests.child("Самозваная")
            #expect(try await api.graphql(Self.file, variables: ["input": posing], token: parent).errorCodes == ["BAD_USER_INPUT"])
            // A write-only grant reads no learners.
            for read in ["{ learners(first: 1) { totalCount } }", "{ learner(id: \"\(queue.parentsChild)\") { id } }"] {
                #expect(try await api.graphql(read, token: portal).errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(read)")
            }

            // The municipality queues it, confirms the benefit and distributes: the portal reads the allocation from the change feed.
            for step in ["reviewQueueApplication(applicationId: $id, accept: true) { status }", "decideBenefit(applicationId: $id, confirm: true) { priority }"] {
                let reply = try await api.graphql("mutation($id: ID!) { \(step) }", variables: ["id": id], token: mouo)
                #expect(reply.errorCodes.isEmpty, "\(reply.text)")
            }
            let run = try await api.graphql("mutation($input: DistributionInput!) { runDistribution(input: $input) { id } }", variables: ["input": [
                "on": QueueWorkflowTests.today, "academicYearId": String(queue.year), "runKey": "portal-test"]], token: mouo)
            #expect(run.errorCodes.isEmpty, "\(run.text)")
            let feed = try await api.graphql("""
                query($after: Cursor) { changes(after: $after, types: [QUEUE_APPLICATION]) {
                  changes { id queueApplication { id status portalNumber history { toStatus reason } allocations { outcome voucherNumber } } } } }
                """, variables: ["after": horizon], token: portal)
            let changes = try #require(feed.data?.at("changes.changes") as? [[String: Any]], "\(feed.text)")
            let ours = changes.filter { $0["id"] as? String == id }
            #expect(!ours.isEmpty)
            let now = try #require(ours.last?["queueApplication"] as? [String: Any], "\(feed.text)")
            #expect(now["status"] as? String == "ALLOCATED", "\(now)")
            #expect((now["allocations"] as? [[String: Any]])?.contains { ($0["voucherNumber"] as? String)?.isEmpty == false } == true)
            let statuses = (now["history"] as? [[String: Any]])?.compactMap { $0["toStatus"] as? String } ?? []
            #expect(statuses.first == "NEW" && statuses.contains("QUEUED") && statuses.last == "ALLOCATED", "\(statuses)")
            // Only its own filings: the queue's other applications are not in its feed.
            #expect(changes.allSatisfy { ($0["queueApplication"] as? [String: Any]).map { $0["portalNumber"] is String } ?? true })

            // The applicant accepts the place through the portal; withdrawing another client's application is refused.
            let accepted = try await api.graphql("mutation($id: ID!) { respondToOffer(applicationId: $id, accept: true) { status } }",
                                                 variables: ["id": id], token: portal)
            #expect(accepted.errorCodes.isEmpty, "\(accepted.text)")
            let others = try await api.graphql("mutation($id: ID!) { withdrawQueueApplication(applicationId: $id) { status } }",
                                               variables: ["id": String(queue.strangersApplication)], token: portal)
            #expect(others.errorCodes == ["FORBIDDEN"], "\(others.text)")
        }
        let events = try await self.audited(database, client: "epgu-portal")
        #expect(events.first == "ok:-:guardian:\(try await database.owner.withConnection(logger: self.logger) { try await $0.scalar("SELECT guardian_id::int FROM eduql.users WHERE login = 'parent'", as: Int.self) })", "\(events)")
        // Every write it made, retries included, names the applicant it was made for.
        #expect(events.filter { $0.hasPrefix("ok:") }.allSatisfy { $0.contains(":guardian:") }, "\(events)")
        #expect(events.contains("denied:FORBIDDEN:-") || events.contains { $0.hasPrefix("denied:FORBIDDEN") }, "\(events)")
    }

    @Test("a vendor records marks for a teacher's lesson; refused for another school's lesson and after the edit window; revoking the grant stops it")
    func vendor() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let journal = try await JournalWriteTests().fixture(database)
        let (staff, school, foreignTeacher) = try await database.owner.withConnection(logger: self.logger) { connection in
            let staff = try await connection.scalar("SELECT staff_id::int FROM eduql.users WHERE login = 'teacher'", as: Int.self)
            let school = try await connection.scalar("SELECT organization_id::int FROM eduql.lessons WHERE id = \(journal.lesson)", as: Int.self)
            let foreign = try await connection.scalar("SELECT teacher_id::int FROM eduql.lessons WHERE id = \(journal.foreignLesson)", as: Int.self)
            return (staff, school, foreign)
        }
        let record = """
            mutation($lesson: ID!, $marks: [MarkInput!]!, $teacher: ID) { recordMarks(lessonId: $lesson, marks: $marks, teacherId: $teacher) { id value learner { id } } }
            """
        @Sendable func marks(_ lesson: Int) -> [String: Any] {
            ["lesson": String(lesson), "marks": [["learnerId": String(journal.learners[0]), "value": 4, "kind": "CURRENT"]]]
        }
        try await TestAPI.run(database) { api in
            let vendor = try await self.client(api, "journal-vendor", grant: [
                "organizationIds": [String(school)], "writes": [["mutation": "recordMarks"], ["mutation": "recordAttendance"]],
            ])
            var good = marks(journal.lesson)
            good["teacher"] = String(staff)
            let written = try await api.graphql(record, variables: good, token: vendor)
            let rows = try #require(written.data?["recordMarks"] as? [[String: Any]], "\(written.text)")
            #expect(rows.count == 1 && rows.first?["value"] as? Int == 4)
            // What it wrote is its answer, not a way into the school's marks: its change feed has no marks.
            let feed = try await api.graphql("{ changes(first: 100) { changes { type } } }", token: vendor)
            #expect(feed.data?.at("changes.changes") is [Any] && !feed.text.contains("MARK"), "\(feed.text)")
            // The person is required; another school's lesson is refused whoever is named; so is a lesson past the window.
            #expect(try await api.graphql(record, variables: marks(journal.lesson), token: vendor).errorCodes == ["BAD_USER_INPUT"])
            var foreign = marks(journal.foreignLesson)
            foreign["teacher"] = String(foreignTeacher)
            #expect(try await api.graphql(record, variables: foreign, token: vendor).errorCodes == ["FORBIDDEN"])
            foreign["teacher"] = String(staff)
            #expect(try await api.graphql(record, variables: foreign, token: vendor).errorCodes == ["FORBIDDEN"])
            var untaught = marks(journal.untaughtLesson)
            untaught["teacher"] = String(staff)
            #expect(try await api.graphql(record, variables: untaught, token: vendor).errorCodes == ["FORBIDDEN"])
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute(PostgresQuery(unsafeSQL: "UPDATE eduql.lessons SET held_on = current_date - 10 WHERE id = \(journal.lesson)"), logger: self.logger)
            }
            #expect(try await api.graphql(record, variables: good, token: vendor).errorCodes == ["FORBIDDEN"])
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute(PostgresQuery(unsafeSQL: "UPDATE eduql.lessons SET held_on = current_date - 1 WHERE id = \(journal.lesson)"), logger: self.logger)
            }
            // A teacher may not name another teacher; the grant names no queue writes.
            let teacher = try await api.demoToken("teacher")
            #expect(try await api.graphql(record, variables: good, token: teacher).errorCodes == ["BAD_USER_INPUT"])
            #expect(try await api.graphql(Self.file, variables: ["input": ["municipalityId": "1", "choices": ["1"], "desiredStartOn": "2027-09-01"]],
                                          token: vendor).errorCodes == ["FORBIDDEN"])
            // A mutation no grant can name is unknown to the client, as to any role without it.
            #expect(try await api.graphql("mutation { createSubject(input: {name: \"x\", shortName: \"x\"}) { id } }", token: vendor).errorCodes
                    == ["GRAPHQL_VALIDATION_FAILED"])
            // Revoking the client stops its writes at once.
            let admin = try await api.demoToken("region.admin")
            let clientID = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT id::int FROM eduql.integration_clients WHERE client_id = 'journal-vendor'", as: Int.self)
            }
            let revoked = try await api.graphql("mutation($id: ID!) { revokeClient(clientId: $id) { revokedAt } }", variables: ["id": String(clientID)], token: admin)
            #expect(revoked.errorCodes.isEmpty, "\(revoked.text)")
            let after = try await api.graphql(record, variables: good, token: vendor)
            #expect(after.status == .unauthorized || after.errorCodes == ["UNAUTHENTICATED"], "\(after.text)")
        }
        let stored = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("""
                SELECT count(*)::int FROM eduql.marks WHERE lesson_id IN (\(journal.lesson), \(journal.foreignLesson), \(journal.untaughtLesson))
                  AND learner_id = \(journal.learners[0]) AND value = 4
                """, as: Int.self)
        }
        #expect(stored == 1)
        let events = try await self.audited(database, client: "journal-vendor")
        #expect(events.first == "ok:-:staff:\(staff)", "\(events)")
        #expect(events.contains("denied:FORBIDDEN:staff:\(staff)") || events.contains("denied:FORBIDDEN:-"), "\(events)")
    }

    @Test("a portal whose grant names trusted documents files, changes its choices and withdraws by document id, and syncs statuses")
    func portalByDocuments() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let queue = try await QueueWorkflowTests().fixture(database)
        let file = try ConsumerDocuments.id("integration/portal-file-application.graphql")
        let sync = try ConsumerDocuments.id("integration/portal-status-sync.graphql")
        let change = try ConsumerDocuments.id("integration/portal-change-choices.graphql")
        let withdraw = try ConsumerDocuments.id("integration/portal-withdraw-application.graphql")
        try await TestAPI.run(database) { api in
            let portal = try await self.client(api, "epgu-documents", grant: [
                "municipalityIds": [String(queue.municipality)], "documentIds": [file, sync, change, withdraw],
                "writes": [["mutation": "fileQueueApplication"], ["mutation": "changeQueueChoices"], ["mutation": "withdrawQueueApplication"]],
            ])
            let horizon = try #require(try await api.graphql(documentID: sync, variables: ["first": 0], token: portal).data?.at("changes.horizon") as? String)
            /// Files an application of the same applicant's child under the portal's `number`, by the trusted document.
            func filing(_ number: String, child: String) async throws -> TestAPI.Reply {
                try await api.graphql(documentID: file, variables: ["input": [
                    "applicant": ["snils": "112-233-445 95", "lastName": "Сидорова", "firstName": "Ирина"], "portalNumber": number,
                    "municipalityId": String(queue.municipality), "child": QueueWorkflowTests.child(child),
                    "choices": [String(queue.kindergartens[0])], "desiredStartOn": QueueWorkflowTests.today,
                ]], token: portal)
            }
            let filed = try await filing("EPGU-D-1", child: "Сидорова")
            let id = try #require(filed.data?.at("fileQueueApplication.id") as? String, "\(filed.text)")
            #expect(filed.data?.at("fileQueueApplication.portalNumber") as? String == "EPGU-D-1")
            // Text is refused: the grant names documents. The mutations it names run only as those documents.
            let text = try await api.graphql("mutation($id: ID!) { withdrawQueueApplication(applicationId: $id) { status } }", variables: ["id": id], token: portal)
            #expect(text.errorCodes == ["PERSISTED_QUERY_REQUIRED"], "\(text.text)")
            let changed = try await api.graphql(documentID: change, variables: ["applicationId": id, "choices": queue.kindergartens.reversed().map(String.init)],
                                                token: portal)
            #expect((changed.data?.at("changeQueueChoices.choices") as? [[String: Any]])?.count == queue.kindergartens.count, "\(changed.text)")
            // The municipality rejects it with a reason, which the portal reads from its feed.
            let mouo = try await api.demoToken("mouo.admin")
            let rejected = try await api.graphql("mutation($id: ID!) { reviewQueueApplication(applicationId: $id, accept: false, reason: \"документы не представлены\") { status } }",
                                                 variables: ["id": id], token: mouo)
            #expect(rejected.data?.at("reviewQueueApplication.status") as? String == "REJECTED", "\(rejected.text)")
            // A second application, withdrawn by its applicant through the portal.
            let second = try await filing("EPGU-D-2", child: "Сидоров")
            let secondID = try #require(second.data?.at("fileQueueApplication.id") as? String, "\(second.text)")
            let withdrawn = try await api.graphql(documentID: withdraw, variables: ["applicationId": secondID, "reason": "переезд"], token: portal)
            #expect(withdrawn.data?.at("withdrawQueueApplication.status") as? String == "WITHDRAWN", "\(withdrawn.text)")
            let feed = try await api.graphql(documentID: sync, variables: ["after": horizon], token: portal)
            let last = try #require((feed.data?.at("changes.changes") as? [[String: Any]])?.last { $0["id"] as? String == id }, "\(feed.text)")
            #expect(last.at("queueApplication.status") as? String == "REJECTED", "\(feed.text)")
            let reasons = (last.at("queueApplication.history") as? [[String: Any]])?.compactMap { $0["reason"] as? String } ?? []
            // Who filed it, in the application's own history: the portal.
            let filedBy = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar("SELECT changed_by_name FROM eduql.queue_status_history WHERE application_id = \(Int(id)!) ORDER BY id LIMIT 1", as: String.self)
            }
            #expect(filedBy == "epgu-documents")
            #expect(reasons.contains("документы не представлены"), "\(reasons)")
            let gone = try #require((feed.data?.at("changes.changes") as? [[String: Any]])?.last { $0["id"] as? String == secondID }, "\(feed.text)")
            #expect(gone.at("queueApplication.status") as? String == "WITHDRAWN")
        }
    }

    @Test("hostile input from a writing client — ids, portal numbers, applicants of every wrong shape — is BAD_USER_INPUT or FORBIDDEN, writes nothing and is audited; two retries at once file once")
    func hostile() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let queue = try await QueueWorkflowTests().fixture(database)
        let journal = try await JournalWriteTests().fixture(database)
        @Sendable func counts() async throws -> [Int] {
            try await database.owner.withConnection(logger: self.logger) { connection in
                [try await connection.scalar("SELECT count(*)::int FROM eduql.queue_applications", as: Int.self),
                 try await connection.scalar("SELECT count(*)::int FROM eduql.guardians", as: Int.self),
                 try await connection.scalar("SELECT count(*)::int FROM eduql.marks", as: Int.self)]
            }
        }
        try await TestAPI.run(database) { api in
            let client = try await self.client(api, "hostile-vendor", grant: [
                "municipalityIds": [String(queue.municipality)],
                "writes": [["mutation": "fileQueueApplication"], ["mutation": "withdrawQueueApplication"], ["mutation": "recordMarks"]],
            ])
            let before = try await counts()
            let base: [String: Any] = [
                "applicant": ["snils": "112-233-445 95", "lastName": "Петрова", "firstName": "Анна"], "portalNumber": "H-1",
                "municipalityId": String(queue.municipality), "child": QueueWorkflowTests.child("Петрова"),
                "choices": [String(queue.kindergartens[0])], "desiredStartOn": QueueWorkflowTests.today,
            ]
            var inputs: [(String, [String: Any])] = []
            for number: Any in ["", " ", "H 1", String(repeating: "9", count: 65), "../x", "Н-кириллица", "x\u{0}y", NSNull()] {
                var input = base
                input["portalNumber"] = number
                inputs.append(("portalNumber \(number)", input))
            }
            for applicant: [String: Any] in [["snils": "112-233-445 96", "lastName": "Петрова", "firstName": "Анна"],
                                             ["snils": "11223344595", "lastName": "Петрова", "firstName": "Анна"],
                                             ["snils": "112-233-445 95", "lastName": "", "firstName": "Анна"],
                                             ["snils": "112-233-445 95", "lastName": "Петрова"],
                                             ["snils": "112-233-445 95", "lastName": "Петрова", "firstName": "Анна", "birthDate": "2999-01-01"],
                                             ["snils": "112-233-445 95", "lastName": String(repeating: "я", count: 101), "firstName": "Анна"]] {
                var input = base
                input["applicant"] = applicant
                inputs.append(("applicant \(applicant)", input))
            }
            for (label, input) in inputs {
                let reply = try await api.graphql(Self.file, variables: ["input": input], token: client)
                #expect(["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"].contains(reply.errorCodes.first ?? "-") && reply.data?["fileQueueApplication"] == nil,
                        "\(label): \(reply.text)")
            }
            let record = "mutation($l: ID!, $t: ID) { recordMarks(lessonId: $l, teacherId: $t, marks: [{learnerId: \"\(journal.learners[0])\", value: 5, kind: CURRENT}]) { id } }"
            for teacher: Any in ["abc", "-1", "0", "99999999999999999999", String(Int.max), "1e3"] {
                let reply = try await api.graphql(record, variables: ["l": String(journal.lesson), "t": teacher], token: client)
                #expect(["BAD_USER_INPUT", "FORBIDDEN"].contains(reply.errorCodes.first ?? "-") && reply.data?["recordMarks"] == nil, "\(teacher): \(reply.text)")
            }
            for application in ["abc", "0", "99999999999", String(queue.strangersApplication), String(queue.foreignApplication)] {
                let reply = try await api.graphql("mutation($id: ID!) { withdrawQueueApplication(applicationId: $id) { id } }", variables: ["id": application], token: client)
                #expect(["BAD_USER_INPUT", "FORBIDDEN"].contains(reply.errorCodes.first ?? "-"), "\(application): \(reply.text)")
            }
            #expect(try await counts() == before)

            // Two retries of one filing at once: one application.
            let (municipality, kindergarten) = (String(queue.municipality), String(queue.kindergartens[0]))
            @Sendable func once() -> [String: Any] {
                ["input": ["applicant": ["snils": "112-233-445 95", "lastName": "Петрова", "firstName": "Анна"], "portalNumber": "H-TWICE",
                           "municipalityId": municipality, "child": QueueWorkflowTests.child("Петрова"), "choices": [kindergarten],
                           "desiredStartOn": QueueWorkflowTests.today]]
            }
            async let first = api.graphql(Self.file, variables: once(), token: client)
            async let second = api.graphql(Self.file, variables: once(), token: client)
            let ids = try await [first, second].map { $0.data?.at("fileQueueApplication.id") as? String }
            #expect(ids[0] != nil && ids[0] == ids[1], "\(ids)")
            let filed = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT count(*)::int FROM eduql.queue_applications WHERE portal_number = 'H-TWICE'", as: Int.self)
            }
            #expect(filed == 1)

        }
        // Every refused write is audited under the client.
        let refused = try await self.audited(database, client: "hostile-vendor").filter { !$0.hasPrefix("ok:") }
        #expect(refused.count >= 20, "\(refused)")
    }

    @Test("a grant's writes: only delegable mutations, each once, each rate whole; a mutation over its own rate is 429")
    func grants() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let admin = try await api.demoToken("region.admin")
            let created = try await api.graphql("""
                mutation { createIntegrationClient(input: {clientId: "grant-probe", name: "probe"}) { client { id } } }
                """, token: admin)
            let id = try #require(created.data?.at("createIntegrationClient.client.id") as? String, "\(created.text)")
            for writes: [[String: Any]] in [[["mutation": "createUser"]], [["mutation": "recordMarks"], ["mutation": "recordMarks"]],
                                            [["mutation": "recordMarks", "ratePerSecond": 1]], [["mutation": "runDistribution"]]] {
                let reply = try await api.graphql(Self.grant, variables: ["input": ["clientId": id, "writes": writes, "expiresAt": "2029-01-01T00:00:00Z"]], token: admin)
                #expect(reply.errorCodes == ["BAD_USER_INPUT"], "\(writes): \(reply.text)")
            }
            let journal = try await JournalWriteTests().fixture(database)
            let school = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT organization_id::int FROM eduql.lessons WHERE id = \(journal.lesson)", as: Int.self)
            }
            let vendor = try await self.client(api, "slow-vendor", grant: [
                "organizationIds": [String(school)], "writes": [["mutation": "recordAttendance", "ratePerSecond": 0.01, "burst": 1]],
            ])
            let listed = try await api.graphql("{ integrationClients { clientId grants { writes { mutation ratePerSecond burst } } } }", token: admin)
            let slow = (listed.data?["integrationClients"] as? [[String: Any]])?.first { $0["clientId"] as? String == "slow-vendor" }
            let granted = (slow?["grants"] as? [[String: Any]])?.first?["writes"] as? [[String: Any]]
            #expect(granted?.count == 1 && granted?.first?["mutation"] as? String == "recordAttendance"
                    && granted?.first?["ratePerSecond"] as? Double == 0.01 && granted?.first?["burst"] as? Int == 1, "\(listed.text)")
            let staff = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT staff_id::int FROM eduql.users WHERE login = 'teacher'", as: Int.self)
            }
            let attendance = """
                mutation($lesson: ID!, $teacher: ID) { recordAttendance(lessonId: $lesson, teacherId: $teacher, records: [{learnerId: "\(journal.learners[0])", code: ILL}]) { code } }
                """
            let first = try await api.graphql(attendance, variables: ["lesson": String(journal.lesson), "teacher": String(staff)], token: vendor)
            #expect(first.data?.at("recordAttendance") is [Any], "\(first.text)")
            let second = try await api.graphql(attendance, variables: ["lesson": String(journal.lesson), "teacher": String(staff)], token: vendor)
            #expect(second.status == .tooManyRequests && second.headers[.retryAfter] != nil, "\(second.text)")
        }
    }
}
