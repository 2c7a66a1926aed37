import EduQLSchema
import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// The registry's life cycle on the demo data: a municipality merges one school into another
/// (classes, learners, staff move; the old card and movements stay readable; the old school is
/// read-only), liquidation is refused while learners are enrolled and closes an organization
/// for good; and every school-year write aimed outside the caller's scope is refused with
/// nothing written.
@Suite("Registry life cycle and scope", .timeLimit(.minutes(4)))
struct RegistryLifecycleTests {
    let logger = Logger(label: "eduql-tests")

    func scalar(_ database: ClusterConnections, _ sql: String) async throws -> Int {
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar(PostgresQuery(unsafeSQL: sql), as: Int.self)
        }
    }

    static let update = "mutation ($id: ID!, $input: OrganizationCardInput!) { updateOrganization(organizationId: $id, input: $input) { id headName } }"
    static let reorganize = "mutation ($input: ReorganizationInput!) { reorganizeOrganization(input: $input) { id status } }"
    static let liquidate = "mutation ($input: LiquidationInput!) { liquidateOrganization(input: $input) { id status closedOn } }"

    @Test("a merger moves classes, learners and staff, keeps the old card and movements readable, and leaves the old school read-only; liquidation waits for the last learner")
    func reorganizeAndLiquidate() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let enrolledBefore = try await self.scalar(database, "SELECT count(*)::int FROM eduql.enrollments WHERE organization_id = 2 AND status = 'active'")
        let staffBefore = try await self.scalar(database, "SELECT count(*)::int FROM eduql.staff WHERE organization_id = 2 AND dismissed_on IS NULL")
        #expect(enrolledBefore > 0 && staffBefore > 0, "the school to merge has learners and staff")
        try await TestAPI.run(database) { api in
            let client = SchoolYearClient(api: api)
            let mouo = try await api.demoToken("mouo.admin")
            let region = try await api.demoToken("region.admin")
            let yesterday = SchoolYearClient.date(-1), today = SchoolYearClient.date()

            // A card change from yesterday, then the merger today.
            try await client.data(mouo, Self.update, ["id": "2", "input": ["headName": "Соколова Ирина Викторовна", "effectiveOn": yesterday]])
            let merged = try await client.data(mouo, Self.reorganize, ["input": ["organizationId": "2", "intoOrganizationId": "1", "on": today, "orderNumber": "45-р"]])
            #expect(merged.at("reorganizeOrganization.id") as? String == "1")
            #expect(try await self.scalar(database, "SELECT count(*)::int FROM eduql.enrollments WHERE organization_id = 1 AND status = 'active'") >= enrolledBefore)
            #expect(try await self.scalar(database, "SELECT count(*)::int FROM eduql.enrollments WHERE organization_id = 2 AND status = 'active'") == 0)
            #expect(try await self.scalar(database, "SELECT count(*)::int FROM eduql.staff WHERE organization_id = 2 AND dismissed_on IS NULL") == 0)
            #expect(try await self.scalar(database, "SELECT count(*)::int FROM eduql.movements WHERE kind = 'reorganized' AND other_organization_id = 2") == enrolledBefore)
            // The dashboards' rollups followed the rows that moved.
            let differences = try await database.owner.withConnection(logger: self.logger) { connection in
                try await Rollups(logger: self.logger).differences(on: connection)
            }
            #expect(differences.allSatisfy { $0.rows == 0 }, "\(differences)")

            // The old organization's history: its card as it was, every version, its merger.
            let history = try await client.data(region, """
                query ($before: Date!) { organization(id: 2) { status closedOn mergedInto { id } cardOn(date: $before) { status headName }
                  cardHistory { effectiveOn status headName } } }
                """, ["before": SchoolYearClient.date(-2)])
            #expect(history.at("organization.status") as? String == "REORGANIZED")
            #expect(history.at("organization.mergedInto.id") as? String == "1")
            #expect(history.at("organization.closedOn") as? String == today)
            #expect(history.at("organization.cardOn.status") as? String == "ACTIVE")
            #expect(history.at("organization.cardOn.headName") as? String != "Соколова Ирина Викторовна", "two days ago the old head led it")
            let versions = try #require(history.at("organization.cardHistory") as? [[String: Any]])
            #expect(versions.map { $0["status"] as? String } == ["ACTIVE", "ACTIVE", "REORGANIZED"])
            let yesterdayCard = try await client.data(region, "query ($on: Date!) { organization(id: 2) { cardOn(date: $on) { headName status } } }", ["on": yesterday])
            #expect(yesterdayCard.at("organization.cardOn.headName") as? String == "Соколова Ирина Викторовна")

            // Read-only: the API refuses a change, and the database refuses any write to it.
            let before = try await self.scalar(database, "SELECT count(*)::int FROM eduql.organization_cards")
            #expect(try await client.refused(mouo, Self.update, ["id": "2", "input": ["headName": "Никто"]]) == ["FORBIDDEN"])
            #expect(try await self.scalar(database, "SELECT count(*)::int FROM eduql.organization_cards") == before)
            await #expect(throws: (any Error).self) {
                try await database.owner.withConnection(logger: self.logger) { connection in
                    try await connection.execute("""
                        INSERT INTO eduql.classes (region_id, municipality_id, organization_id, academic_year_id, kind, grade, name)
                        VALUES (1, 1, 2, 1, 'class', 3, '3Я')
                        """)
                }
            }

            // Liquidation: refused while learners are enrolled; a new, empty organization closes for good.
            let refused = try await api.graphql(Self.liquidate, variables: ["input": ["organizationId": "3", "on": today, "orderNumber": "1"]], token: mouo)
            #expect(refused.errorCodes == ["BAD_USER_INPUT"])
            #expect(refused.text.contains("learners enrolled"), "\(refused.text)")
            let created = try await client.data(mouo, """
                mutation ($input: OrganizationInput!) { createOrganization(input: $input) { id } }
                """, ["input": ["municipalityId": "1", "kind": "ADDITIONAL", "fullName": "Дом детского творчества", "shortName": "ДДТ",
                                "inn": SchoolYearClient.inn("352599991"), "address": "г. Вологда", "headName": "Белова Е. А."]])
            let centre = try client.id(created, "createOrganization.id")
            let closed = try await client.data(mouo, Self.liquidate, ["input": ["organizationId": centre, "on": today, "orderNumber": "2"]])
            #expect(closed.at("liquidateOrganization.status") as? String == "LIQUIDATED")
            #expect(try await client.refused(mouo, Self.update, ["id": centre, "input": ["headName": "Никто"]]) == ["FORBIDDEN"])
            #expect(try await client.refused(mouo, Self.liquidate, ["input": ["organizationId": centre, "on": today, "orderNumber": "3"]]) == ["FORBIDDEN"])
        }
    }

    @Test("registry writes outside the caller's municipality or region are refused and change nothing")
    func registryScope() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let otherRegion = try await self.scalar(database, "SELECT min(id)::int FROM eduql.organizations WHERE region_id = 2")
        try await TestAPI.run(database) { api in
            let client = SchoolYearClient(api: api)
            let mouo = try await api.demoToken("mouo.admin")
            let region = try await api.demoToken("region.admin")
            let school = try await api.demoToken("school.admin")
            let cards = try await self.scalar(database, "SELECT count(*)::int FROM eduql.organization_cards")
            let organizations = try await self.scalar(database, "SELECT count(*)::int FROM eduql.organizations")
            // Exists, and is readable by its own municipality: the refusals below are about scope.
            #expect(try await self.scalar(database, "SELECT count(*)::int FROM eduql.organizations WHERE id = 4 AND municipality_id = 2") == 1)
            #expect(try await client.refused(mouo, Self.update, ["id": "4", "input": ["headName": "Чужой"]]) == ["FORBIDDEN"])
            #expect(try await client.refused(mouo, Self.reorganize, ["input": ["organizationId": "4", "intoOrganizationId": "1", "on": SchoolYearClient.date(), "orderNumber": "1"]]) == ["FORBIDDEN"])
            #expect(try await client.refused(mouo, Self.reorganize, ["input": ["organizationId": "1", "intoOrganizationId": "4", "on": SchoolYearClient.date(), "orderNumber": "1"]]) == ["FORBIDDEN"])
            #expect(try await client.refused(mouo, Self.liquidate, ["input": ["organizationId": "4", "on": SchoolYearClient.date(), "orderNumber": "1"]]) == ["FORBIDDEN"])
            let elsewhere = ["municipalityId": "2", "kind": "SCHOOL", "fullName": "Чужая", "shortName": "Чужая", "inn": SchoolYearClient.inn("352588881"),
                             "address": "—", "headName": "—"]
            #expect(try await client.refused(mouo, "mutation ($input: OrganizationInput!) { createOrganization(input: $input) { id } }", ["input": elsewhere]) == ["FORBIDDEN"])
            #expect(try await client.refused(region, Self.update, ["id": String(otherRegion), "input": ["headName": "Чужой"]]) == ["FORBIDDEN"])
            #expect(try await client.refused(region, "mutation ($input: OrganizationInput!) { createOrganization(input: $input) { id } }",
                                             ["input": elsewhere.merging(["municipalityId": "4"]) { $1 }]) == ["FORBIDDEN"])
            // A school administrator has no registry writes at all.
            #expect(try await client.refused(school, Self.update, ["id": "1", "input": ["headName": "Сам"]]) == ["GRAPHQL_VALIDATION_FAILED"])
            #expect(try await self.scalar(database, "SELECT count(*)::int FROM eduql.organization_cards") == cards)
            #expect(try await self.scalar(database, "SELECT count(*)::int FROM eduql.organizations") == organizations)
        }
    }

    /// Rows of another school of the same municipality, for the probes.
    struct Targets {
        var klass: Int, staff: Int, assignment: Int, lesson: Int, learner: Int, guardian: Int, ownClass: Int, ownLesson: Int
    }

    func targets(_ database: ClusterConnections) async throws -> Targets {
        try await database.owner.withConnection(logger: self.logger) { connection in
            func one(_ sql: String) async throws -> Int { try await connection.scalar(PostgresQuery(unsafeSQL: sql), as: Int.self) }
            return Targets(
                klass: try await one("SELECT min(id)::int FROM eduql.classes WHERE organization_id = 2"),
                staff: try await one("SELECT min(id)::int FROM eduql.staff WHERE organization_id = 2 AND id IN (SELECT staff_id FROM eduql.teaching_assignments)"),
                assignment: try await one("SELECT min(id)::int FROM eduql.teaching_assignments WHERE organization_id = 2"),
                lesson: try await one("SELECT min(id)::int FROM eduql.lessons WHERE organization_id = 2 AND held_on > current_date"),
                learner: try await one("SELECT min(learner_id)::int FROM eduql.enrollments WHERE organization_id = 2 AND status = 'active'"),
                guardian: try await one("SELECT min(gl.guardian_id)::int FROM eduql.guardian_learners gl JOIN eduql.learners l ON l.id = gl.learner_id WHERE l.organization_id = 2"),
                ownClass: try await one("SELECT min(id)::int FROM eduql.classes WHERE organization_id = 1 AND kind = 'class'"),
                ownLesson: try await one("SELECT min(id)::int FROM eduql.lessons WHERE organization_id = 1 AND held_on > current_date"))
        }
    }

    @Test("every school-year write of a school administrator aimed at another school or region is refused and changes nothing; other roles have none")
    func schoolScope() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let t = try await self.targets(database)
        let counts: @Sendable () async throws -> [String: Int] = { try await SchoolYearTests().counts(database) }
        try await TestAPI.run(database) { api in
            let client = SchoolYearClient(api: api)
            let school = try await api.demoToken("school.admin")
            let before = try await counts()
            let today = SchoolYearClient.date()
            let probes: [(String, [String: Any])] = [
                ("mutation ($i: ClassInput!) { createClass(input: $i) { id } }", ["i": ["academicYearId": "1", "grade": 9, "letter": "Я", "homeroomTeacherId": String(t.staff)]]),
                ("mutation ($id: ID!) { updateClass(classId: $id, input: {shift: 2}) { id } }", ["id": String(t.klass)]),
                ("mutation ($i: TeachingAssignmentInput!) { assignTeaching(input: $i) { id } }",
                 ["i": ["staffId": String(t.staff), "classId": String(t.ownClass), "subjectId": "101", "startsOn": today]]),
                ("mutation ($i: TeachingAssignmentInput!) { assignTeaching(input: $i) { id } }",
                 ["i": ["staffId": "101", "classId": String(t.klass), "subjectId": "101", "startsOn": today]]),
                ("mutation ($id: ID!, $on: Date!) { endTeaching(assignmentId: $id, on: $on) { id } }", ["id": String(t.assignment), "on": today]),
                ("mutation ($i: DismissalInput!) { dismissStaff(input: $i) { id } }", ["i": ["staffId": String(t.staff), "on": today, "orderNumber": "1"]]),
                ("mutation ($i: TimetableInput!) { setTimetable(input: $i) { id } }",
                 ["i": ["classId": String(t.klass), "entries": [["weekday": 1, "period": 1, "subjectId": "101", "teacherId": String(t.staff)]]]]),
                ("mutation ($i: LessonGenerationInput!) { generateLessons(input: $i) { id } }", ["i": ["classId": String(t.klass), "from": today, "to": today]]),
                ("mutation ($id: ID!, $to: Date!) { moveLesson(lessonId: $id, to: $to, period: 7, reason: \"x\") { id } }", ["id": String(t.lesson), "to": today]),
                ("mutation ($id: ID!) { cancelLesson(lessonId: $id, reason: \"x\") { id } }", ["id": String(t.lesson)]),
                ("mutation ($id: ID!, $teacher: ID!) { substituteTeacher(lessonId: $id, teacherId: $teacher, reason: \"x\") { id } }", ["id": String(t.lesson), "teacher": "101"]),
                ("mutation ($i: LinkGuardianInput!) { linkGuardian(input: $i) { id } }",
                 ["i": ["learnerId": String(t.learner), "relation": "FATHER", "guardian": ["lastName": "Чужой", "firstName": "Отец"]]]),
                ("mutation ($l: ID!, $g: ID!) { unlinkGuardian(learnerId: $l, guardianId: $g) { id } }", ["l": String(t.learner), "g": String(t.guardian)]),
                ("mutation ($i: CurriculumInput!) { setCurriculum(input: $i) { id } }", ["i": ["academicYearId": "2", "grade": 5, "lines": [["subjectId": "201", "weeklyHours": 2]]]]),
                ("mutation ($i: BellScheduleInput!) { setBellSchedule(input: $i) { period } }", ["i": ["academicYearId": "2", "periods": [["period": 1, "startsAt": "08:00", "endsAt": "08:45"]]]]),
                ("mutation ($i: OrganizationTermsInput!) { setOrganizationTerms(input: $i) { id } }", ["i": ["academicYearId": "2", "terms": []]]),
                ("mutation { createSubject(input: {name: \"Астрономия\", shortName: \"Астр\"}) { id } }", [:]),
            ]
            for (query, variables) in probes {
                let codes = try await client.refused(school, query, variables)
                #expect(codes == ["FORBIDDEN"], "\(query.prefix(70)) \(variables)")
            }
            // Bad input of the school's own rows: a teacher of another school in the timetable or as a substitute.
            #expect(try await client.refused(school, "mutation ($id: ID!, $teacher: ID!) { substituteTeacher(lessonId: $id, teacherId: $teacher, reason: \"x\") { id } }",
                                             ["id": String(t.ownLesson), "teacher": String(t.staff)]) == ["BAD_USER_INPUT"])
            #expect(try await client.refused(school, "mutation ($i: TimetableInput!) { setTimetable(input: $i) { id } }",
                                             ["i": ["classId": String(t.ownClass), "entries": [["weekday": 1, "period": 1, "subjectId": "101", "teacherId": String(t.staff)]]]]) == ["BAD_USER_INPUT"])
            #expect(try await counts() == before)
            // Teachers, parents and students have none of these writes in their schema.
            for login in ["teacher", "homeroom", "parent", "student"] {
                let token = try await api.demoToken(login)
                for (query, variables) in probes.prefix(6) {
                    #expect(try await client.refused(token, query, variables) == ["GRAPHQL_VALIDATION_FAILED"], "\(login): \(query.prefix(50))")
                }
            }
            #expect(try await counts() == before)
        }
    }

    @Test("bad calendar, timetable, staff and card input is BAD_USER_INPUT with nothing written, whatever its shape")
    func badInput() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let t = try await self.targets(database)
        let counts: @Sendable () async throws -> [String: Int] = { try await SchoolYearTests().counts(database) }
        try await TestAPI.run(database) { api in
            let client = SchoolYearClient(api: api)
            let region = try await api.demoToken("region.admin")
            let school = try await api.demoToken("school.admin")
            let mouo = try await api.demoToken("mouo.admin")
            let before = try await counts()
            let y = SchoolYearClient.year + 3
            func year(name: String = "\(y)/\(y + 1)", starts: String = "\(y)-09-01", ends: String = "\(y + 1)-05-31",
                      terms: [[String: Any]] = [["scheme": "HALF", "number": 1, "startsOn": "\(y)-09-01", "endsOn": "\(y)-12-31"],
                                                ["scheme": "HALF", "number": 2, "startsOn": "\(y + 1)-01-10", "endsOn": "\(y + 1)-05-31"]],
                      holidays: [[String: Any]] = []) -> [String: Any] {
                ["input": ["name": name, "startsOn": starts, "endsOn": ends, "terms": terms, "holidays": holidays]]
            }
            let open = "mutation ($input: AcademicYearInput!) { openAcademicYear(input: $input) { id } }"
            let half = { (n: Int, a: String, b: String) -> [String: Any] in ["scheme": "HALF", "number": n, "startsOn": a, "endsOn": b] }
            let years: [[String: Any]] = [
                year(name: "\(y)-\(y + 1)"), year(name: "\(y)/\(y + 2)"), year(name: "\(y + 1)/\(y + 2)"),
                year(starts: "\(y + 1)-06-01"), year(ends: "\(y)-09-01"), year(starts: "\(y)-02-30"),
                year(terms: []), year(terms: [half(1, "\(y)-09-01", "\(y)-12-31")]),
                year(terms: [half(1, "\(y)-09-01", "\(y)-12-31"), half(1, "\(y + 1)-01-10", "\(y + 1)-05-31")]),
                year(terms: [half(1, "\(y)-09-01", "\(y + 1)-01-20"), half(2, "\(y + 1)-01-10", "\(y + 1)-05-31")]),
                year(terms: [half(1, "\(y)-08-01", "\(y)-12-31"), half(2, "\(y + 1)-01-10", "\(y + 1)-05-31")]),
                year(terms: [half(1, "\(y)-12-31", "\(y)-09-01"), half(2, "\(y + 1)-01-10", "\(y + 1)-05-31")]),
                year(terms: [["scheme": "QUARTER", "number": 5, "startsOn": "\(y)-09-01", "endsOn": "\(y)-10-01"]]),
                year(holidays: [["name": "Вне года", "startsOn": "\(y + 1)-06-01", "endsOn": "\(y + 1)-06-05"]]),
                year(holidays: [["name": "Наоборот", "startsOn": "\(y)-11-05", "endsOn": "\(y)-11-01"]]),
                year(holidays: [["name": "", "startsOn": "\(y)-11-01", "endsOn": "\(y)-11-02"]]),
            ]
            for variables in years {
                #expect(try await client.refused(region, open, variables) == ["BAD_USER_INPUT"], "\(variables)")
            }
            let overlapping = year(name: "\(y - 3)/\(y - 2)", starts: "\(y - 3)-09-01", ends: "\(y - 2)-05-31",
                                   terms: [half(1, "\(y - 3)-09-01", "\(y - 3)-12-31"), half(2, "\(y - 2)-01-10", "\(y - 2)-05-31")])
            #expect(try await client.refused(region, open, overlapping) == ["FORBIDDEN"], "a year over the one under way")

            let bells = "mutation ($i: BellScheduleInput!) { setBellSchedule(input: $i) { period } }"
            for periods in [[["period": 1, "startsAt": "24:00", "endsAt": "24:45"]], [["period": 1, "startsAt": "8:30", "endsAt": "09:15"]],
                            [["period": 1, "startsAt": "09:15", "endsAt": "08:30"]], [["period": 0, "startsAt": "08:30", "endsAt": "09:15"]],
                            [["period": 1, "startsAt": "08:30", "endsAt": "09:15"], ["period": 2, "startsAt": "09:00", "endsAt": "09:45"]],
                            [["period": 1, "startsAt": "08:30", "endsAt": "09:15"], ["period": 1, "startsAt": "09:30", "endsAt": "10:15"]],
                            [] as [[String: Any]]] {
                #expect(try await client.refused(school, bells, ["i": ["academicYearId": "1", "periods": periods]]) == ["BAD_USER_INPUT"], "\(periods)")
            }
            let generate = "mutation ($i: LessonGenerationInput!) { generateLessons(input: $i) { id } }"
            for (from, to) in [(SchoolYearClient.date(), SchoolYearClient.date(-1)), (SchoolYearClient.date(-366), SchoolYearClient.date()),
                               ("2026-13-01", SchoolYearClient.date())] {
                #expect(try await client.refused(school, generate, ["i": ["classId": String(t.ownClass), "from": from, "to": to]]) == ["BAD_USER_INPUT"])
            }
            let entry = { (weekday: Int, period: Int) -> [String: Any] in ["weekday": weekday, "period": period, "subjectId": "101", "teacherId": "101"] }
            for entries in [[entry(7, 1)], [entry(1, 11)], [entry(1, 1), entry(1, 1)], [] as [[String: Any]]] {
                #expect(try await client.refused(school, "mutation ($i: TimetableInput!) { setTimetable(input: $i) { id } }",
                                                 ["i": ["classId": String(t.ownClass), "entries": entries]]) == ["BAD_USER_INPUT"], "\(entries)")
            }
            let hire = "mutation ($i: StaffInput!) { hireStaff(input: $i) { id } }"
            let person: [String: Any] = ["lastName": "Проверка", "firstName": "Ввод", "gender": "MALE", "birthDate": "1990-01-01", "position": "Учитель",
                                         "educationLevel": "HIGHER", "hiredOn": "2020-08-25"]
            for change in [["rate": 0], ["rate": 2.5], ["birthDate": "2021-01-01"], ["birthDate": "2099-01-01", "hiredOn": "2100-01-01"],
                           ["experienceSince": "1980-01-01"], ["snils": "112-233-445 95x"], ["snils": "11223344595"], ["lastName": ""],
                           ["lastName": "Тест\u{0007}"], ["lastName": String(repeating: "я", count: 101)]] as [[String: Any]] {
                #expect(try await client.refused(school, hire, ["i": person.merging(change) { $1 }]) == ["BAD_USER_INPUT"], "\(change)")
            }
            let card = "mutation ($id: ID!, $input: OrganizationCardInput!) { updateOrganization(organizationId: $id, input: $input) { id } }"
            for change in [["kpp": "12345678"], ["ogrn": "1023500000001"], ["oktmo": "1970100"], ["licenceIssuedOn": "2099-01-01"], [:],
                           ["fullName": ""], ["email": "a"]] as [[String: Any]] {
                #expect(try await client.refused(mouo, card, ["id": "1", "input": change]) == ["BAD_USER_INPUT"], "\(change)")
            }
            #expect(try await counts() == before)
        }
    }
}
