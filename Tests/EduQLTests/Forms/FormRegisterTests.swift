import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// What the forms count is entered through the API, not patched into the database: a learner's
/// impairment (ОВЗ), disability and citizenship — on admission and by correction — a class
/// taught inside a class-complex, an adapted programme's length and first additional class, a
/// group for care only and one compensating by kind, a staff member's post. Each lands in its
/// cell; a length that breaks a ratio is named and corrected through the API; the health data
/// stays the school's.
@Suite("Statistical forms: the register behind them", .serialized, .timeLimit(.minutes(4)))
struct FormRegisterTests {
    let logger = Logger(label: "eduql-tests")
    typealias Forms = StatisticalFormTests

    /// Runs `sql` on the owner's connection and returns its one integer.
    func count(_ database: ClusterConnections, _ sql: String) async throws -> Int {
        try await database.owner.withConnection(logger: self.logger) {
            try await $0.scalar(PostgresQuery(unsafeSQL: sql), as: Int.self)
        }
    }

    /// The cells of a form computed through the API, which holds every control ratio.
    func computed(_ api: TestAPI, _ token: String, _ organization: Int, _ form: String, _ year: Int) async throws -> [String: Double] {
        let reply = try await Forms().compute(api, token, organization, form, year)
        let report = try #require(reply.data?["computeStatisticalForm"] as? [String: Any], "\(reply.text)")
        #expect((report["problems"] as? [Any])?.isEmpty == true, "\(report["problems"] ?? "")")
        return Forms.cells(report)
    }

    @Test("a school enters ОВЗ, disability, citizenship, class-complexes, adapted lengths and posts through the API, and ОО-1 counts them")
    func school() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await Forms().fixture(database)
        let year = Forms.schoolYear
        let on = "\(year)-09-10"
        let academicYear = try await self.count(database, """
            SELECT y.id::int FROM eduql.academic_years y JOIN eduql.organizations o ON o.region_id = y.region_id
            WHERE o.id = \(fixture.school) AND DATE '\(year)-09-20' BETWEEN y.starts_on AND y.ends_on
            """)
        let demoLearner = try await self.count(database, """
            SELECT min(e.learner_id)::int FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id
            WHERE k.organization_id = \(fixture.school) AND e.status = 'active' AND e.enrolled_on <= DATE '\(year)-09-20'
            """)
        let otherLearner = try await self.count(database, "SELECT min(l.id)::int FROM eduql.learners l WHERE l.organization_id = \(fixture.secondSchool)")
        try await TestAPI.run(database) { api in
            let admin = try await Forms().admin(api, fixture.schoolRole)
            func write(_ document: String, _ variables: [String: Any], _ path: String) async throws -> String {
                let reply = try await api.graphql(document, variables: variables, token: admin)
                return try #require(reply.data?.at(path) as? String, "\(reply.text)")
            }
            let createClass = "mutation($input: ClassInput!) { createClass(input: $input) { id adaptedYears additionalYear combinedClass } }"
            let adapted = try await write(createClass, ["input": ["academicYearId": String(academicYear), "grade": 1, "letter": "Д", "programme": "ADAPTED",
                                                                  "adaptedVariant": "9.1", "adaptedYears": 10, "additionalYear": 1]], "createClass.id")
            let second = try await write(createClass, ["input": ["academicYearId": String(academicYear), "grade": 2, "letter": "К",
                                                                 "combinedClass": "2–3 К"]], "createClass.id")
            _ = try await write(createClass, ["input": ["academicYearId": String(academicYear), "grade": 3, "letter": "К",
                                                        "combinedClass": "2–3 К"]], "createClass.id")
            let admit = """
                mutation($input: AdmitLearnerInput!) { admitLearner(input: $input) { id citizenship secondCitizenship healthLimitation disabled } }
                """
            func card(_ extra: [String: Any]) -> [String: Any] {
                ["lastName": "Иванова", "firstName": "Анна", "gender": "FEMALE", "birthDate": "\(year - 8)-03-04"].merging(extra) { _, new in new }
            }
            let admitted = try await api.graphql(admit, variables: ["input": [
                "classId": adapted, "on": on, "orderNumber": "15-у",
                "learner": card(["healthLimitation": "INTELLECTUAL", "disabled": true, "citizenship": "kaz"])]], token: admin)
            #expect(admitted.data?.at("admitLearner.citizenship") as? String == "KAZ"
                    && admitted.data?.at("admitLearner.healthLimitation") as? String == "INTELLECTUAL"
                    && admitted.data?.at("admitLearner.disabled") as? Bool == true, "\(admitted.text)")
            _ = try await write(admit, ["input": ["classId": second, "on": on, "orderNumber": "16-у",
                                                  "learner": card(["secondCitizenship": "BLR"])]], "admitLearner.id")
            // A demo learner's card corrected: an impairment the commission stated later.
            let update = "mutation($id: ID!, $input: LearnerCardInput!) { updateLearner(learnerId: $id, input: $input) { id healthLimitation } }"
            #expect(try await write(update, ["id": String(demoLearner), "input": ["healthLimitation": "AUTISM", "disabled": false]], "updateLearner.healthLimitation") == "AUTISM")
            // Optional fields clear with null (every update binds only what it writes), a class leaves its class-complex with "".
            let cleared = try await api.graphql("""
                mutation($id: ID!) { updateLearner(learnerId: $id, input: { middleName: null, address: null, secondCitizenship: null }) { middleName address } }
                """, variables: ["id": String(demoLearner)], token: admin)
            #expect(cleared.data?.at("updateLearner.middleName") is NSNull && cleared.data?.at("updateLearner.address") is NSNull, "\(cleared.text)")
            let third = try await write(createClass, ["input": ["academicYearId": String(academicYear), "grade": 4, "letter": "К",
                                                               "combinedClass": "4 К"]], "createClass.id")
            let alone = try await api.graphql("mutation($id: ID!) { updateClass(classId: $id, input: { combinedClass: \"\" }) { combinedClass } }",
                                              variables: ["id": third], token: admin)
            #expect(alone.data?.at("updateClass.combinedClass") is NSNull, "\(alone.text)")
            let hire = "mutation($input: StaffInput!) { hireStaff(input: $input) { id post } }"
            func person(_ position: String, _ extra: [String: Any] = [:]) -> [String: Any] {
                ["lastName": "Петрова", "firstName": "Ольга", "gender": "FEMALE", "birthDate": "1985-02-03", "position": position,
                 "educationLevel": "HIGHER_PEDAGOGICAL", "hiredOn": "\(year)-09-01", "experienceSince": "2010-09-01"].merging(extra) { _, new in new }
            }
            #expect(try await write(hire, ["input": person("Педагог-психолог")], "hireStaff.post") == "PSYCHOLOGIST")
            #expect(try await write(hire, ["input": person("Специалист службы сопровождения", ["post": "SPEECH_THERAPIST"])], "hireStaff.post") == "SPEECH_THERAPIST")
            // A staff card corrected: a post given, then cleared (read from the position's wording again); bad values refused.
            let hired = try await write(hire, ["input": person("Учитель-логопед")], "hireStaff.id")
            let updateStaff = "mutation($id: ID!, $input: StaffChangeInput!) { updateStaff(staffId: $id, input: $input) { id post rate } }"
            #expect(try await write(updateStaff, ["id": hired, "input": ["post": "DEFECTOLOGIST", "rate": 0.5]], "updateStaff.post") == "DEFECTOLOGIST")
            #expect(try await write(updateStaff, ["id": hired, "input": ["post": NSNull()]], "updateStaff.post") == "SPEECH_THERAPIST")
            for (input, path) in [(["rate": 3], "rate"), (["experienceSince": "2999-01-01"], "experienceSince"), (["lastName": NSNull()], "lastName"),
                                  (["snils": "123-456-789 00"], "snils"), (["employment": NSNull()], "employment")] as [([String: Any], String)] {
                let refused = try await api.graphql(updateStaff, variables: ["id": hired, "input": input], token: admin)
                #expect(refused.errorCodes == ["BAD_USER_INPUT"] && refused.text.contains(path), "\(refused.text)")
            }
            let otherStaff = try await self.count(database, "SELECT min(id)::int FROM eduql.staff WHERE organization_id = \(fixture.secondSchool)")
            let foreign = try await api.graphql(updateStaff, variables: ["id": String(otherStaff), "input": ["rate": 0.5]], token: admin)
            #expect(foreign.errorCodes == ["FORBIDDEN"], "\(foreign.text)")
            #expect(try await self.count(database, "SELECT count(*)::int FROM eduql.staff WHERE id = \(otherStaff) AND rate = 0.5") == 0)

            // Bad values are refused by name, and nothing changes.
            for (variables, path) in [
                (["id": String(demoLearner), "input": ["citizenship": "Russia"]], "citizenship"),
                (["id": String(demoLearner), "input": ["secondCitizenship": "RUS"]], "secondCitizenship"),
                (["id": String(demoLearner), "input": ["disabled": NSNull()]], "disabled"),
                (["id": String(demoLearner), "input": ["birthDate": "2999-01-01"]], "birthDate"),
                (["id": String(demoLearner), "input": ["birthDate": "1899-12-31"]], "birthDate"),
                (["id": String(demoLearner), "input": ["birthDate": "2020-02-30"]], "birthDate"),
                (["id": String(demoLearner), "input": ["lastName": String(repeating: "Я", count: 101)]], "lastName"),
                (["id": String(demoLearner), "input": ["healthLimitation": "UNKNOWN"]], "healthLimitation"),
                (["id": String(demoLearner), "input": [:]], "input"),
            ] as [([String: Any], String)] {
                let refused = try await api.graphql(update, variables: variables, token: admin)
                #expect(refused.errorCodes == ["BAD_USER_INPUT"] && refused.text.contains(path), "\(refused.text)")
            }
            let elsewhere = try await api.graphql(update, variables: ["id": String(otherLearner), "input": ["disabled": true]], token: admin)
            #expect(elsewhere.errorCodes == ["FORBIDDEN"], "\(elsewhere.text)")
            for input in [["academicYearId": String(academicYear), "grade": 2, "letter": "Ж", "programme": "ADAPTED", "adaptedVariant": "9.2", "additionalYear": 1],
                          ["academicYearId": String(academicYear), "grade": 4, "letter": "Ж", "adaptedYears": 5]] as [[String: Any]] {
                #expect(try await api.graphql(createClass, variables: ["input": input], token: admin).errorCodes == ["BAD_USER_INPUT"])
            }
            #expect(try await self.count(database, "SELECT count(*)::int FROM eduql.learners WHERE id = \(otherLearner) AND disabled") == 0)
            // The authorities above a school read its register but correct no card of it.
            let card = "SELECT count(*)::int FROM eduql.learners WHERE id = \(demoLearner) AND NOT disabled AND health_limitation = 'autism'"
            #expect(try await self.count(database, card) == 1)
            #expect(try await self.count(database, "SELECT count(*)::int FROM eduql.staff WHERE id = \(hired) AND rate = 0.5") == 1)
            for login in ["mouo.admin", "region.admin"] {
                let token = try await api.demoToken(login)
                let learner = try await api.graphql(update, variables: ["id": String(demoLearner), "input": ["disabled": true]], token: token)
                let person = try await api.graphql(updateStaff, variables: ["id": hired, "input": ["rate": 0.25]], token: token)
                #expect(!learner.errorCodes.isEmpty && !person.errorCodes.isEmpty, "\(login): \(learner.text) \(person.text)")
            }
            #expect(try await self.count(database, card) == 1)
            #expect(try await self.count(database, "SELECT count(*)::int FROM eduql.staff WHERE id = \(hired) AND rate = 0.5") == 1)

            // The health data is the school's: a teacher's schema has no such fields on a learner.
            let teacher = try await api.demoToken("teacher")
            let fields = try await api.graphql("{ __type(name: \"Learner\") { fields { name } } }", token: teacher)
            let names = (fields.data?.at("__type.fields") as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
            #expect(names.contains("lastName") && !names.contains("healthLimitation") && !names.contains("disabled") && !names.contains("citizenship"),
                    "\(names)")
            let denied = try await api.graphql(update, variables: ["id": String(demoLearner), "input": ["disabled": true]], token: teacher)
            #expect(!denied.errorCodes.isEmpty && denied.data?.at("updateLearner") == nil, "\(denied.text)")

            // ОО-1 counts every one of them, each where the edition puts it, and every ratio holds.
            let cells = try await self.computed(api, admin, fixture.school, "OO-1", year)
            let enrolled = """
                FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.learners l ON l.id = e.learner_id
                WHERE k.organization_id = \(fixture.school) AND k.kind = 'class' AND e.enrolled_on <= DATE '\(year)-09-20'
                AND (e.left_on IS NULL OR e.left_on > DATE '\(year)-09-20')
                """
            let staff = "FROM eduql.staff s WHERE s.organization_id = \(fixture.school) AND s.hired_on <= DATE '\(year)-09-20' AND s.dismissed_on IS NULL"
            let expected: [String: Int] = [
                "2.1.3:03:5": 1, "2.1.3:04:5": 1, "2.1.3:04:3": 1, "2.4:01:5": 1, "2.4:01:6": 2,
                "2.8:01:3": try await self.count(database, "SELECT count(*)::int \(enrolled) AND l.health_limitation IS NOT NULL"),
                "2.8:10:3": try await self.count(database, "SELECT count(*)::int \(enrolled) AND l.health_limitation = 'autism'"),
                "2.8:11:5": try await self.count(database, "SELECT count(*)::int \(enrolled) AND l.health_limitation = 'intellectual' AND k.programme = 'adapted'"),
                "2.8:14:3": try await self.count(database, "SELECT count(*)::int \(enrolled) AND l.disabled"),
                "2.5:01:5": try await self.count(database, "SELECT count(*)::int \(enrolled) AND l.citizenship NOT IN ('RUS', 'stateless')"),
                "2.5:01:6": try await self.count(database, "SELECT count(*)::int \(enrolled) AND l.second_citizenship IS NOT NULL"),
                "3.5:06:3": try await self.count(database, "SELECT count(*)::int \(staff) AND s.post_category = 'psychologist'"),
                "3.1:08:3": try await self.count(database, "SELECT count(*)::int \(staff) AND s.post_category = 'psychologist'"),
                "3.1:09:5": try await self.count(database, "SELECT count(*)::int \(staff) AND s.post_category = 'speech_therapist' AND s.education_level IN ('higher', 'higher_pedagogical')"),
                "3.5:07:3": try await self.count(database, "SELECT count(*)::int \(staff) AND s.post_category = 'speech_therapist'"),
            ]
            #expect(expected["2.8:11:5"]! >= 1 && expected["2.8:10:3"]! >= 1 && expected["2.5:01:6"]! >= 1 && expected["3.5:07:3"]! >= 1, "\(expected)")
            for (cell, value) in expected { #expect(cells[cell] == Double(value), "\(cell)") }

            // A programme length the edition has no row for breaks the ratio with 2.1.2, named by its cells; corrected through the API, it holds.
            try await database.owner.withConnection(logger: self.logger) {
                try await $0.execute(PostgresQuery(unsafeSQL: "UPDATE eduql.classes SET adapted_years = 13 WHERE id = \(adapted)"), logger: self.logger)
            }
            let broken = try await Forms().compute(api, admin, fixture.school, "OO-1", year)
            let problems = broken.data?.at("computeStatisticalForm.problems") as? [[String: Any]] ?? []
            let length = problems.first { ($0["ratio"] as? String)?.hasPrefix("2.1.3 стр. 02 + 04 + 06 + 08") == true }
            #expect((length?["cells"] as? [String]) == ["2.1.3:02:3", "2.1.3:04:3", "2.1.3:06:3", "2.1.3:08:3", "2.1.2:10:3"], "\(problems)")
            #expect((length?["left"] as? NSNumber).map { $0.intValue + 1 } == (length?["right"] as? NSNumber)?.intValue, "\(problems)")
            #expect((length?["units"] as? [[String: Any]])?.map { $0["id"] as? String } == [adapted], "\(problems)")
            let fixed = try await api.graphql("mutation($id: ID!) { updateClass(classId: $id, input: { adaptedYears: 10 }) { adaptedYears } }",
                                              variables: ["id": adapted], token: admin)
            #expect(fixed.data?.at("updateClass.adaptedYears") as? Int == 10, "\(fixed.text)")
            let again = try await Forms().compute(api, admin, fixture.school, "OO-1", year)
            #expect((again.data?.at("computeStatisticalForm.problems") as? [Any])?.isEmpty == true, "\(again.text)")
        }
    }

    @Test("a kindergarten enters groups for care only and compensating ones by kind, and children's ОВЗ; 85-К counts them")
    func kindergarten() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await Forms().fixture(database)
        let year = Forms.calendarYear
        let academicYear = try await self.count(database, """
            SELECT y.id::int FROM eduql.academic_years y JOIN eduql.organizations o ON o.region_id = y.region_id
            WHERE o.id = \(fixture.kindergarten) AND DATE '\(year)-12-31' BETWEEN y.starts_on AND y.ends_on
            """)
        try await TestAPI.run(database) { api in
            let admin = try await Forms().admin(api, fixture.kindergartenRole)
            let group = "mutation($input: GroupInput!) { createGroup(input: $input) { id orientation } }"
            let care = try await api.graphql(group, variables: ["input": ["academicYearId": String(academicYear), "name": "Группа присмотра",
                                                                          "ageFrom": 3, "ageTo": 4, "orientation": "CARE", "capacity": 12]], token: admin)
            #expect(care.data?.at("createGroup.orientation") as? String == "CARE", "\(care.text)")
            let speech = try await api.graphql(group, variables: ["input": ["academicYearId": String(academicYear), "name": "Логопедическая",
                                                                            "ageFrom": 5, "ageTo": 6, "orientation": "COMPENSATING",
                                                                            "compensatingKind": "тяжёлые нарушения речи", "capacity": 12]], token: admin)
            let speechGroup = try #require(speech.data?.at("createGroup.id") as? String, "\(speech.text)")
            let admitted = try await api.graphql("mutation($input: AdmitLearnerInput!) { admitLearner(input: $input) { id } }", variables: ["input": [
                "classId": speechGroup, "on": "\(year)-12-01", "orderNumber": "7-д",
                "learner": ["lastName": "Сидоров", "firstName": "Пётр", "gender": "MALE", "birthDate": "\(year - 6)-02-01",
                            "healthLimitation": "SEVERE_SPEECH", "disabled": true]]], token: admin)
            #expect(admitted.data?.at("admitLearner.id") is String, "\(admitted.text)")

            let cells = try await self.computed(api, admin, fixture.kindergarten, "85-K", year)
            let children = """
                FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.learners l ON l.id = e.learner_id
                WHERE k.organization_id = \(fixture.kindergarten) AND k.kind = 'group' AND e.enrolled_on <= DATE '\(year)-12-31'
                AND (e.left_on IS NULL OR e.left_on > DATE '\(year)-12-31')
                """
            let expected: [String: Int] = [
                "4:419:3": 1, "4:404:3": 1, "4:405:3": 1, "4:402:3": 1, "4:405:9": 1,
                "6:601:3": try await self.count(database, "SELECT count(*)::int \(children) AND l.health_limitation IS NOT NULL"),
                "6:607:3": try await self.count(database, "SELECT count(*)::int \(children) AND l.health_limitation = 'severe_speech'"),
                "6:607:5": 1,
                "6:614:3": try await self.count(database, "SELECT count(*)::int \(children) AND l.disabled"),
                "7:705:3": try await self.count(database, """
                    SELECT count(*)::int \(children) AND (k.orientation = 'compensating' OR (k.orientation = 'combined' AND l.health_limitation IS NOT NULL))
                    """),
            ]
            #expect(expected["6:607:3"]! >= 1 && expected["7:705:3"]! >= 1, "\(expected)")
            for (cell, value) in expected { #expect(cells[cell] == Double(value), "\(cell)") }
        }
    }
}
