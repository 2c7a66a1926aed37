import EduQLSchema
import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// The contingent through the API: a school admits, moves between its classes, expels and
/// transfers learners by orders, keeping the history; the municipality confirms a transfer
/// between two of its schools and the arriving school accepts it. Every write outside a role's
/// reach is refused with nothing written.
@Suite("Contingent writes", .timeLimit(.minutes(3)))
struct ContingentWriteTests {
    let logger = Logger(label: "eduql-tests")

    /// Two classes of the demo school this year, a class of another school of its municipality
    /// (whose administrator the demo teacher also is), and an enrolled learner of each school.
    struct Fixture: Sendable {
        var school: Int
        var classA: Int
        var classB: Int
        var otherSchool: Int
        var otherClass: Int
        var learner: Int
        var otherLearner: Int
        var otherGuardian: Int
    }

    func fixture(_ database: ClusterConnections) async throws -> Fixture {
        try await database.owner.withConnection(logger: self.logger) { connection in
            let school = try await connection.scalar("""
                SELECT ra.organization_id::int FROM eduql.role_assignments ra JOIN eduql.users u ON u.id = ra.user_id
                WHERE u.login = 'school.admin' AND ra.role = 'school_admin'
                """, as: Int.self)
            let classes = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT k.id::int FROM eduql.classes k JOIN eduql.academic_years y ON y.id = k.academic_year_id
                WHERE k.organization_id = \(school) AND current_date BETWEEN y.starts_on AND y.ends_on ORDER BY k.id LIMIT 2
                """), logger: self.logger).collect().map { try $0.decode(Int.self) }
            let (otherSchool, otherClass) = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT k.organization_id::int, k.id::int FROM eduql.classes k JOIN eduql.academic_years y ON y.id = k.academic_year_id
                JOIN eduql.organizations o ON o.id = k.organization_id
                WHERE o.municipality_id = (SELECT municipality_id FROM eduql.organizations WHERE id = \(school)) AND o.id <> \(school)
                  AND o.kind = 'school' AND current_date BETWEEN y.starts_on AND y.ends_on ORDER BY k.id LIMIT 1
                """), logger: self.logger).collect().first!.decode((Int, Int).self)
            let learner = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(learner_id)::int FROM eduql.enrollments WHERE status = 'active' AND class_id = \(classes[0])
                """), as: Int.self)
            let otherLearner = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(learner_id)::int FROM eduql.enrollments WHERE status = 'active' AND organization_id = \(otherSchool)
                """), as: Int.self)
            let otherGuardian = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT min(guardian_id)::int FROM eduql.guardian_learners WHERE learner_id = \(otherLearner)
                """), as: Int.self)
            try await connection.execute(PostgresQuery(unsafeSQL: """
                INSERT INTO eduql.role_assignments (region_id, municipality_id, organization_id, user_id, role)
                SELECT o.region_id, o.municipality_id, o.id, u.id, 'school_admin' FROM eduql.organizations o, eduql.users u
                WHERE o.id = \(otherSchool) AND u.login = 'teacher'
                """), logger: self.logger)
            return Fixture(school: school, classA: classes[0], classB: classes[1], otherSchool: otherSchool, otherClass: otherClass,
                           learner: learner, otherLearner: otherLearner, otherGuardian: otherGuardian)
        }
    }

    /// Counts of the contingent's tables, to prove a refusal wrote nothing.
    func counts(_ database: ClusterConnections) async throws -> [Int] {
        let counts = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                SELECT (SELECT count(*) FROM eduql.learners)::int, (SELECT count(*) FROM eduql.guardians)::int,
                       (SELECT count(*) FROM eduql.enrollments)::int, (SELECT count(*) FROM eduql.movements)::int,
                       (SELECT count(*) FROM eduql.transfers)::int, (SELECT count(*) FROM eduql.enrollments WHERE status = 'active')::int
                """, logger: self.logger).collect().first!.decode((Int, Int, Int, Int, Int, Int).self)
        }
        return [counts.0, counts.1, counts.2, counts.3, counts.4, counts.5]
    }

    static let learnerFields = "id lastName class { id } enrollments { status enrolledOn leftOn class { id } } movements { kind orderNumber class { id } otherClass { id } } guardians { relation guardian { lastName } }"

    static func date(_ daysFromToday: Int) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date().addingTimeInterval(Double(daysFromToday) * 86_400))
    }

    @Test("a school admits a new learner with a guardian, moves it to another class and expels it; history and composition by date hold")
    func admitMoveExpel() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("school.admin")
            let admitted = try await api.graphql("""
                mutation Admit($input: AdmitLearnerInput!) { admitLearner(input: $input) { \(Self.learnerFields) } }
                """, variables: ["input": [
                    "learner": ["lastName": "Новикова", "firstName": "Ева", "gender": "FEMALE", "birthDate": "2015-03-01", "snils": "123-456-789 01"],
                    "guardians": [["relation": "MOTHER", "guardian": ["lastName": "Новикова", "firstName": "Анна", "birthDate": "1990-04-02", "phone": "+7 900 000-00-00"]]],
                    "classId": String(fixture.classA), "on": Self.date(-10), "orderNumber": "12-к",
                ]], token: token)
            let learner = try #require(admitted.data?["admitLearner"] as? [String: Any], "\(admitted.text)")
            let id = try #require((learner["id"] as? String).flatMap { Int($0) })
            // The guardian's birth date is kept: with SNILS and last name, ЕСИА sign-in matches by it.
            let guardianBirthDate = try await database.owner.withConnection(logger: Logger(label: "eduql-tests")) { connection in
                try await connection.scalar("""
                    SELECT g.birth_date::text FROM eduql.guardians g JOIN eduql.guardian_learners gl ON gl.guardian_id = g.id
                    WHERE gl.learner_id = \(id)
                    """, as: String.self)
            }
            #expect(guardianBirthDate == "1990-04-02")
            // A guardian born in the future, or before 1900, is refused, and nothing is written.
            for birthDate in [Self.date(30), "1899-12-31"] {
                let refused = try await api.graphql("""
                    mutation Admit($input: AdmitLearnerInput!) { admitLearner(input: $input) { id } }
                    """, variables: ["input": [
                        "learner": ["lastName": "Новиков", "firstName": "Лев", "gender": "MALE", "birthDate": "2015-03-02"],
                        "guardians": [["relation": "MOTHER", "guardian": ["lastName": "Новикова", "firstName": "Анна", "birthDate": birthDate]]],
                        "classId": String(fixture.classA), "on": Self.date(-10), "orderNumber": "13-к",
                    ]], token: token)
                #expect(refused.errorCodes == ["BAD_USER_INPUT"], "\(birthDate): \(refused.text)")
            }
            #expect((learner["class"] as? [String: Any])?["id"] as? String == String(fixture.classA))
            #expect((learner["movements"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["ADMITTED"])
            #expect((learner["guardians"] as? [[String: Any]])?.first?["relation"] as? String == "MOTHER")

            let moved = try await api.graphql("""
                mutation Move($input: ClassTransferInput!) { transferToClass(input: $input) { \(Self.learnerFields) } }
                """, variables: ["input": ["learnerId": String(id), "classId": String(fixture.classB), "on": Self.date(-3), "orderNumber": "15-к"]],
                token: token)
            let after = try #require(moved.data?["transferToClass"] as? [String: Any], "\(moved.text)")
            #expect((after["class"] as? [String: Any])?["id"] as? String == String(fixture.classB))
            #expect((after["enrollments"] as? [[String: Any]])?.map { $0["status"] as? String } == ["TRANSFERRED", "ACTIVE"])
            let movements = try #require(after["movements"] as? [[String: Any]])
            #expect(movements.map { $0["kind"] as? String } == ["ADMITTED", "TRANSFERRED"])
            #expect((movements.last?["otherClass"] as? [String: Any])?["id"] as? String == String(fixture.classB))

            // The composition of each class on a date before the move, and now.
            func members(_ klass: Int, on date: String?) async throws -> Set<String> {
                let argument = date.map { "(on: \"\($0)\")" } ?? ""
                let reply = try await api.graphql("{ class(id: \(klass)) { learners\(argument) { id } } }", token: token)
                let rows = try #require((reply.data?["class"] as? [String: Any])?["learners"] as? [[String: Any]], "\(reply.text)")
                return Set(rows.compactMap { $0["id"] as? String })
            }
            #expect(try await members(fixture.classA, on: Self.date(-5)).contains(String(id)))
            #expect(try await !members(fixture.classA, on: nil).contains(String(id)))
            #expect(try await !members(fixture.classB, on: Self.date(-5)).contains(String(id)))
            #expect(try await members(fixture.classB, on: nil).contains(String(id)))

            let expelled = try await api.graphql("""
                mutation Expel($input: LeavingInput!) { expelLearner(input: $input) { \(Self.learnerFields) } }
                """, variables: ["input": ["learnerId": String(id), "on": Self.date(0), "orderNumber": "20-к", "reason": "по заявлению родителей"]],
                token: token)
            let gone = try #require(expelled.data?["expelLearner"] as? [String: Any], "\(expelled.text)")
            #expect(gone["class"] is NSNull)
            #expect((gone["enrollments"] as? [[String: Any]])?.map { $0["status"] as? String } == ["TRANSFERRED", "EXPELLED"])
            #expect((gone["movements"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["ADMITTED", "TRANSFERRED", "EXPELLED"])
            #expect(try await !members(fixture.classB, on: nil).contains(String(id)))
            #expect(try await members(fixture.classB, on: Self.date(-1)).contains(String(id)))

            // Re-admitted later into its school by a new order: the enrollments accumulate.
            let back = try await api.graphql("""
                mutation Readmit($input: AdmitLearnerInput!) { admitLearner(input: $input) { enrollments { status } } }
                """, variables: ["input": ["learnerId": String(id), "classId": String(fixture.classA), "on": Self.date(1), "orderNumber": "21-к"]],
                token: token)
            #expect((back.data?["admitLearner"] as? [String: Any])?["enrollments"] as? [[String: Any]] != nil, "\(back.text)")
            #expect(((back.data?["admitLearner"] as? [String: Any])?["enrollments"] as? [[String: Any]])?.count == 3)
        }
        // Each write's audit event names the learner it moved.
        let audited = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("""
                SELECT operation_name FROM eduql.audit_events WHERE operation_name IN ('Admit', 'Move', 'Expel', 'Readmit')
                AND cardinality(learner_ids) = 1 AND outcome = 'ok' ORDER BY seq
                """, as: String.self)
        }
        #expect(audited == ["Admit", "Move", "Expel", "Readmit"])
    }

    @Test("writes outside the school's reach, bad input and roles without the contingent write nothing")
    func refusals() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let before = try await self.counts(database)
        try await TestAPI.run(database) { api in
            let admin = try await api.demoToken("school.admin")
            let admit = "mutation Admit($input: AdmitLearnerInput!) { admitLearner(input: $input) { id } }"
            let card: [String: Any] = ["lastName": "Иванов", "firstName": "Иван", "gender": "MALE", "birthDate": "2016-01-01"]
            let cases: [(String, String, [String: Any], String)] = [
                ("another school's class", admit, ["input": ["learner": card, "classId": String(fixture.otherClass), "on": Self.date(0), "orderNumber": "1"]], "FORBIDDEN"),
                ("a date two months ahead", admit, ["input": ["learner": card, "classId": String(fixture.classA), "on": Self.date(60), "orderNumber": "1"]], "FORBIDDEN"),
                ("another school's learner", admit, ["input": ["learnerId": String(fixture.otherLearner), "classId": String(fixture.classA), "on": Self.date(0), "orderNumber": "1"]], "FORBIDDEN"),
                ("an enrolled learner admitted again", admit, ["input": ["learnerId": String(fixture.learner), "classId": String(fixture.classB), "on": Self.date(0), "orderNumber": "1"]], "FORBIDDEN"),
                ("a malformed SNILS", admit, ["input": ["learner": card.merging(["snils": "123"]) { $1 }, "classId": String(fixture.classA), "on": Self.date(0), "orderNumber": "1"]], "BAD_USER_INPUT"),
                ("an empty order number", admit, ["input": ["learner": card, "classId": String(fixture.classA), "on": Self.date(0), "orderNumber": "  "]], "BAD_USER_INPUT"),
                // The learner is inserted first; the foreign guardian then rolls the whole field back.
                ("a guardian of another school", admit, ["input": ["learner": card, "classId": String(fixture.classA), "on": Self.date(0), "orderNumber": "1",
                                                                   "guardians": [["relation": "FATHER", "guardianId": String(fixture.otherGuardian)]]]], "FORBIDDEN"),
                ("expelling another school's learner", "mutation Expel($input: LeavingInput!) { expelLearner(input: $input) { id } }",
                 ["input": ["learnerId": String(fixture.otherLearner), "on": Self.date(0), "orderNumber": "1"]], "FORBIDDEN"),
                ("moving into another school's class", "mutation Move($input: ClassTransferInput!) { transferToClass(input: $input) { id } }",
                 ["input": ["learnerId": String(fixture.learner), "classId": String(fixture.otherClass), "on": Self.date(0), "orderNumber": "1"]], "FORBIDDEN"),
                ("moving into its own class", "mutation Move($input: ClassTransferInput!) { transferToClass(input: $input) { id } }",
                 ["input": ["learnerId": String(fixture.learner), "classId": String(fixture.classA), "on": Self.date(0), "orderNumber": "1"]], "BAD_USER_INPUT"),
                ("transferring another school's learner", "mutation T($input: OrganizationTransferInput!) { transferToOrganization(input: $input) { id } }",
                 ["input": ["learnerId": String(fixture.otherLearner), "toOrganizationId": String(fixture.school), "on": Self.date(0), "orderNumber": "1"]], "FORBIDDEN"),
                ("confirming a transfer (the municipality's)", "mutation C { confirmTransfer(transferId: 1) { id } }", [:], "GRAPHQL_VALIDATION_FAILED"),
            ]
            for (label, document, variables, code) in cases {
                let reply = try await api.graphql(document, variables: variables, token: admin)
                #expect(reply.errorCodes == [code], "\(label): \(reply.text)")
            }
            let teacherPassword = try await TestCluster.shared.password(of: "teacher")
            for login in ["teacher", "parent", "mouo.admin", "region.admin", "student"] {
                let token = login == "teacher" ? try await api.token(login, teacherPassword, role: "teacher") : try await api.demoToken(login)
                let reply = try await api.graphql(admit, variables: ["input": ["learner": card, "classId": String(fixture.classA), "on": Self.date(0), "orderNumber": "1"]],
                                                  token: token)
                #expect(reply.data?["admitLearner"] == nil && reply.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(login): \(reply.text)")
            }
        }
        #expect(try await self.counts(database) == before)
    }

    @Test("a transfer between two schools of a municipality: asked, confirmed by the municipality, accepted by the arriving school")
    func transferBetweenSchools() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let password = try await TestCluster.shared.password(of: "teacher")
        try await TestAPI.run(database) { api in
            let leaving = try await api.demoToken("school.admin")
            let arriving = try await api.token("teacher", password, role: "school_admin")
            let mouo = try await api.demoToken("mouo.admin")
            let fields = "id status learnerName transferOn orderNumber toOrganization { id } arrival { class { id } }"
            let asked = try await api.graphql("""
                mutation T($input: OrganizationTransferInput!) { transferToOrganization(input: $input) { \(fields) } }
                """, variables: ["input": ["learnerId": String(fixture.learner), "toOrganizationId": String(fixture.otherSchool), "on": Self.date(0),
                                           "orderNumber": "30-к", "reason": "переезд"]], token: leaving)
            let transfer = try #require(asked.data?["transferToOrganization"] as? [String: Any], "\(asked.text)")
            #expect(transfer["status"] as? String == "AWAITING_CONFIRMATION")
            let id = try #require(transfer["id"] as? String)
            let accept = "mutation A($id: ID!, $class: ID!) { acceptTransfer(transferId: $id, classId: $class, orderNumber: \"7-у\") { \(fields) } }"

            // Not before the municipality confirms; nobody else confirms.
            let early = try await api.graphql(accept, variables: ["id": id, "class": String(fixture.otherClass)], token: arriving)
            #expect(early.errorCodes == ["FORBIDDEN"], "\(early.text)")
            let twice = try await api.graphql("""
                mutation T($input: OrganizationTransferInput!) { transferToOrganization(input: $input) { id } }
                """, variables: ["input": ["learnerId": String(fixture.learner), "toOrganizationId": String(fixture.otherSchool), "on": Self.date(0),
                                           "orderNumber": "31-к"]], token: leaving)
            #expect(twice.errorCodes == ["BAD_USER_INPUT"], "one open transfer per learner: \(twice.text)")

            let confirmed = try await api.graphql("mutation C($id: ID!) { confirmTransfer(transferId: $id) { status } }", variables: ["id": id], token: mouo)
            #expect((confirmed.data?["confirmTransfer"] as? [String: Any])?["status"] as? String == "AWAITING_ARRIVAL", "\(confirmed.text)")

            // The arriving school sees who is coming; its class, not the leaving school's.
            let coming = try await api.graphql("{ transfers(status: AWAITING_ARRIVAL) { id learnerName } }", token: arriving)
            #expect((coming.data?["transfers"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id], "\(coming.text)")
            let wrongClass = try await api.graphql(accept, variables: ["id": id, "class": String(fixture.classB)], token: arriving)
            #expect(wrongClass.errorCodes == ["FORBIDDEN"], "\(wrongClass.text)")
            let byLeaving = try await api.graphql(accept, variables: ["id": id, "class": String(fixture.classB)], token: leaving)
            #expect(byLeaving.errorCodes == ["FORBIDDEN"], "\(byLeaving.text)")

            let accepted = try await api.graphql(accept, variables: ["id": id, "class": String(fixture.otherClass)], token: arriving)
            let done = try #require(accepted.data?["acceptTransfer"] as? [String: Any], "\(accepted.text)")
            #expect(done["status"] as? String == "COMPLETED")
            #expect(((done["arrival"] as? [String: Any])?["class"] as? [String: Any])?["id"] as? String == String(fixture.otherClass))
            let again = try await api.graphql(accept, variables: ["id": id, "class": String(fixture.otherClass)], token: arriving)
            #expect(again.errorCodes == ["FORBIDDEN"], "\(again.text)")

            // The learner is the arriving school's now, with the whole history; the leaving school no longer reads its card.
            let card = try await api.graphql("{ learner(id: \(fixture.learner)) { organization { id } class { id } movements { kind otherOrganization { id } } } }",
                                             token: arriving)
            let learner = try #require(card.data?["learner"] as? [String: Any], "\(card.text)")
            #expect((learner["organization"] as? [String: Any])?["id"] as? String == String(fixture.otherSchool))
            #expect((learner["class"] as? [String: Any])?["id"] as? String == String(fixture.otherClass))
            #expect((learner["movements"] as? [[String: Any]])?.suffix(1).map { $0["kind"] as? String } == ["ADMITTED"])
            let gone = try await api.graphql("{ learner(id: \(fixture.learner)) { id } }", token: leaving)
            #expect(gone.data?["learner"] is NSNull, "\(gone.text)")
        }
        let (transferred, admitted) = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT count(*) FILTER (WHERE kind = 'transferred' AND organization_id = \(fixture.school) AND other_organization_id = \(fixture.otherSchool))::int,
                       count(*) FILTER (WHERE kind = 'admitted' AND organization_id = \(fixture.otherSchool) AND other_organization_id = \(fixture.school))::int
                FROM eduql.movements WHERE learner_id = \(fixture.learner)
                """), logger: self.logger).collect().first!.decode((Int, Int).self)
        }
        #expect(transferred == 1 && admitted == 1)
    }

    @Test("a declined transfer moves nothing; a graduation ends the enrollment with its movement")
    func declineAndGraduate() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let password = try await TestCluster.shared.password(of: "teacher")
        try await TestAPI.run(database) { api in
            let leaving = try await api.demoToken("school.admin")
            let arriving = try await api.token("teacher", password, role: "school_admin")
            let mouo = try await api.demoToken("mouo.admin")
            let asked = try await api.graphql("""
                mutation T($input: OrganizationTransferInput!) { transferToOrganization(input: $input) { id } }
                """, variables: ["input": ["learnerId": String(fixture.learner), "toOrganizationId": String(fixture.otherSchool), "on": Self.date(0),
                                           "orderNumber": "40-к"]], token: leaving)
            let id = try #require((asked.data?["transferToOrganization"] as? [String: Any])?["id"] as? String, "\(asked.text)")
            let byArriving = try await api.graphql("mutation D($id: ID!) { declineTransfer(transferId: $id) { status } }", variables: ["id": id], token: arriving)
            #expect(byArriving.errorCodes == ["FORBIDDEN"], "not the arriving school's to decline before confirmation: \(byArriving.text)")
            let declined = try await api.graphql("mutation D($id: ID!) { declineTransfer(transferId: $id) { status decidedAt } }", variables: ["id": id], token: mouo)
            let decision = try #require(declined.data?["declineTransfer"] as? [String: Any], "\(declined.text)")
            #expect(decision["status"] as? String == "DECLINED" && decision["decidedAt"] is String)
            let confirm = try await api.graphql("mutation C($id: ID!) { confirmTransfer(transferId: $id) { status } }", variables: ["id": id], token: mouo)
            #expect(confirm.errorCodes == ["FORBIDDEN"], "\(confirm.text)")

            let graduated = try await api.graphql("""
                mutation G($input: LeavingInput!) { graduateLearner(input: $input) { class { id } enrollments { status } movements { kind orderNumber } } }
                """, variables: ["input": ["learnerId": String(fixture.learner), "on": Self.date(0), "orderNumber": "50-в"]], token: leaving)
            let learner = try #require(graduated.data?["graduateLearner"] as? [String: Any], "\(graduated.text)")
            #expect(learner["class"] is NSNull)
            #expect((learner["enrollments"] as? [[String: Any]])?.last?["status"] as? String == "GRADUATED")
            #expect((learner["movements"] as? [[String: Any]])?.last?["orderNumber"] as? String == "50-в")
        }
        let stayed = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT organization_id::int FROM eduql.learners WHERE id = \(fixture.learner)"), as: Int.self)
        }
        #expect(stayed == fixture.school)
    }
}
