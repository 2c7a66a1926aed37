import EduQLSchema
@testable import EduQLServer
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// Federal statistical forms on the demo register: ОО-1 of a school and 85-К of a kindergarten
/// computed with every control ratio holding and every checked cell equal to SQL over the raw
/// tables; a ratio broken on purpose named with the person behind it; the municipality returns
/// one form and accepts the corrected one; the consolidated form is the sum of the accepted
/// forms cell by cell; nobody but the organization and the authorities above it reads a form.
@Suite("Statistical forms", .serialized, .timeLimit(.minutes(4)))
struct StatisticalFormTests {
    let logger = Logger(label: "eduql-tests")

    struct Fixture: Sendable {
        var school: Int
        var secondSchool: Int
        var kindergarten: Int
        /// The demo school admin's assignments: its own school, a second school and a kindergarten of the municipality.
        var schoolRole: Int
        var secondSchoolRole: Int
        var kindergartenRole: Int
    }

    /// ОО-1's reporting year: this year once 20 September has come, else the last.
    static var schoolYear: Int {
        let today = Date.ISO8601FormatStyle().year().month().day().format(Date())
        let year = Int(today.prefix(4))!
        return today.dropFirst(5) >= "09-20" ? year : year - 1
    }
    static var calendarYear: Int { Int(Date.ISO8601FormatStyle().year().format(Date()).prefix(4))! }

    static let report = """
        id form edition reportingDate status comment organization { id }
        problems { ratio section cells left right units { id label } }
        cells { section row column value } history { status changedBy comment }
        """

    func fixture(_ database: ClusterConnections) async throws -> Fixture {
        try await database.owner.withConnection(logger: self.logger) { connection in
            let (user, school, role) = try await connection.query("""
                SELECT u.id::int, ra.organization_id::int, ra.id::int FROM eduql.users u JOIN eduql.role_assignments ra ON ra.user_id = u.id
                WHERE u.login = 'school.admin' AND ra.role = 'school_admin'
                """, logger: self.logger).collect().first!.decode((Int, Int, Int).self)
            func assign(_ kind: String) async throws -> (Int, Int) {
                try await connection.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO eduql.role_assignments (region_id, municipality_id, organization_id, user_id, role)
                    SELECT o.region_id, o.municipality_id, o.id, \(user), 'school_admin' FROM eduql.organizations o
                    WHERE o.id = (SELECT min(x.id) FROM eduql.organizations x WHERE x.kind = '\(kind)' AND x.status = 'active' AND x.id <> \(school)
                                  AND x.municipality_id = (SELECT municipality_id FROM eduql.organizations WHERE id = \(school)))
                    RETURNING organization_id::int, id::int
                    """), logger: self.logger).collect().first!.decode((Int, Int).self)
            }
            let (second, secondRole) = try await assign("school")
            let (kindergarten, kindergartenRole) = try await assign("kindergarten")
            return Fixture(school: school, secondSchool: second, kindergarten: kindergarten, schoolRole: role, secondSchoolRole: secondRole,
                           kindergartenRole: kindergartenRole)
        }
    }

    func admin(_ api: TestAPI, _ assignment: Int) async throws -> String {
        try await api.token("school.admin", try await TestCluster.shared.password(of: "school.admin"), role: String(assignment))
    }

    func compute(_ api: TestAPI, _ token: String, _ organization: Int, _ form: String, _ year: Int) async throws -> TestAPI.Reply {
        try await api.graphql("mutation($o: ID!, $f: String!, $y: Int!) { computeStatisticalForm(organizationId: $o, form: $f, year: $y) { \(Self.report) } }",
                              variables: ["o": String(organization), "f": form, "y": year], token: token)
    }

    /// The cells of a report, `section:row:column` → value.
    static func cells(_ report: [String: Any]) -> [String: Double] {
        var cells: [String: Double] = [:]
        for cell in report["cells"] as? [[String: Any]] ?? [] {
            cells["\(cell["section"]!):\(cell["row"]!):\(cell["column"]!)"] = (cell["value"] as? NSNumber)?.doubleValue
        }
        return cells
    }

    @Test("ОО-1 of a school and 85-К of a kindergarten hold every control ratio on the demo register, and their cells are what SQL counts")
    func computed() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let (schoolYear, calendarYear) = (Self.schoolYear, Self.calendarYear)
        let expected = try await database.owner.withConnection(logger: self.logger) { connection in
            // A learner of the school who stays down a grade, and one who left it last year, so those rows count someone.
            try await connection.execute(PostgresQuery(unsafeSQL: """
                UPDATE eduql.enrollments SET repeats_grade = true WHERE id = (SELECT min(e.id) FROM eduql.enrollments e
                JOIN eduql.classes k ON k.id = e.class_id WHERE k.organization_id = \(fixture.school) AND e.status = 'active' AND k.grade = 5)
                """), logger: self.logger)
            try await connection.execute(PostgresQuery(unsafeSQL: """
                INSERT INTO eduql.movements (region_id, municipality_id, organization_id, learner_id, enrollment_id, kind, occurred_on, reason)
                SELECT e.region_id, e.municipality_id, e.organization_id, e.learner_id, e.id, 'expelled', DATE '\(schoolYear)-05-15', 'переезд'
                FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id WHERE k.organization_id = \(fixture.school) AND k.grade = 7
                ORDER BY e.id LIMIT 1
                """), logger: self.logger)
            let learners = "FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.learners l ON l.id = e.learner_id"
            func count(_ sql: String) async throws -> Double { Double(try await connection.scalar(PostgresQuery(unsafeSQL: sql), as: Int.self)) }
            let on = "DATE '\(schoolYear)-09-20'", end = "DATE '\(calendarYear)-12-31'"
            return [
                "OO-1 2.1.1:13:4": try await count("SELECT count(*)::int \(learners) WHERE k.organization_id = \(fixture.school) AND k.kind = 'class' AND e.enrolled_on <= \(on) AND (e.left_on IS NULL OR e.left_on > \(on))"),
                "OO-1 2.1.1:13:5": try await count("SELECT count(*)::int \(learners) WHERE k.organization_id = \(fixture.school) AND k.kind = 'class' AND l.gender = 'female' AND e.enrolled_on <= \(on) AND (e.left_on IS NULL OR e.left_on > \(on))"),
                "OO-1 2.1.1:05:4": try await count("SELECT count(*)::int \(learners) WHERE k.organization_id = \(fixture.school) AND k.grade = 5 AND e.enrolled_on <= \(on) AND (e.left_on IS NULL OR e.left_on > \(on))"),
                "OO-1 2.4:01:3": try await count("SELECT count(*)::int FROM eduql.classes k JOIN eduql.academic_years y ON y.id = k.academic_year_id WHERE k.organization_id = \(fixture.school) AND k.kind = 'class' AND \(on) BETWEEN y.starts_on AND y.ends_on"),
                "OO-1 2.7:02:3": try await count("SELECT count(*)::int \(learners) WHERE k.organization_id = \(fixture.school) AND k.kind = 'class' AND e.repeats_grade AND e.enrolled_on <= \(on) AND (e.left_on IS NULL OR e.left_on > \(on))"),
                "OO-1 2.6:04:5": try await count("SELECT count(*)::int FROM eduql.movements m JOIN eduql.enrollments e ON e.id = m.enrollment_id JOIN eduql.classes k ON k.id = e.class_id WHERE m.organization_id = \(fixture.school) AND m.kind = 'expelled' AND k.grade BETWEEN 5 AND 9 AND m.occurred_on BETWEEN DATE '\(schoolYear - 1)-09-01' AND DATE '\(schoolYear)-08-31'"),
                "OO-1 2.6:01:3": try await count("SELECT count(*)::int FROM eduql.movements m WHERE m.organization_id = \(fixture.school) AND m.kind = 'admitted' AND m.occurred_on BETWEEN DATE '\(schoolYear - 1)-09-01' AND DATE '\(schoolYear)-08-31'"),
                "OO-1 3.1:01:3": try await count("SELECT count(*)::int FROM eduql.staff s WHERE s.organization_id = \(fixture.school) AND s.hired_on <= \(on) AND (s.dismissed_on IS NULL OR s.dismissed_on > \(on))"),
                "OO-1 3.1:01:4": try await count("SELECT count(*)::int FROM eduql.staff s WHERE s.organization_id = \(fixture.school) AND s.gender = 'female' AND s.hired_on <= \(on) AND (s.dismissed_on IS NULL OR s.dismissed_on > \(on))"),
                "85-K 7:701:3": try await count("SELECT count(*)::int \(learners) WHERE k.organization_id = \(fixture.kindergarten) AND k.kind = 'group' AND e.enrolled_on <= \(end) AND (e.left_on IS NULL OR e.left_on > \(end))"),
                "85-K 7:702:3": try await count("SELECT count(*)::int \(learners) WHERE k.organization_id = \(fixture.kindergarten) AND k.kind = 'group' AND l.gender = 'female' AND e.enrolled_on <= \(end) AND (e.left_on IS NULL OR e.left_on > \(end))"),
                "85-K 4:401:3": try await count("SELECT count(*)::int FROM eduql.classes k JOIN eduql.academic_years y ON y.id = k.academic_year_id WHERE k.organization_id = \(fixture.kindergarten) AND k.kind = 'group' AND \(end) BETWEEN y.starts_on AND y.ends_on"),
            ]
        }
        #expect(expected["OO-1 2.1.1:13:4"]! > 0 && expected["85-K 7:701:3"]! > 0 && expected["OO-1 3.1:01:3"]! > 0
                && expected["OO-1 2.7:02:3"]! == 1 && expected["OO-1 2.6:04:5"]! == 1, "\(expected)")
        try await TestAPI.run(database) { api in
            let school = try await self.admin(api, fixture.schoolRole)
            let kindergarten = try await self.admin(api, fixture.kindergartenRole)
            for (token, organization, form, year) in [(school, fixture.school, "OO-1", schoolYear), (kindergarten, fixture.kindergarten, "85-K", calendarYear)] {
                let reply = try await self.compute(api, token, organization, form, year)
                let report = try #require(reply.data?["computeStatisticalForm"] as? [String: Any], "\(reply.text)")
                #expect(report["status"] as? String == "COMPUTED" && report["edition"] as? String == "2024")
                #expect((report["problems"] as? [Any])?.isEmpty == true, "\(form): \(report["problems"] ?? "")")
                let cells = Self.cells(report)
                for (key, value) in expected where key.hasPrefix(form + " ") {
                    #expect(cells[String(key.dropFirst(form.count + 1))] == value, "\(key)")
                }
            }
            // The definitions name each row and column as the edition numbers them.
            let definitions = try await api.graphql("{ statisticalFormDefinitions { form edition reportingDay sections { number rows { number label } columns { number } } } }",
                                                    token: school)
            let forms = try #require(definitions.data?["statisticalFormDefinitions"] as? [[String: Any]], "\(definitions.text)")
            #expect(forms.map { "\($0["form"]!) \($0["edition"]!) \($0["reportingDay"]!)" } == ["85-K 2024 31.12", "OO-1 2024 20.09"])
            let seven = (forms[0]["sections"] as? [[String: Any]])?.first { $0["number"] as? String == "7" }
            #expect((seven?["rows"] as? [[String: Any]])?.prefix(2).map { $0["number"] as? String } == ["701", "702"])
            // An organization files only the forms of its kind.
            #expect(try await self.compute(api, kindergarten, fixture.kindergarten, "OO-1", schoolYear).errorCodes == ["BAD_USER_INPUT"])
            #expect(try await self.compute(api, school, fixture.school, "1-DO", schoolYear).errorCodes == ["BAD_USER_INPUT"])
            #expect(try await self.compute(api, school, fixture.school, "OO-1", 1999).errorCodes == ["BAD_USER_INPUT"])
        }
    }

    @Test("a control ratio broken on purpose is named with the staff member behind it; submitting is refused until the data is corrected")
    func brokenRatio() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let year = Self.schoolYear
        let (staff, educationLevel) = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT id::int, education_level FROM eduql.staff WHERE organization_id = \(fixture.school) AND dismissed_on IS NULL ORDER BY id LIMIT 1
                """), logger: self.logger).collect().first!.decode((Int, String).self)
        }
        try await database.owner.withConnection(logger: self.logger) {
            try await $0.execute(PostgresQuery(unsafeSQL: "UPDATE eduql.staff SET education_level = NULL WHERE id = \(staff)"), logger: self.logger)
        }
        try await TestAPI.run(database) { api in
            let school = try await self.admin(api, fixture.schoolRole)
            let reply = try await self.compute(api, school, fixture.school, "OO-1", year)
            let report = try #require(reply.data?["computeStatisticalForm"] as? [String: Any], "\(reply.text)")
            let problems = try #require(report["problems"] as? [[String: Any]])
            let education = try #require(problems.first { ($0["ratio"] as? String)?.hasPrefix("3.1: гр. 3 = гр. 5 + гр. 7 + гр. 9") == true }, "\(problems)")
            #expect((education["cells"] as? [String])?.first == "3.1:01:3")
            #expect((education["left"] as? NSNumber)?.doubleValue == ((education["right"] as? NSNumber)?.doubleValue ?? 0) + 1)
            #expect((education["units"] as? [[String: Any]])?.map { $0["id"] as? String } == [String(staff)], "\(education)")
            let id = try #require(report["id"] as? String)
            let submit = "mutation($id: ID!) { submitStatisticalForm(reportId: $id) { status } }"
            let refused = try await api.graphql(submit, variables: ["id": id], token: school)
            #expect(refused.errorCodes == ["BAD_USER_INPUT"] && refused.text.contains("3.1"), "\(refused.text)")
            // Corrected through the API, computed again: it holds, and goes.
            let corrected = try await api.graphql("mutation($id: ID!, $level: EducationLevel!) { updateStaff(staffId: $id, input: { educationLevel: $level }) { educationLevel } }",
                                                  variables: ["id": String(staff), "level": educationLevel.uppercased()], token: school)
            #expect(corrected.data?.at("updateStaff.educationLevel") as? String == educationLevel.uppercased(), "\(corrected.text)")
            let again = try await self.compute(api, school, fixture.school, "OO-1", year)
            #expect((again.data?.at("computeStatisticalForm.problems") as? [Any])?.isEmpty == true, "\(again.text)")
            #expect(again.data?.at("computeStatisticalForm.id") as? String == id)
            let submitted = try await api.graphql(submit, variables: ["id": id], token: school)
            #expect(submitted.data?.at("submitStatisticalForm.status") as? String == "SUBMITTED", "\(submitted.text)")
            // Submitted, it is not computed again: refused before, and by the database itself should a computation race the submit.
            #expect(try await self.compute(api, school, fixture.school, "OO-1", year).errorCodes == ["BAD_USER_INPUT"])
            let state = try await database.owner.withConnection(logger: self.logger) { connection -> String? in
                do {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: "SELECT eduql.compute_form('OO-1', '2024', \(fixture.school), DATE '\(year)-09-20')"),
                                                   logger: self.logger).collect()
                    return nil
                } catch let error as PSQLError {
                    return error.serverInfo?[.sqlState]
                }
            }
            #expect(state == "23514")
        }
    }

    @Test("the municipality returns a form with a comment and accepts the corrected one; the region's consolidated form is the sum of the accepted forms cell by cell")
    func workflow() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let year = Self.schoolYear
        try await TestAPI.run(database) { api in
            let school = try await self.admin(api, fixture.schoolRole)
            let second = try await self.admin(api, fixture.secondSchoolRole)
            let mouo = try await api.demoToken("mouo.admin")
            let region = try await api.demoToken("region.admin")
            let horizon = try #require(try await api.graphql("{ changes(first: 0) { horizon } }", token: mouo).data?.at("changes.horizon") as? String)
            func file(_ token: String, _ organization: Int) async throws -> String {
                let computed = try await self.compute(api, token, organization, "OO-1", year)
                let id = try #require(computed.data?.at("computeStatisticalForm.id") as? String, "\(computed.text)")
                let submitted = try await api.graphql("mutation($id: ID!) { submitStatisticalForm(reportId: $id) { status } }", variables: ["id": id], token: token)
                #expect(submitted.data?.at("submitStatisticalForm.status") as? String == "SUBMITTED", "\(submitted.text)")
                return id
            }
            let first = try await file(school, fixture.school)
            let returned = try await api.graphql("mutation($id: ID!) { returnStatisticalForm(reportId: $id, comment: \"Проверьте численность девочек\") { status comment } }",
                                                 variables: ["id": first], token: mouo)
            #expect(returned.data?.at("returnStatisticalForm.status") as? String == "RETURNED", "\(returned.text)")
            // The school sees why, corrects, computes again and submits; the municipality accepts.
            let seen = try await api.graphql("query($id: ID!) { statisticalReport(id: $id) { status comment } }", variables: ["id": first], token: school)
            #expect(seen.data?.at("statisticalReport.comment") as? String == "Проверьте численность девочек", "\(seen.text)")
            #expect(try await file(school, fixture.school) == first)
            let secondID = try await file(second, fixture.secondSchool)
            for id in [first, secondID] {
                let accepted = try await api.graphql("mutation($id: ID!) { acceptStatisticalForm(reportId: $id) { status history { status changedBy comment } } }",
                                                     variables: ["id": id], token: mouo)
                #expect(accepted.data?.at("acceptStatisticalForm.status") as? String == "ACCEPTED", "\(accepted.text)")
            }
            let history = try await api.graphql("query($id: ID!) { statisticalReport(id: $id) { history { status comment } } }", variables: ["id": first], token: school)
            #expect((history.data?.at("statisticalReport.history") as? [[String: Any]])?.map { $0["status"] as? String }
                    == ["COMPUTED", "SUBMITTED", "RETURNED", "COMPUTED", "SUBMITTED", "ACCEPTED"], "\(history.text)")
            // Accepted forms are final: neither the school nor the municipality moves them again.
            #expect(try await api.graphql("mutation($id: ID!) { returnStatisticalForm(reportId: $id, comment: \"x\") { status } }",
                                          variables: ["id": first], token: mouo).errorCodes == ["FORBIDDEN"])

            // The consolidated form: each cell the sum of the two accepted forms' cells.
            let sums = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: """
                    SELECT c.section || ':' || c.row_number || ':' || c.column_number, sum(c.value)::float8 FROM eduql.form_report_cells c
                    WHERE c.report_id IN (\(first), \(secondID)) GROUP BY 1
                    """), logger: self.logger).collect().map { try $0.decode((String, Double).self) }
            }
            for (token, municipality) in [(region, nil as String?), (mouo, nil)] {
                let consolidated = try await api.graphql("query($y: Int!, $m: ID) { consolidatedStatisticalForm(form: \"OO-1\", year: $y, municipalityId: $m) { reports cells { section row column value } } }",
                                                         variables: ["y": year, "m": municipality as Any? ?? NSNull()], token: token)
                let form = try #require(consolidated.data?["consolidatedStatisticalForm"] as? [String: Any], "\(consolidated.text)")
                #expect(form["reports"] as? Int == 2)
                let cells = Self.cells(form)
                #expect(cells.count == sums.count && sums.allSatisfy { cells[$0.0] == $0.1 }, "\(form)")
            }
            // The consolidated form as a file, a line per cell: the same sums.
            let file = try await api.client.execute(uri: "/forms/consolidated?form=OO-1&year=\(year)&format=csv", method: .get,
                                                    headers: [.authorization: "Bearer \(region)"], body: nil) { ($0.status, Data(buffer: $0.body)) }
            #expect(file.0 == .ok)
            let lines = String(decoding: file.1.dropFirst(3), as: UTF8.self).split(separator: "\r\n").dropFirst()
                .map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init) }
            let exported = Dictionary(lines.map { ("\($0[3]):\($0[4]):\($0[6])", Double($0[8]) ?? -1) }) { a, _ in a }
            #expect(sums.allSatisfy { exported[$0.0] == $0.1 } && exported.count >= sums.count, "\(lines.prefix(3))")
            for (uri, token, status) in [("/forms/consolidated?form=OO-1&year=\(year)", try await api.demoToken("teacher"), HTTPResponse.Status.forbidden),
                                         ("/forms/consolidated?form=OO-1&year=2001", region, .notFound),
                                         ("/forms/consolidated?form=OO-1", region, .badRequest),
                                         ("/forms/consolidated?form=OO-1&year=\(year)&municipality=x", region, .badRequest)] {
                #expect(try await api.client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"], body: nil) { $0.status } == status, "\(uri)")
            }
            // Every step is in the municipality's change feed.
            let feed = try await api.graphql("""
                query($after: Cursor) { changes(after: $after, types: [FORM_REPORT]) { changes { id statisticalReport { status } } } }
                """, variables: ["after": horizon], token: mouo)
            let changes = try #require(feed.data?.at("changes.changes") as? [[String: Any]], "\(feed.text)")
            #expect(Set(changes.compactMap { $0["id"] as? String }) == [first, secondID])
            #expect(changes.count >= 8)
        }
        // Audited: every step names its caller.
        let steps = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("""
                SELECT e.root_fields[1] || ':' || e.outcome || ':' || coalesce(e.role, '-') FROM eduql.audit_events e
                WHERE e.root_fields[1] LIKE '%StatisticalForm' ORDER BY e.seq
                """, as: String.self)
        }
        #expect(steps.contains("returnStatisticalForm:ok:mouo_admin") && steps.filter { $0 == "acceptStatisticalForm:ok:mouo_admin" }.count == 2, "\(steps)")
    }

    @Test("a form exports as XLSX in its layout, which LibreOffice opens headless with the right numbers (as PDF and as CSV), and as CSV; only to whoever reads it")
    func export() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-forms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if ProcessInfo.processInfo.environment["EDUQL_KEEP_FORMS"] == nil { try? FileManager.default.removeItem(at: folder) } }
        try await TestAPI.run(database) { api in
            let school = try await self.admin(api, fixture.schoolRole)
            let computed = try await self.compute(api, school, fixture.school, "OO-1", Self.schoolYear)
            let report = try #require(computed.data?["computeStatisticalForm"] as? [String: Any], "\(computed.text)")
            let id = try #require(report["id"] as? String)
            let cells = Self.cells(report)
            func download(_ format: String, _ token: String) async throws -> (HTTPResponse.Status, Data) {
                try await api.client.execute(uri: "/forms/reports/\(id)?format=\(format)", method: .get, headers: [.authorization: "Bearer \(token)"], body: nil) { response in
                    (response.status, Data(buffer: response.body))
                }
            }
            let (status, xlsx) = try await download("xlsx", school)
            #expect(status == .ok && xlsx.starts(with: [0x50, 0x4B]))
            let workbook = folder.appendingPathComponent("oo-1.xlsx")
            try xlsx.write(to: workbook)
            let profile = "-env:UserInstallation=file://" + folder.appendingPathComponent("profile").path
            // The first sheet (2.1.1) as LibreOffice reads it, as CSV in UTF-8; and the whole workbook as PDF.
            let converted = try Subprocess.run("/usr/bin/soffice", [profile, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
                                                                    "--outdir", folder.path, workbook.path])
            #expect(converted.status == 0, "\(converted.output)")
            let table = try String(contentsOf: folder.appendingPathComponent("oo-1.csv"), encoding: .utf8)
            let lines = table.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(lines.first?.first?.contains("OO-1") == true, "\(table.prefix(300))")
            let numbers = try #require(lines.first { $0.count > 2 && $0[0] == "1" && $0[1] == "2" }, "\(table)")
            #expect(Array(numbers.dropFirst(2)) == ["3", "4", "5"])
            for row in ["05", "13"] {
                let line = try #require(lines.first { $0.count > 4 && $0[1] == row }, "row \(row): \(table)")
                let values = line.dropFirst(2).map { Double($0) }
                #expect(values == ["3", "4", "5"].map { cells["2.1.1:\(row):\($0)"] }, "row \(row): \(line)")
            }
            let pdf = try Subprocess.run("/usr/bin/soffice", [profile, "--headless", "--convert-to", "pdf", "--outdir", folder.path, workbook.path])
            #expect(pdf.status == 0, "\(pdf.output)")
            let text = try Subprocess.run("/usr/bin/pdftotext", ["-layout", folder.appendingPathComponent("oo-1.pdf").path, "-"])
            #expect(text.output.contains("Раздел 2.4") && text.output.contains("Раздел 3.1"), "\(text.output.prefix(500))")
            let total = try #require(cells["2.1.1:13:4"])
            #expect(text.output.contains(String(Int(total))))

            // CSV: a line per cell, every cell of the report.
            let (csvStatus, csv) = try await download("csv", school)
            #expect(csvStatus == .ok)
            let rows = String(decoding: csv.dropFirst(3), as: UTF8.self).split(separator: "\r\n").dropFirst()
            #expect(rows.count == cells.count)
            #expect(rows.contains { $0.hasPrefix("OO-1;2024;") && $0.contains(";2.1.1;13;") && $0.hasSuffix(";\(Int(total))") })
            // Nobody else's: a teacher has no forms, another school no such report, a bad format or id is a bad request.
            #expect(try await download("xlsx", try await api.demoToken("teacher")).0 == .forbidden)
            #expect(try await download("xlsx", try await self.admin(api, fixture.secondSchoolRole)).0 == .notFound)
            #expect(try await download("pdf", school).0 == .badRequest)
            #expect(try await api.client.execute(uri: "/forms/reports/x", method: .get, headers: [.authorization: "Bearer \(school)"], body: nil) { $0.status } == .badRequest)
            #expect(try await api.client.execute(uri: "/forms/reports/\(id)", method: .get, headers: [:], body: nil) { $0.status } == .unauthorized)
            // The municipality above it reads it too.
            #expect(try await download("csv", try await api.demoToken("mouo.admin")).0 == .ok)
        }
        let exports = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("SELECT action || ':' || outcome FROM eduql.audit_events WHERE action LIKE 'forms.%' ORDER BY seq", as: String.self)
        }
        #expect(exports.filter { $0 == "forms.get.reports:ok" }.count == 3, "\(exports)")
        #expect(exports.contains("forms.get.reports:denied"), "\(exports)")
    }

    @Test("a teacher, parent, student or integration reads and writes no form; a school no other school's; a municipality none of another's")
    func refused() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let fixture = try await self.fixture(database)
        let year = Self.schoolYear
        try await TestAPI.run(database) { api in
            let school = try await self.admin(api, fixture.schoolRole)
            let computed = try await self.compute(api, school, fixture.school, "OO-1", year)
            let id = try #require(computed.data?.at("computeStatisticalForm.id") as? String, "\(computed.text)")
            // It exists, and its own organization reads it.
            #expect(try await api.graphql("query($id: ID!) { statisticalReport(id: $id) { id } }", variables: ["id": id], token: school)
                .data?.at("statisticalReport.id") as? String == id)
            for login in ["teacher", "homeroom", "parent", "student"] {
                let token = try await api.demoToken(login)
                for query in ["{ statisticalReports { id } }", "{ statisticalFormDefinitions { form } }",
                              "mutation { computeStatisticalForm(organizationId: \"\(fixture.school)\", form: \"OO-1\", year: \(year)) { id } }",
                              "{ consolidatedStatisticalForm(form: \"OO-1\", year: \(year)) { reports } }"] {
                    #expect(try await api.graphql(query, token: token).errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(login): \(query)")
                }
            }
            // An integration whose grant names every field it may be given.
            let admin = try await api.demoToken("region.admin")
            let created = try await api.graphql("mutation { createIntegrationClient(input: {clientId: \"forms-probe\", name: \"probe\"}) { clientSecret client { id } } }", token: admin)
            let secret = try #require(created.data?.at("createIntegrationClient.clientSecret") as? String, "\(created.text)")
            let clientID = try #require(created.data?.at("createIntegrationClient.client.id") as? String)
            _ = try await api.graphql("mutation($i: GrantAccessInput!) { grantAccess(input: $i) { id } }", variables: ["i": [
                "clientId": clientID, "fields": ["Organization.id", "Learner.id"], "expiresAt": "2029-01-01T00:00:00Z"]], token: admin)
            let issued = try await api.request(.post, "/auth/token", raw: "grant_type=client_credentials", headers: [
                .authorization: "Basic " + Data("forms-probe:\(secret)".utf8).base64EncodedString(), .contentType: "application/x-www-form-urlencoded"])
            let client = try #require(issued["access_token"] as? String, "\(issued.text)")
            #expect(try await api.graphql("{ statisticalReports { id } }", token: client).errorCodes == ["GRAPHQL_VALIDATION_FAILED"])
            // A school reads and computes no other school's form; a municipality decides no other municipality's.
            let second = try await self.admin(api, fixture.secondSchoolRole)
            #expect(try await api.graphql("query($id: ID!) { statisticalReport(id: $id) { id } }", variables: ["id": id], token: second)
                .data?["statisticalReport"] is NSNull)
            let otherSchool = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar(PostgresQuery(unsafeSQL: """
                    SELECT min(id)::int FROM eduql.organizations WHERE kind = 'school' AND municipality_id <> (SELECT municipality_id FROM eduql.organizations WHERE id = \(fixture.school))
                    """), as: Int.self)
            }
            #expect(try await self.compute(api, school, otherSchool, "OO-1", year).errorCodes == ["FORBIDDEN"])
            #expect(try await api.graphql("mutation($id: ID!) { acceptStatisticalForm(reportId: $id) { id } }", variables: ["id": id], token: school)
                .errorCodes == ["GRAPHQL_VALIDATION_FAILED"])
            _ = try await api.graphql("mutation($id: ID!) { submitStatisticalForm(reportId: $id) { status } }", variables: ["id": id], token: school)
            try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.execute(PostgresQuery(unsafeSQL: """
                    INSERT INTO eduql.role_assignments (region_id, municipality_id, user_id, role)
                    SELECT m.region_id, m.id, u.id, 'mouo_admin' FROM eduql.municipalities m, eduql.users u
                    WHERE m.id = (SELECT municipality_id FROM eduql.organizations WHERE id = \(otherSchool)) AND u.login = 'teacher'
                    """), logger: self.logger)
            }
            let otherMunicipality = try await api.token("teacher", try await TestCluster.shared.password(of: "teacher"), role: "mouo_admin")
            #expect(try await api.graphql("mutation($id: ID!) { acceptStatisticalForm(reportId: $id) { id } }", variables: ["id": id], token: otherMunicipality)
                .errorCodes == ["FORBIDDEN"])
            #expect(try await api.graphql("query($id: ID!) { statisticalReport(id: $id) { id } }", variables: ["id": id], token: otherMunicipality)
                .data?["statisticalReport"] is NSNull)
        }
    }
}
