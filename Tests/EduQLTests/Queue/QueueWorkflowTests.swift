import EduQLSchema
import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// The queue through the API: a parent files, the municipality reviews and confirms the
/// benefit, distributes, the parent refuses and later accepts; a transfer keeps the original
/// time; forbidden paths are refused with nothing written.
@Suite("Queue workflow", .timeLimit(.minutes(3)))
struct QueueWorkflowTests {
    let logger = Logger(label: "eduql-tests")

    /// The demo municipality, two of its kindergartens, the region's current academic year, a
    /// federal out-of-turn benefit, another municipality with a kindergarten, and a queued
    /// application of someone else in the demo municipality.
    struct Fixture: Sendable {
        var municipality: Int
        var kindergartens: [Int]
        var year: Int
        var benefit: Int
        var otherMunicipality: Int
        var otherKindergarten: Int
        var strangersApplication: Int
        var foreignApplication: Int
        var school: Int
        var parentsChild: Int
        var strangersChild: Int
    }

    func fixture(_ database: ClusterConnections) async throws -> Fixture {
        do {
            return try await self.makeFixture(database)
        } catch {
            Issue.record("the fixture failed: \(String(reflecting: error))")
            throw error
        }
    }

    func makeFixture(_ database: ClusterConnections) async throws -> Fixture {
        try await database.owner.withConnection(logger: self.logger) { connection in
            let municipality = try await connection.scalar("""
                SELECT ra.municipality_id::int FROM eduql.role_assignments ra JOIN eduql.users u ON u.id = ra.user_id
                WHERE u.login = 'mouo.admin' AND ra.role = 'mouo_admin'
                """, as: Int.self)
            let kindergartens = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT id::int FROM eduql.organizations WHERE municipality_id = \(municipality) AND kind = 'kindergarten' AND status = 'active' ORDER BY id LIMIT 2
                """), logger: self.logger).collect().map { try $0.decode(Int.self) }
            let year = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT y.id::int FROM eduql.academic_years y JOIN eduql.municipalities m ON m.region_id = y.region_id
                WHERE m.id = \(municipality) AND current_date BETWEEN y.starts_on AND y.ends_on
                """), as: Int.self)
            // Room for the child of the test in the first kindergarten, whoever is ahead of it.
            try await connection.execute(PostgresQuery(unsafeSQL: """
                UPDATE eduql.kindergarten_capacities SET capacity = occupied + 1000
                WHERE organization_id = \(kindergartens[0]) AND academic_year_id = \(year) AND age_group = 4
                """), logger: self.logger)
            let benefit = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(b.id)::int FROM eduql.benefit_categories b JOIN eduql.municipalities m ON m.region_id = b.region_id
                WHERE m.id = \(municipality) AND b.priority = 'out_of_turn' AND b.municipality_id IS NULL
                """), as: Int.self)
            let (other, otherKindergarten) = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT o.municipality_id::int, o.id::int FROM eduql.organizations o JOIN eduql.municipalities m ON m.id = o.municipality_id
                WHERE m.region_id = (SELECT region_id FROM eduql.municipalities WHERE id = \(municipality)) AND o.municipality_id <> \(municipality)
                  AND o.kind = 'kindergarten' AND o.status = 'active' ORDER BY o.id LIMIT 1
                """), logger: self.logger).collect().first!.decode((Int, Int).self)
            let strangers = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(id)::int FROM eduql.queue_applications WHERE municipality_id = \(municipality) AND status = 'queued'
                """), as: Int.self)
            let foreign = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(id)::int FROM eduql.queue_applications WHERE municipality_id = \(other) AND status IN ('new', 'queued')
                """), as: Int.self)
            let school = try await connection.scalar(PostgresQuery(unsafeSQL:
                "SELECT min(id)::int FROM eduql.organizations WHERE municipality_id = \(municipality) AND kind = 'school'"), as: Int.self)
            let parentsChild = try await connection.scalar("""
                SELECT min(gl.learner_id)::int FROM eduql.guardian_learners gl JOIN eduql.users u ON u.guardian_id = gl.guardian_id WHERE u.login = 'parent'
                """, as: Int.self)
            let strangersChild = try await connection.scalar("""
                SELECT min(e.learner_id)::int FROM eduql.enrollments e WHERE e.learner_id NOT IN (
                  SELECT gl.learner_id FROM eduql.guardian_learners gl JOIN eduql.users u ON u.guardian_id = gl.guardian_id WHERE u.login = 'parent')
                """, as: Int.self)
            // Open offers of the generated data stay open through the tests' runs (one test lets one lapse on purpose).
            try await connection.execute("UPDATE eduql.queue_applications SET offer_expires_on = current_date + 7 WHERE status = 'allocated'", logger: self.logger)
            // The teacher's account also acts for the other municipality, to see a transfer arrive.
            try await connection.execute(PostgresQuery(unsafeSQL: """
                INSERT INTO eduql.role_assignments (region_id, municipality_id, user_id, role)
                SELECT m.region_id, m.id, u.id, 'mouo_admin' FROM eduql.municipalities m, eduql.users u WHERE m.id = \(other) AND u.login = 'teacher'
                """), logger: self.logger)
            return Fixture(municipality: municipality, kindergartens: kindergartens, year: year, benefit: benefit, otherMunicipality: other,
                           otherKindergarten: otherKindergarten, strangersApplication: strangers, foreignApplication: foreign, school: school,
                           parentsChild: parentsChild, strangersChild: strangersChild)
        }
    }

    static let file = """
        mutation File($input: QueueApplicationInput!) {
          fileQueueApplication(input: $input) { id number status priority ageGroup registeredAt benefitStatus choices { rank organization { id } } }
        }
        """

    static func child(_ lastName: String, born: String = "2022-03-01") -> [String: Any] {
        ["lastName": lastName, "firstName": "Мария", "gender": "FEMALE", "birthDate": born]
    }

    static var today: String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    @Test("a parent follows an application from filing to a place; the protocol and the places hold")
    func filingToPlace() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        try await TestAPI.run(database) { api in
            let parent = try await api.demoToken("parent")
            let mouo = try await api.demoToken("mouo.admin")
            let filed = try await api.graphql(Self.file, variables: ["input": [
                "child": Self.child("Смирнова"), "municipalityId": String(fixture.municipality),
                "choices": fixture.kindergartens.map(String.init), "desiredStartOn": Self.today,
                "benefitCategoryId": String(fixture.benefit), "benefitDocument": "№ 123/45",
            ]], token: parent)
            let application = try #require(filed.data?["fileQueueApplication"] as? [String: Any], "\(filed.text)")
            let id = try #require(application["id"] as? String)
            #expect(application["status"] as? String == "NEW")
            #expect(application["priority"] as? String == "GENERAL", "a claimed benefit counts once confirmed")
            #expect(application["benefitStatus"] as? String == "CLAIMED")
            #expect(application["ageGroup"] as? Int == 4)
            #expect((application["choices"] as? [[String: Any]])?.count == fixture.kindergartens.count)

            let reviewed = try await api.graphql("mutation R($id: ID!) { reviewQueueApplication(applicationId: $id, accept: true) { status history { toStatus changedBy } } }",
                                                 variables: ["id": id], token: mouo)
            let review = try #require(reviewed.data?["reviewQueueApplication"] as? [String: Any], "\(reviewed.text)")
            #expect(review["status"] as? String == "QUEUED")
            #expect((review["history"] as? [[String: Any]])?.last?["changedBy"] is String)
            let decided = try await api.graphql("mutation B($id: ID!) { decideBenefit(applicationId: $id, confirm: true) { priority benefitStatus } }",
                                                variables: ["id": id], token: mouo)
            #expect((decided.data?["decideBenefit"] as? [String: Any])?["priority"] as? String == "OUT_OF_TURN", "\(decided.text)")

            let position = try await api.graphql("query P($id: ID!) { queuePosition(applicationId: $id) { overall byChoice { position } } }",
                                                 variables: ["id": id], token: parent)
            let overall = try #require((position.data?["queuePosition"] as? [String: Any])?["overall"] as? Int, "\(position.text)")
            #expect(overall >= 1)
            // The kept ranking moved with the confirmed benefit: positions per kindergarten as counted over the applications.
            let byChoice = ((position.data?["queuePosition"] as? [String: Any])?["byChoice"] as? [[String: Any]])?.compactMap { $0["position"] as? Int }
            #expect(byChoice == (try await Self.positionsByChoice(database, application: id)))

            // Distribution: the protocol covers every queued application in order, with no group over its places.
            let (queued, freeBefore) = try await self.queueState(database, fixture)
            let run = """
                mutation D($input: DistributionInput!) {
                  runDistribution(input: $input) { id lines { outcome choiceRank voucherNumber organization { id } application { id } } }
                }
                """
            let input: [String: Any] = ["input": ["on": Self.today, "academicYearId": String(fixture.year), "runKey": "2026-11-test"]]
            let ran = try await api.graphql(run, variables: input, token: mouo)
            let protocolRun = try #require(ran.data?["runDistribution"] as? [String: Any], "\(ran.text)")
            let lines = try #require(protocolRun["lines"] as? [[String: Any]])
            #expect(lines.count == queued)
            let mine = try #require(lines.first { ($0["application"] as? [String: Any])?["id"] as? String == id })
            #expect(mine["outcome"] as? String == "ALLOCATED" && mine["choiceRank"] as? Int == 1, "\(mine)")
            #expect((mine["voucherNumber"] as? String)?.isEmpty == false)
            let given = try await self.givenPerGroup(database, run: Int(protocolRun["id"] as! String)!)
            for (group, count) in given { #expect(count <= freeBefore[group, default: 0], "group \(group) over its free places") }

            // The same key is the same run; another run on the same day gives nothing more.
            let again = try await api.graphql(run, variables: input, token: mouo)
            #expect((again.data?["runDistribution"] as? [String: Any])?["id"] as? String == protocolRun["id"] as? String)
            let second = try await api.graphql(run, variables: ["input": ["on": Self.today, "academicYearId": String(fixture.year), "runKey": "2026-11-again"]], token: mouo)
            let secondLines = try #require((second.data?["runDistribution"] as? [String: Any])?["lines"] as? [[String: Any]], "\(second.text)")
            #expect(secondLines.allSatisfy { $0["outcome"] as? String != "ALLOCATED" })

            // The parent sees its own line only.
            let seen = try await api.graphql("query S($id: ID!) { distributionRun(id: $id) { lines { application { id } } } }",
                                             variables: ["id": protocolRun["id"] as! String], token: parent)
            let own = try #require((seen.data?["distributionRun"] as? [String: Any])?["lines"] as? [[String: Any]], "\(seen.text)")
            let ownIDs = own.compactMap { ($0["application"] as? [String: Any])?["id"] as? String }
            let parents = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.column(PostgresQuery(unsafeSQL: """
                    SELECT l.application_id::text FROM eduql.allocations l JOIN eduql.queue_applications q ON q.id = l.application_id
                    WHERE l.run_id = \(protocolRun["id"] as! String) AND q.applicant_guardian_id = (SELECT guardian_id FROM eduql.users WHERE login = 'parent')
                    ORDER BY l.id
                    """), as: String.self)
            }
            #expect(ownIDs.contains(id) && ownIDs == parents && ownIDs.count < lines.count)

            // Refused: back in the queue with its original time; offered again by the next run; accepted: enrolled.
            let respond = "mutation O($id: ID!, $accept: Boolean!) { respondToOffer(applicationId: $id, accept: $accept) { status registeredAt } }"
            let refused = try await api.graphql(respond, variables: ["id": id, "accept": false], token: parent)
            let back = try #require(refused.data?["respondToOffer"] as? [String: Any], "\(refused.text)")
            #expect(back["status"] as? String == "QUEUED" && back["registeredAt"] as? String == application["registeredAt"] as? String)
            let third = try await api.graphql(run, variables: ["input": ["on": Self.today, "academicYearId": String(fixture.year), "runKey": "2026-11-third"]], token: mouo)
            let thirdLines = try #require((third.data?["runDistribution"] as? [String: Any])?["lines"] as? [[String: Any]], "\(third.text)")
            #expect(thirdLines.first { ($0["application"] as? [String: Any])?["id"] as? String == id }?["outcome"] as? String == "ALLOCATED")
            let occupiedBefore = try await self.occupied(database, fixture)
            let accepted = try await api.graphql(respond, variables: ["id": id, "accept": true], token: parent)
            #expect((accepted.data?["respondToOffer"] as? [String: Any])?["status"] as? String == "ENROLLED", "\(accepted.text)")
            #expect(try await self.occupied(database, fixture) == occupiedBefore + 1)
            let enrolled = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar(PostgresQuery(unsafeSQL: """
                    SELECT count(*)::int FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.queue_applications q ON q.learner_id = e.learner_id
                    WHERE q.id = \(id) AND e.status = 'active' AND k.organization_id = \(fixture.kindergartens[0]) AND k.age_group = 4
                    """), as: Int.self)
            }
            #expect(enrolled == 1)
            let twice = try await api.graphql(respond, variables: ["id": id, "accept": true], token: parent)
            #expect(twice.errorCodes == ["FORBIDDEN"], "\(twice.text)")
        }
    }

    /// An application's position for each of its kindergartens, counted over the applications
    /// themselves (not the ranking the server keeps): queued ones of its age group naming the
    /// kindergarten, up to it in queue order.
    static func positionsByChoice(_ database: ClusterConnections, application: String) async throws -> [Int] {
        try await database.owner.withConnection(logger: Logger(label: "eduql-tests")) { connection in
            try await connection.column(PostgresQuery(unsafeSQL: """
                SELECT CASE WHEN mine.status = 'queued' THEN (SELECT count(*) FROM eduql.queue_application_choices oc
                         JOIN eduql.queue_applications o ON o.id = oc.application_id
                         WHERE oc.organization_id = c.organization_id AND o.status = 'queued' AND o.age_group = mine.age_group
                           AND (o.priority_rank, o.registered_at, o.id) <= (mine.priority_rank, mine.registered_at, mine.id)) ELSE 0 END::int
                FROM eduql.queue_applications mine JOIN eduql.queue_application_choices c ON c.application_id = mine.id
                WHERE mine.id = \(application) ORDER BY c.rank
                """), as: Int.self)
        }
    }

    /// Queued applications of the municipality, and the free places per kindergarten and age group.
    func queueState(_ database: ClusterConnections, _ fixture: Fixture) async throws -> (Int, [String: Int]) {
        try await database.owner.withConnection(logger: self.logger) { connection in
            let queued = try await connection.scalar(PostgresQuery(unsafeSQL:
                "SELECT count(*)::int FROM eduql.queue_applications WHERE municipality_id = \(fixture.municipality) AND status = 'queued'"), as: Int.self)
            var free: [String: Int] = [:]
            for row in try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT kc.organization_id || '/' || kc.age_group, (kc.capacity - kc.occupied - (SELECT count(*) FROM eduql.queue_applications q
                  JOIN eduql.allocations l ON l.application_id = q.id AND l.response IS NULL AND l.outcome = 'allocated'
                  WHERE q.status = 'allocated' AND l.organization_id = kc.organization_id AND l.age_group = kc.age_group))::int
                FROM eduql.kindergarten_capacities kc WHERE kc.municipality_id = \(fixture.municipality) AND kc.academic_year_id = \(fixture.year)
                """), logger: self.logger).collect() {
                let (group, places) = try row.decode((String, Int).self)
                free[group] = places
            }
            return (queued, free)
        }
    }

    func givenPerGroup(_ database: ClusterConnections, run: Int) async throws -> [String: Int] {
        try await database.owner.withConnection(logger: self.logger) { connection in
            var given: [String: Int] = [:]
            for row in try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT organization_id || '/' || age_group, count(*)::int FROM eduql.allocations WHERE run_id = \(run) AND outcome = 'allocated' GROUP BY 1
                """), logger: self.logger).collect() {
                let (group, count) = try row.decode((String, Int).self)
                given[group] = count
            }
            return given
        }
    }

    func occupied(_ database: ClusterConnections, _ fixture: Fixture) async throws -> Int {
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT occupied FROM eduql.kindergarten_capacities WHERE organization_id = \(fixture.kindergartens[0]) AND academic_year_id = \(fixture.year) AND age_group = 4
                """), as: Int.self)
        }
    }

    @Test("a transfer keeps the original time and arrives at the other municipality; forbidden paths write nothing")
    func transferAndRefusals() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let teacherPassword = try await TestCluster.shared.password(of: "teacher")
        @Sendable func counts() async throws -> [Int] {
            try await database.owner.withConnection(logger: self.logger) { connection in
                var counts: [Int] = []
                for table in ["queue_applications", "queue_application_choices", "queue_status_history", "allocations", "distribution_runs", "queue_transfers"] {
                    counts.append(try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM eduql.\(table)"), as: Int.self))
                }
                return counts
            }
        }
        try await TestAPI.run(database) { api in
            let parent = try await api.demoToken("parent")
            let mouo = try await api.demoToken("mouo.admin")
            let school = try await api.demoToken("school.admin")
            let before = try await counts()
            let base: [String: Any] = ["child": Self.child("Петрова"), "municipalityId": String(fixture.municipality),
                                       "choices": fixture.kindergartens.map(String.init), "desiredStartOn": "2027-09-01"]
            let cases: [(String, String, String, [String: Any], String)] = [
                ("six choices", "parent", Self.file, ["input": base.merging(["choices": Array(repeating: String(fixture.kindergartens[0]), count: 6)]) { $1 }], "BAD_USER_INPUT"),
                ("a school as a choice", "parent", Self.file, ["input": base.merging(["choices": [String(fixture.school)]]) { $1 }], "BAD_USER_INPUT"),
                ("another municipality's kindergarten", "parent", Self.file, ["input": base.merging(["choices": [String(fixture.otherKindergarten)]]) { $1 }], "BAD_USER_INPUT"),
                ("a child past kindergarten age", "parent", Self.file, ["input": base.merging(["child": Self.child("Старшая", born: "2015-01-01")]) { $1 }], "BAD_USER_INPUT"),
                ("a school child filed by learnerId", "parent", Self.file, ["input": base.merging(["learnerId": String(fixture.parentsChild)]) { $1 }.filter { $0.key != "child" }], "BAD_USER_INPUT"),
                ("another family's child by learnerId", "parent", Self.file, ["input": base.merging(["learnerId": String(fixture.strangersChild)]) { $1 }.filter { $0.key != "child" }], "FORBIDDEN"),
                ("a benefit without its document", "parent", Self.file, ["input": base.merging(["benefitCategoryId": String(fixture.benefit)]) { $1 }], "BAD_USER_INPUT"),
                ("withdrawing another parent's application", "parent", "mutation W($id: ID!) { withdrawQueueApplication(applicationId: $id) { id } }",
                 ["id": String(fixture.strangersApplication)], "FORBIDDEN"),
                ("changing another parent's choices", "parent", "mutation C($id: ID!, $c: [ID!]!) { changeQueueChoices(applicationId: $id, choices: $c) { id } }",
                 ["id": String(fixture.strangersApplication), "c": [String(fixture.kindergartens[0])]], "FORBIDDEN"),
                ("reviewing another municipality's application", "mouo", "mutation R($id: ID!) { reviewQueueApplication(applicationId: $id, accept: true) { id } }",
                 ["id": String(fixture.foreignApplication)], "FORBIDDEN"),
                ("transferring another municipality's application", "mouo",
                 "mutation T($id: ID!, $to: ID!, $c: [ID!]!) { transferQueueApplication(applicationId: $id, toMunicipalityId: $to, choices: $c, reason: \"переезд\") { id } }",
                 ["id": String(fixture.foreignApplication), "to": String(fixture.municipality), "c": [String(fixture.kindergartens[0])]], "FORBIDDEN"),
                ("a school touching the queue", "school", "mutation D($input: DistributionInput!) { runDistribution(input: $input) { id } }",
                 ["input": ["on": Self.today, "academicYearId": String(fixture.year), "runKey": "x"]], "GRAPHQL_VALIDATION_FAILED"),
                ("a parent distributing", "parent", "mutation D($input: DistributionInput!) { runDistribution(input: $input) { id } }",
                 ["input": ["on": Self.today, "academicYearId": String(fixture.year), "runKey": "x"]], "GRAPHQL_VALIDATION_FAILED"),
            ]
            for (label, caller, document, variables, code) in cases {
                let token = caller == "parent" ? parent : caller == "mouo" ? mouo : school
                let reply = try await api.graphql(document, variables: variables, token: token)
                #expect(reply.errorCodes == [code], "\(label): \(reply.text)")
            }
            #expect(try await counts() == before)

            // One active application per child: the second is refused.
            let first = try await api.graphql(Self.file, variables: ["input": base], token: parent)
            #expect(first.data?["fileQueueApplication"] is [String: Any], "\(first.text)")
            let duplicate = try await api.graphql(Self.file, variables: ["input": base], token: parent)
            #expect(duplicate.errorCodes == ["BAD_USER_INPUT"], "\(duplicate.text)")

            // A transfer: the original time is kept, and the receiving municipality sees it arrive.
            let registered = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar(PostgresQuery(unsafeSQL:
                    "SELECT registered_at::text FROM eduql.queue_applications WHERE id = \(fixture.strangersApplication)"), as: String.self)
            }
            let moved = try await api.graphql("""
                mutation T($id: ID!, $to: ID!, $c: [ID!]!) { transferQueueApplication(applicationId: $id, toMunicipalityId: $to, choices: $c, reason: "переезд семьи") { id } }
                """, variables: ["id": String(fixture.strangersApplication), "to": String(fixture.otherMunicipality), "c": [String(fixture.otherKindergarten)]],
                token: mouo)
            #expect(moved.errorCodes.isEmpty && moved.data?["transferQueueApplication"] is NSNull, "\(moved.text)")
            let receiving = try await api.token("teacher", teacherPassword, role: "mouo_admin")
            let arrived = try await api.graphql("query A($id: ID!) { queueApplication(id: $id) { municipality { id } registeredAt choices { organization { id } } history { reason } } }",
                                                variables: ["id": String(fixture.strangersApplication)], token: receiving)
            let application = try #require(arrived.data?["queueApplication"] as? [String: Any], "\(arrived.text)")
            #expect((application["municipality"] as? [String: Any])?["id"] as? String == String(fixture.otherMunicipality))
            #expect((application["choices"] as? [[String: Any]])?.compactMap { ($0["organization"] as? [String: Any])?["id"] as? String } == [String(fixture.otherKindergarten)])
            #expect((application["history"] as? [[String: Any]])?.last?["reason"] as? String == "переезд семьи")
            let kept = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar(PostgresQuery(unsafeSQL:
                    "SELECT registered_at::text FROM eduql.queue_applications WHERE id = \(fixture.strangersApplication)"), as: String.self)
            }
            #expect(kept == registered)
            let gone = try await api.graphql("query A($id: ID!) { queueApplication(id: $id) { id } }", variables: ["id": String(fixture.strangersApplication)], token: mouo)
            #expect(gone.data?["queueApplication"] is NSNull, "\(gone.text)")

            // An offer left unanswered past its date returns to the queue at the next run, with its original time.
            let lapsed = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: """
                    UPDATE eduql.queue_applications SET offer_expires_on = current_date - 1
                    WHERE id = (SELECT min(id) FROM eduql.queue_applications WHERE municipality_id = \(fixture.municipality) AND status = 'allocated')
                    RETURNING id::int, registered_at::text
                    """), logger: self.logger).collect().first!.decode((Int, String).self)
            }
            let ran = try await api.graphql("mutation D($input: DistributionInput!) { runDistribution(input: $input) { id } }",
                                            variables: ["input": ["on": Self.today, "academicYearId": String(fixture.year), "runKey": "lapse"]], token: mouo)
            #expect(ran.errorCodes.isEmpty, "\(ran.text)")
            let after = try await api.graphql("""
                query A($id: ID!) { queueApplication(id: $id) { registeredAt allocations { response } history { fromStatus toStatus } } }
                """, variables: ["id": String(lapsed.0)], token: mouo)
            let lapsedApplication = try #require(after.data?["queueApplication"] as? [String: Any], "\(after.text)")
            #expect((lapsedApplication["allocations"] as? [[String: Any]])?.contains { $0["response"] as? String == "EXPIRED" } == true, "\(after.text)")
            #expect((lapsedApplication["history"] as? [[String: Any]])?.contains { $0["fromStatus"] as? String == "ALLOCATED" && $0["toStatus"] as? String == "QUEUED" } == true)
            let registeredAfter = try #require(lapsedApplication["registeredAt"] as? String)
            #expect(!registeredAfter.isEmpty)
            let keptTime = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT registered_at::text FROM eduql.queue_applications WHERE id = \(lapsed.0)"), as: String.self)
            }
            #expect(keptTime == lapsed.1)
        }
    }
}
