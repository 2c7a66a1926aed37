import EduQLAccessControl
import EduQLSchema
import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// The school year through the HTTP API alone, from an empty database that holds only the
/// region and its bootstrap administrator: the registry, accounts top-down, the year and its
/// terms, the curriculum, classes and groups, staff and assignments, the timetable and its
/// lessons, learners with guardians, marks in the diary and the school's dashboard, and a
/// dismissed teacher locked out.
@Suite("School year", .timeLimit(.minutes(4)))
struct SchoolYearTests {
    let logger = Logger(label: "eduql-tests")

    /// Row counts of every table the school year writes, to prove a refusal wrote nothing.
    static let countedTables = ["organizations", "organization_cards", "municipalities", "academic_years", "terms", "holidays", "subjects",
                                "curriculum_lines", "classes", "staff", "teaching_assignments", "bell_periods", "timetable_entries", "lessons",
                                "guardians", "guardian_learners", "kindergarten_capacities", "marks"]

    func counts(_ database: ClusterConnections) async throws -> [String: Int] {
        try await database.owner.withConnection(logger: self.logger) { connection in
            var counts: [String: Int] = [:]
            for table in Self.countedTables {
                counts[table] = try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM eduql.\(table)"), as: Int.self)
            }
            counts["disabled_users"] = try await connection.scalar("SELECT count(*)::int FROM eduql.users WHERE disabled_at IS NOT NULL", as: Int.self)
            return counts
        }
    }

    /// A migrated database with one region and its first administrator's temporary password.
    func bootstrapped() async throws -> (ClusterConnections, String) {
        let database = try await TestCluster.shared.database(.migrated)
        let password = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.execute("INSERT INTO eduql.regions (id, code, name) VALUES (1, '35', 'Вологодская область')")
            return try await AccountAdministration.bootstrap(regionID: 1, login: "region.admin", on: connection, logger: self.logger).temporaryPassword
        }
        return (database, password)
    }

    static let createUser = "mutation ($input: CreateUserInput!) { createUser(input: $input) { user { id login } temporaryPassword } }"

    @Test("from the bootstrap administrator to a mark in a parent's diary, through the HTTP API alone; a dismissed teacher cannot sign in")
    func wholeYear() async throws {
        let (database, bootstrap) = try await self.bootstrapped()
        try await TestAPI.run(database) { api in
            let client = SchoolYearClient(api: api)
            let y = SchoolYearClient.year
            let region = try await client.firstSignIn("region.admin", bootstrap)

            // The region: a municipality and its administrator, the year with its quarters and a holiday, the subject directory.
            let municipality = try client.id(try await client.data(region, """
                mutation { createMunicipality(input: {name: "Городской округ город Вологда", oktmo: "19701000", kind: CITY_DISTRICT}) { id name } }
                """), "createMunicipality.id")
            let mouoCredentials = try await client.data(region, Self.createUser, ["input": [
                "login": "vologda.mouo", "displayName": "Управление образования", "role": "MOUO_ADMIN", "municipalityId": municipality]])
            let mouo = try await client.firstSignIn("vologda.mouo", try #require(mouoCredentials.at("createUser.temporaryPassword") as? String))
            let year = try client.id(try await client.data(region, """
                mutation ($input: AcademicYearInput!) { openAcademicYear(input: $input) { id name terms { scheme number } holidays { name } } }
                """, ["input": [
                    "name": "\(y)/\(y + 1)", "startsOn": "\(y)-09-01", "endsOn": "\(y + 1)-08-31",
                    "terms": [["scheme": "QUARTER", "number": 1, "startsOn": "\(y)-09-01", "endsOn": "\(y)-10-31"],
                              ["scheme": "QUARTER", "number": 2, "startsOn": "\(y)-11-01", "endsOn": "\(y)-12-31"],
                              ["scheme": "QUARTER", "number": 3, "startsOn": "\(y + 1)-01-01", "endsOn": "\(y + 1)-03-31"],
                              ["scheme": "QUARTER", "number": 4, "startsOn": "\(y + 1)-04-01", "endsOn": "\(y + 1)-08-31"]],
                    "holidays": [["name": "Летние каникулы", "startsOn": "\(y + 1)-08-25", "endsOn": "\(y + 1)-08-31"]],
                ]]), "openAcademicYear.id")
            var subjects: [String: String] = [:]
            for (name, short) in [("Математика", "Мат"), ("Русский язык", "Рус")] {
                subjects[short] = try client.id(try await client.data(region, """
                    mutation ($input: SubjectInput!) { createSubject(input: $input) { id } }
                    """, ["input": ["name": name, "shortName": short]]), "createSubject.id")
            }

            // The municipality registers a school and a kindergarten, and gives each an administrator.
            let organization = "mutation ($input: OrganizationInput!) { createOrganization(input: $input) { id kind inn cardHistory { effectiveOn } } }"
            let school = try client.id(try await client.data(mouo, organization, ["input": [
                "municipalityId": municipality, "kind": "SCHOOL", "fullName": "Муниципальное общеобразовательное учреждение «Средняя школа № 1»",
                "shortName": "СШ № 1", "inn": SchoolYearClient.inn("352500001"), "kpp": "352501001", "oktmo": "19701000",
                "address": "г. Вологда, ул. Ленина, 1", "headName": "Иванова Мария Петровна", "licenceNumber": "Л035-01", "licenceIssuedOn": "2015-06-01",
                "settlement": "URBAN"]]), "createOrganization.id")
            let kindergarten = try client.id(try await client.data(mouo, organization, ["input": [
                "municipalityId": municipality, "kind": "KINDERGARTEN", "fullName": "МДОУ «Детский сад № 5»", "shortName": "Детский сад № 5",
                "inn": SchoolYearClient.inn("352500002"), "address": "г. Вологда, ул. Мира, 5", "headName": "Петрова Анна Ивановна"]]), "createOrganization.id")
            let duplicate = try await client.refused(mouo, organization, ["input": [
                "municipalityId": municipality, "kind": "SCHOOL", "fullName": "Дубликат", "shortName": "Дубликат", "inn": SchoolYearClient.inn("352500001"),
                "address": "—", "headName": "—"]])
            #expect(duplicate == ["BAD_USER_INPUT"], "a duplicate INN")
            #expect(try await client.refused(mouo, organization, ["input": [
                "municipalityId": municipality, "kind": "SCHOOL", "fullName": "Ошибка", "shortName": "Ошибка", "inn": "3525000010",
                "address": "—", "headName": "—"]]) == ["BAD_USER_INPUT"], "an INN with a wrong check digit")
            var admins: [String: String] = [:]
            for (login, id) in [("school1.admin", school), ("kg5.admin", kindergarten)] {
                let created = try await client.data(mouo, Self.createUser, ["input": [
                    "login": login, "displayName": login, "role": "SCHOOL_ADMIN", "organizationId": id]])
                admins[login] = try await client.firstSignIn(login, try #require(created.at("createUser.temporaryPassword") as? String))
            }
            let schoolAdmin = try #require(admins["school1.admin"])

            // The school: staff, a class with its homeroom teacher, the curriculum, assignments, bells, the timetable and its lessons.
            let hire = "mutation ($input: StaffInput!) { hireStaff(input: $input) { id lastName rate employment snils } }"
            var staff: [String] = []
            for (index, (last, first, gender)) in [("Смирнова", "Ольга", "FEMALE"), ("Кузнецов", "Павел", "MALE")].enumerated() {
                staff.append(try client.id(try await client.data(schoolAdmin, hire, ["input": [
                    "lastName": last, "firstName": first, "gender": gender, "birthDate": "198\(index)-04-12",
                    "snils": SchoolYearClient.snils("11223344\(index + 5)"), "position": "Учитель", "educationLevel": "HIGHER_PEDAGOGICAL",
                    "qualificationCategory": "FIRST", "experienceSince": "2005-09-01", "rate": 1.5, "hiredOn": "\(y)-08-25"]]), "hireStaff.id"))
            }
            // A retry with the same Idempotency-Key answers the first hiring and hires nobody else.
            let retried = ["query": hire, "variables": ["input": [
                "lastName": "Волкова", "firstName": "Нина", "gender": "FEMALE", "birthDate": "1979-02-02", "position": "Педагог-психолог",
                "educationLevel": "HIGHER", "rate": 0.5, "employment": "PART_TIME", "hiredOn": "\(y)-08-25"]]] as [String: Any]
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "hire-volkova-1"]
            let first = try await api.request(.post, "/graphql", json: retried, token: schoolAdmin, headers: key)
            let second = try await api.request(.post, "/graphql", json: retried, token: schoolAdmin, headers: key)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(first.data?.at("hireStaff.id") as? String == second.data?.at("hireStaff.id") as? String)
            #expect(try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar("SELECT count(*)::int FROM eduql.staff WHERE last_name = 'Волкова'", as: Int.self)
            } == 1)
            #expect(try await client.refused(schoolAdmin, hire, ["input": [
                "lastName": "Ошибка", "firstName": "В", "gender": "MALE", "birthDate": "1990-01-01", "snils": "112-233-445 00",
                "position": "Учитель", "educationLevel": "HIGHER", "hiredOn": "\(y)-08-25"]]) == ["BAD_USER_INPUT"], "a SNILS with a wrong checksum")
            let klass = try client.id(try await client.data(schoolAdmin, """
                mutation ($input: ClassInput!) { createClass(input: $input) { id name grade shift programme homeroomTeacher { id } } }
                """, ["input": ["academicYearId": year, "grade": 5, "letter": "А", "homeroomTeacherId": staff[0]]]), "createClass.id")
            let elective = try client.id(try await client.data(schoolAdmin, """
                mutation { createSubject(input: {name: "Шахматы", shortName: "Шах", elective: true}) { id organization { id } } }
                """), "createSubject.id")
            let curriculum = try await client.data(schoolAdmin, """
                mutation ($input: CurriculumInput!) { setCurriculum(input: $input) { grade weeklyHours subject { id } } }
                """, ["input": ["academicYearId": year, "grade": 5, "lines": [
                    ["subjectId": subjects["Мат"]!, "weeklyHours": 5], ["subjectId": subjects["Рус"]!, "weeklyHours": 5],
                    ["subjectId": elective, "weeklyHours": 1]]]])
            #expect((curriculum["setCurriculum"] as? [Any])?.count == 3)
            let assign = "mutation ($input: TeachingAssignmentInput!) { assignTeaching(input: $input) { id weeklyHours startsOn teacher { id } } }"
            for (teacher, subject) in [(staff[0], subjects["Мат"]!), (staff[1], subjects["Рус"]!)] {
                try await client.data(schoolAdmin, assign, ["input": ["staffId": teacher, "classId": klass, "subjectId": subject, "weeklyHours": 5,
                                                                      "startsOn": "\(y)-09-01"]])
            }
            #expect(try await client.refused(schoolAdmin, assign, ["input": ["staffId": staff[0], "classId": klass, "subjectId": subjects["Мат"]!,
                                                                             "startsOn": "\(y)-09-10", "endsOn": "\(y)-09-01"]]) == ["BAD_USER_INPUT"],
                    "an end before a start")
            // The school narrows its own terms (trimesters) and adds a holiday of its own inside the region's year.
            let holiday = SchoolYearClient.date(3)
            let ownTerms = ["academicYearId": year, "terms": [
                ["scheme": "TRIMESTER", "number": 1, "startsOn": "\(y)-09-01", "endsOn": "\(y)-11-30"],
                ["scheme": "TRIMESTER", "number": 2, "startsOn": "\(y)-12-01", "endsOn": "\(y + 1)-02-28"],
                ["scheme": "TRIMESTER", "number": 3, "startsOn": "\(y + 1)-03-01", "endsOn": "\(y + 1)-08-31"]],
                "holidays": [["name": "День школы", "startsOn": holiday, "endsOn": holiday]]] as [String: Any]
            let narrowed = try await client.data(schoolAdmin, """
                mutation ($input: OrganizationTermsInput!) { setOrganizationTerms(input: $input) { id } }
                """, ["input": ownTerms])
            #expect(narrowed.at("setOrganizationTerms.id") as? String == year)
            var outside = ownTerms
            outside["terms"] = [["scheme": "HALF", "number": 1, "startsOn": "\(y)-08-01", "endsOn": "\(y)-12-31"]]
            #expect(try await client.refused(schoolAdmin, "mutation ($input: OrganizationTermsInput!) { setOrganizationTerms(input: $input) { id } }",
                                             ["input": outside]) == ["BAD_USER_INPUT"], "a term outside the region's year")
            try await client.data(schoolAdmin, """
                mutation ($input: BellScheduleInput!) { setBellSchedule(input: $input) { period startsAt endsAt } }
                """, ["input": ["academicYearId": year, "periods": [["period": 1, "startsAt": "08:30", "endsAt": "09:15"],
                                                                     ["period": 2, "startsAt": "09:25", "endsAt": "10:10"]]]])
            let entries = (1...6).flatMap { weekday in
                [["weekday": weekday, "period": 1, "subjectId": subjects["Мат"]!, "teacherId": staff[0], "room": "12"],
                 ["weekday": weekday, "period": 2, "subjectId": subjects["Рус"]!, "teacherId": staff[1], "room": "14"]] as [[String: Any]]
            }
            let timetable = try await client.data(schoolAdmin, """
                mutation ($input: TimetableInput!) { setTimetable(input: $input) { weekday period room subject { id } teacher { id } } }
                """, ["input": ["classId": klass, "entries": entries]])
            #expect((timetable["setTimetable"] as? [Any])?.count == 12)
            let generated = try await client.data(schoolAdmin, """
                mutation ($input: LessonGenerationInput!) { generateLessons(input: $input) { id heldOn period term { scheme number } } }
                """, ["input": ["classId": klass, "from": SchoolYearClient.date(-14), "to": SchoolYearClient.date(7)]])
            let lessons = try #require(generated["generateLessons"] as? [[String: Any]])
            #expect(lessons.count >= 30, "three weeks of six days, two lessons a day")
            #expect(lessons.allSatisfy { ($0["heldOn"] as? String).map { !(("\(y + 1)-08-25")...("\(y + 1)-08-31")).contains($0) } ?? false })
            #expect(lessons.allSatisfy { $0.at("term.scheme") as? String == "TRIMESTER" }, "lessons follow the school's own terms")
            #expect(!lessons.contains { $0["heldOn"] as? String == holiday }, "no lesson on the school's own holiday")
            let again = try await client.data(schoolAdmin, """
                mutation ($input: LessonGenerationInput!) { generateLessons(input: $input) { id } }
                """, ["input": ["classId": klass, "from": SchoolYearClient.date(-14), "to": SchoolYearClient.date(7)]])
            #expect((again["generateLessons"] as? [Any])?.count == 0, "generating twice adds nothing")

            // A kindergarten group whose places join the queue's.
            let group = try await client.data(try #require(admins["kg5.admin"]), """
                mutation ($input: GroupInput!) { createGroup(input: $input) { id kind ageGroup ageTo orientation capacity organization { capacities { ageGroup capacity } } } }
                """, ["input": ["academicYearId": year, "name": "Средняя группа", "ageFrom": 4, "ageTo": 5, "orientation": "COMPENSATING",
                                "compensatingKind": "нарушения речи", "capacity": 18]])
            #expect(group.at("createGroup.orientation") as? String == "COMPENSATING")
            #expect((group.at("createGroup.organization.capacities") as? [[String: Any]])?.first?["capacity"] as? Int == 18)
            let resized = try await client.data(try #require(admins["kg5.admin"]), """
                mutation ($id: ID!) { updateClass(classId: $id, input: {capacity: 20}) { capacity organization { capacities { capacity } } } }
                """, ["id": try client.id(group, "createGroup.id")])
            #expect((resized.at("updateClass.organization.capacities") as? [[String: Any]])?.first?["capacity"] as? Int == 20, "the queue's places follow")

            // Five learners admitted, each with a mother; the first also gets a father linked, with consent.
            let admit = "mutation ($input: AdmitLearnerInput!) { admitLearner(input: $input) { id guardians { relation consentOn guardian { id } } } }"
            var learners: [String] = []
            var mother = ""
            for index in 0..<5 {
                let admitted = try await client.data(schoolAdmin, admit, ["input": [
                    "learner": ["lastName": "Орлова", "firstName": "Дочь\(index)", "gender": "FEMALE", "birthDate": "\(y - 11)-03-0\(index + 1)"],
                    "guardians": [["relation": "MOTHER", "consentOn": SchoolYearClient.date(-20), "guardian": ["lastName": "Орлова", "firstName": "Мать\(index)"]]],
                    "classId": klass, "on": "\(y)-09-01", "orderNumber": "1-у"]])
                learners.append(try client.id(admitted, "admitLearner.id"))
                if index == 0 { mother = try #require((admitted.at("admitLearner.guardians") as? [[String: Any]])?.first?.at("guardian.id") as? String) }
            }
            let linked = try await client.data(schoolAdmin, """
                mutation ($input: LinkGuardianInput!) { linkGuardian(input: $input) { guardians { relation consentOn guardian { lastName } } } }
                """, ["input": ["learnerId": learners[0], "relation": "FATHER", "consentOn": SchoolYearClient.date(-1),
                                "guardian": ["lastName": "Орлов", "firstName": "Отец"]]])
            #expect((linked.at("linkGuardian.guardians") as? [Any])?.count == 2)

            // Accounts for the teacher and the mother.
            let teacherCredentials = try await client.data(schoolAdmin, Self.createUser, ["input": [
                "login": "smirnova", "displayName": "Смирнова О.", "role": "TEACHER", "organizationId": school, "staffId": staff[0]]])
            let teacher = try await client.firstSignIn("smirnova", try #require(teacherCredentials.at("createUser.temporaryPassword") as? String))
            let parentCredentials = try await client.data(schoolAdmin, Self.createUser, ["input": [
                "login": "orlova", "displayName": "Орлова М.", "role": "PARENT", "guardianId": mother]])
            let parent = try await client.firstSignIn("orlova", try #require(parentCredentials.at("createUser.temporaryPassword") as? String))

            // The teacher marks the latest maths lesson held by today, within the edit window.
            let mathLesson = try #require(lessons.filter { ($0["heldOn"] as? String ?? "") <= SchoolYearClient.date() && $0["period"] as? Int == 1 }
                .max { ($0["heldOn"] as? String ?? "") < ($1["heldOn"] as? String ?? "") })
            let lessonDay = try #require(mathLesson["heldOn"] as? String)
            let marks = learners.enumerated().map { index, learner in ["learnerId": learner, "value": [5, 4, 4, 3, 5][index], "weight": index == 0 ? 2 : 1] }
            let recorded = try await client.data(teacher, """
                mutation ($lesson: ID!, $marks: [MarkInput!]!) { recordMarks(lessonId: $lesson, marks: $marks) { id value } }
                """, ["lesson": try #require(mathLesson["id"] as? String), "marks": marks])
            #expect((recorded["recordMarks"] as? [Any])?.count == 5)

            // The parent sees the mark and the subject's weighted average in the diary.
            let diary = try await client.data(parent, """
                query ($learner: ID!, $from: Date!, $to: Date!) { diary(learnerId: $learner, from: $from, to: $to) {
                  days { date lessons { period room subject { name } marks { value weight } } }
                  subjects { subject { name } term { number } weightedAverage markCount } } }
                """, ["learner": learners[0], "from": lessonDay, "to": lessonDay])
            let day = try #require((diary.at("diary.days") as? [[String: Any]])?.first)
            let maths = try #require((day["lessons"] as? [[String: Any]])?.first { ($0.at("subject.name") as? String) == "Математика" })
            #expect((maths["marks"] as? [[String: Any]])?.first?["value"] as? Int == 5)
            #expect(maths["room"] as? String == "12")
            let average = try #require((diary.at("diary.subjects") as? [[String: Any]])?.first { ($0.at("subject.name") as? String) == "Математика" })
            #expect(average["weightedAverage"] as? Double == 5.0)
            #expect(average["markCount"] as? Int == 1)

            // The school's dashboard counts the marks.
            let stats = try await client.data(schoolAdmin, "{ stats(groupBy: ORGANIZATION) { learners averageMark markDistribution { three four five } } }")
            let row = try #require((stats["stats"] as? [[String: Any]])?.first)
            #expect(row["learners"] as? Int == 5)
            #expect(row.at("markDistribution.five") as? Int == 2)
            #expect(row.at("markDistribution.four") as? Int == 2)

            // The change feed carries what the school wrote; the audit names each write with its caller.
            let feed = try await client.data(schoolAdmin, """
                { changes(types: [CLASS, STAFF, TEACHING_ASSIGNMENT, CURRICULUM_LINE, TIMETABLE_ENTRY, LESSON, GUARDIAN_LINK], first: 100) { changes { type operation } } }
                """)
            let types = Set(((feed.at("changes.changes") as? [[String: Any]]) ?? []).compactMap { $0["type"] as? String })
            #expect(types == ["CLASS", "STAFF", "TEACHING_ASSIGNMENT", "CURRICULUM_LINE", "TIMETABLE_ENTRY", "LESSON", "GUARDIAN_LINK"])
            let audited = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar("""
                    SELECT count(*)::int FROM eduql.audit_events e JOIN eduql.users u ON u.id = e.user_id
                    WHERE u.login = 'school1.admin' AND e.operation_type = 'mutation' AND e.outcome = 'ok'
                    """, as: Int.self)
            }
            #expect(audited >= 15, "every write of the school's administrator is audited under its name")

            // The teacher is dismissed: the session stops at once, sign-in fails, assignments end, the class has no homeroom teacher.
            let dismissed = try await client.data(schoolAdmin, """
                mutation ($input: DismissalInput!) { dismissStaff(input: $input) { id dismissedOn } }
                """, ["input": ["staffId": staff[0], "on": SchoolYearClient.date(), "orderNumber": "15-к"]])
            #expect(dismissed.at("dismissStaff.dismissedOn") as? String == SchoolYearClient.date())
            let after = try await api.graphql("{ me { name } }", token: teacher)
            #expect(after.status == .unauthorized)
            let again2 = try await api.login("smirnova", SchoolYearClient.password)
            #expect(again2["token"] == nil, "a dismissed teacher cannot sign in: \(again2.text)")
            let classAfter = try await client.data(schoolAdmin, "query ($id: ID!) { class(id: $id) { homeroomTeacher { id } teachers { teacher { id } endsOn } } }", ["id": klass])
            #expect(classAfter.at("class.homeroomTeacher") is NSNull)
            #expect((classAfter.at("class.teachers") as? [[String: Any]])?.compactMap { $0.at("teacher.id") as? String } == [staff[1]])

            // Unlinked, the mother no longer sees her child.
            let child = "query ($id: ID!) { learner(id: $id) { id } }"
            #expect(try await client.data(parent, child, ["id": learners[0]]).at("learner.id") as? String == learners[0])
            try await client.data(schoolAdmin, "mutation ($l: ID!, $g: ID!) { unlinkGuardian(learnerId: $l, guardianId: $g) { id } }",
                                  ["l": learners[0], "g": mother])
            #expect(try await client.data(parent, child, ["id": learners[0]]).at("learner") is NSNull)
        }
    }
}
