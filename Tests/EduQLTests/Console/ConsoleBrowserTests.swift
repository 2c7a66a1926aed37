import EduQLAudit
@testable import EduQLServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

/// The web console in headless Chromium (Debian's `chromium` and `chromium-driver`, driven by
/// Selenium from `Tests/Browser/console_test.py`) against a live server on the demo database:
/// each role signs in and does its main task — a parent reads the diary, a teacher records a mark
/// that the parent then sees, the municipality runs a distribution, the region's dashboard draws
/// its chart — another origin's page cannot write with the teacher's session, another tenant's
/// learner by URL is "not found", no page logs a console error or has a serious axe-core
/// violation, and each main page is kept as a screenshot (`.build/console-screenshots`).
@Suite("Web console in a browser", .serialized, .timeLimit(.minutes(6)))
struct ConsoleBrowserTests {
    let logger = Logger(label: "eduql-tests")

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Browser/console_test.py").path
    static let artefacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/console-screenshots").path

    /// Runs a command on a thread of its own: the live server keeps the concurrency pool's threads.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try Subprocess.run(executable, arguments, allowedStatuses: Set(0...255)) }) }.start()
        }
    }

    @Test("each role signs in and does its main task; no cross-origin write, no other tenant's page, no console error, no serious axe violation")
    func roles() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let plan: [String: Any] = try await database.owner.withConnection(logger: self.logger) { connection in
            // The teacher's latest lesson inside the edit window, and a learner of it whom the demo parent is made a guardian of.
            let rows = try await connection.query("""
                SELECT l.id::int, l.class_id::int, l.subject_id::int, e.learner_id::int, to_char(l.held_on, 'DD.MM.YYYY'), l.held_on::text
                FROM eduql.lessons l JOIN eduql.enrollments e ON e.class_id = l.class_id AND e.status = 'active'
                WHERE l.teacher_id = (SELECT staff_id FROM eduql.users WHERE login = 'teacher')
                  AND l.held_on BETWEEN current_date - 3 AND current_date
                ORDER BY l.held_on DESC, l.period DESC, e.learner_id LIMIT 1
                """, logger: self.logger).collect()
            let (lesson, klass, subject, learner, heldOn, heldOnISO) = try #require(rows.first, "the demo teacher has no lesson in the last three days")
                .decode((Int, Int, Int, Int, String, String).self)
            try await connection.query("""
                INSERT INTO eduql.guardian_learners (region_id, guardian_id, learner_id, relation)
                SELECT g.region_id, g.id, \(learner), 'mother' FROM eduql.guardians g WHERE g.id = (SELECT guardian_id FROM eduql.users WHERE login = 'parent')
                ON CONFLICT DO NOTHING
                """, logger: self.logger)
            let other = try await connection.scalar("""
                SELECT min(l.id)::int FROM eduql.learners l WHERE l.id NOT IN (SELECT gl.learner_id FROM eduql.guardian_learners gl
                WHERE gl.guardian_id = (SELECT guardian_id FROM eduql.users WHERE login = 'parent'))
                """, as: Int.self)
            let year = try await connection.scalar("""
                SELECT y.id::int FROM eduql.academic_years y JOIN eduql.users u ON u.region_id = y.region_id
                WHERE u.login = 'mouo.admin' AND current_date BETWEEN y.starts_on AND y.ends_on
                """, as: Int.self)
            // The municipality's first new application in the desk's order, now with a benefit claimed and not yet decided.
            let review = try await connection.scalar("""
                WITH chosen AS (
                    SELECT q.id FROM eduql.queue_applications q
                    WHERE q.status = 'new' AND q.municipality_id = (SELECT ra.municipality_id FROM eduql.role_assignments ra
                        JOIN eduql.users u ON u.id = ra.user_id WHERE u.login = 'mouo.admin' AND ra.role = 'mouo_admin' LIMIT 1)
                    ORDER BY q.age_group, q.priority_rank, q.registered_at, q.id LIMIT 1)
                UPDATE eduql.queue_applications q
                SET benefit_category_id = (SELECT b.id FROM eduql.benefit_categories b WHERE b.region_id = q.region_id ORDER BY b.id LIMIT 1),
                    benefit_status = 'claimed', benefit_document = 'Справка № 17', priority_rank = 3
                FROM chosen WHERE q.id = chosen.id RETURNING q.number
                """, as: String.self)
            var passwords: [String: String] = [:]
            for login in ["parent", "teacher", "mouo.admin", "region.admin", "school.admin"] { passwords[login] = try await TestCluster.shared.password(of: login) }
            let today = Date.ISO8601FormatStyle().year().month().day().format(Date())
            return ["passwords": passwords, "otherLearnerId": String(other), "academicYearId": String(year), "distributionOn": today,
                    "review": ["number": review],
                    "mark": ["lessonId": String(lesson), "classId": String(klass), "subjectId": String(subject), "learnerId": String(learner),
                             "heldOnRussian": heldOn, "heldOn": heldOnISO, "value": 5, "weight": 2,
                             "topic": "Тема из консоли: дроби", "homework": "Упражнение 5 на странице 42"]]
        }
        let mark = plan["mark"] as! [String: Any]
        // The chain walked once, as `eduql audit verify` does: the audit page shows the walk.
        _ = try await database.owner.withConnection(logger: self.logger) { try await AuditChain(logger: self.logger).check(on: $0, full: true) }
        try FileManager.default.createDirectory(atPath: Self.artefacts, withIntermediateDirectories: true)
        let planFile = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-console-plan-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: plan).write(to: planFile)
        defer { try? FileManager.default.removeItem(at: planFile) }

        let teacherPassword = try await TestCluster.shared.password(of: "teacher")
        let planPath = planFile.path
        let output = try await TestAPI.run(database) { api -> String in
            let base = "http://127.0.0.1:\(try #require(api.client.port))"
            // The cookie alone is no credential: without the CSRF header, or with another origin, /graphql sees no one.
            let signedIn = try await api.request(.post, "/auth/console/login", json: ["login": "teacher", "password": teacherPassword])
            let cookie = try #require(signedIn.headers[.setCookie], "\(signedIn.text)")
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && signedIn.json["token"] == nil, "\(cookie)")
            let session = String(cookie.split(separator: ";")[0])
            let csrf = try #require(signedIn.json["csrf"] as? String)
            let me = ["query": "{ me { name } }"]
            for headers: HTTPFields in [[.cookie: session], [.cookie: session, ConsoleSession.csrfHeader: "x" + csrf],
                                        [.cookie: session, ConsoleSession.csrfHeader: csrf, .origin: "http://evil.example"]] {
                #expect(try await api.request(.post, "/graphql", json: me, headers: headers).status == .unauthorized)
            }
            let allowed = try await api.request(.post, "/graphql", json: me, headers: [.cookie: session, ConsoleSession.csrfHeader: csrf])
            #expect(allowed.status == .ok && allowed.text.contains("teacher"), "\(allowed.text)")
            let foreign = try await api.request(.post, "/auth/console/login", json: ["login": "teacher", "password": "x"], headers: [.origin: "http://evil.example"])
            #expect(foreign.status == .forbidden)
            // The pages: HTML with a policy that allows no inline script.
            let page = try await api.request(.get, "/console/")
            #expect(page.status == .ok && page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true && page.text.contains("lang=\"ru\""))
            #expect(try await api.request(.get, "/console/nothing-here").status == .notFound)

            return try await Self.run("/usr/bin/env", ["python3", Self.script, base, planPath, Self.artefacts]).output
        }
        let line = output.split(separator: "\n").last { $0.hasPrefix("{") }
        let report = try #require(line.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }, "\(output)")
        let scenarios = try #require(report["scenarios"] as? [String: [String: Any]], "\(report)")
        for (name, outcome) in scenarios { #expect(outcome["error"] == nil, "\(name): \(outcome)") }
        let signIn = scenarios["signIn"] ?? [:]
        #expect((1_000..<100_000).contains(signIn["firstPageBytes"] as? Int ?? 0), "\(signIn)")
        #expect(signIn["httpOnly"] as? Bool == true && signIn["sameSite"] as? String == "Strict" && signIn["refused"] as? String != nil, "\(signIn)")
        let diary = scenarios["parentDiary"] ?? [:]
        #expect((diary["lessons"] as? Int ?? 0) > 0 && (diary["days"] as? Int ?? 0) >= 5, "\(diary)")
        #expect((diary["viewers"] as? [String])?.first?.contains("parent") == true && (diary["applications"] as? String)?.contains("место в очереди") == true,
                "\(diary)")
        let phone = diary["phoneWidths"] as? [Int] ?? []
        #expect(phone.count == 2 && phone[0] <= phone[1], "the diary is wider than a phone: \(phone)")
        #expect(diary["resultsShown"] as? Bool == true && ((diary["termResults"] as? [String])?.count ?? 0) > 0
                && (diary["resultsTitle"] as? String)?.hasPrefix("Итоги") == true, "\(diary)")
        let school = scenarios["schoolAdmin"] ?? [:]
        #expect((school["classes"] as? Int ?? 0) > 0 && (school["learners"] as? Int ?? 0) > 0 && school["disabled"] is String
                && (school["refused"] as? String)?.isEmpty == false && (school["who"] as? String)?.hasPrefix("console.second") == true, "\(school)")
        let surname = school["surname"] as? String ?? "?"
        #expect((school["listed"] as? String)?.hasPrefix("Обучающиеся: ") == true && ((school["found"] as? [String])?.count ?? 0) > 0
                && (school["found"] as? [String])?.allSatisfy { $0.localizedCaseInsensitiveContains(surname) } == true, "\(school)")
        #expect((school["staffRow"] as? String)?.contains("заблокирована") == true, "\(school)")
        let forms = scenarios["statisticalForms"] ?? [:]
        #expect(["computed", "submitted", "returned", "submittedAgain", "accepted"].allSatisfy { (forms[$0] as? String)?.hasPrefix("Форма") == true }
                && (forms["states"] as? String)?.contains("принята") == true && forms["schoolSawComment"] as? Bool == true, "\(forms)")
        let downloads = forms["downloads"] as? [String: [String: Any]] ?? [:]
        #expect((downloads["CSV"]?["bytes"] as? Int ?? 0) > 100 && (downloads["XLSX"]?["head"] as? String) == "504b0304", "\(downloads)")
        let audit = scenarios["auditAndExplorer"] ?? [:]
        #expect((audit["all"] as? String)?.hasPrefix("События: показано") == true && audit["filteredLogins"] as? [String] == ["teacher"], "\(audit)")
        #expect((audit["result"] as? String)?.contains("\"region.admin\"") == true && (audit["types"] as? [String])?.contains { $0.hasPrefix("AuditEvent ") } == true,
                "\(audit)")
        #expect((audit["chain"] as? String)?.hasPrefix("Цепочка журнала цела") == true && audit["loginActions"] as? [String] == ["login"]
                && (audit["dashboardGroups"] as? Int ?? 0) > 0 && audit["dashboardErrors"] is NSNull, "\(audit)")
        let teacher = scenarios["teacherMarks"] ?? [:]
        #expect((teacher["saved"] as? String)?.contains("сохранена") == true && teacher["parentSees"] as? Bool == true, "\(teacher)")
        #expect((teacher["requestId"] as? String)?.count ?? 0 > 8, "\(teacher)")
        #expect((teacher["attendance"] as? String)?.contains("сохранена") == true && teacher["lateInJournal"] as? Bool == true
                && (teacher["lessonSaved"] as? String)?.contains("сохранены") == true, "\(teacher)")
        #expect(teacher["parentSeesTopic"] as? Bool == true && teacher["parentSeesLate"] as? Bool == true, "\(teacher)")
        #expect(teacher["lessonChosen"] as? Bool == true && ((teacher["dayLessons"] as? [String])?.count ?? 0) > 0, "\(teacher)")
        let notFound = scenarios["notFound"] ?? [:]
        #expect((notFound["status"] as? String) == "Не найдено." && notFound["unknownPage"] as? String == "Страница не найдена", "\(notFound)")
        let queue = scenarios["queueDistribution"] ?? [:]
        #expect((queue["status"] as? String)?.hasPrefix("Распределение выполнено") == true, "\(queue)")
        #expect((queue["noReason"] as? String)?.hasPrefix("Укажите причину") == true && (queue["benefit"] as? String) == "Льгота подтверждена."
                && (queue["reviewed"] as? String)?.hasSuffix("поставлено в очередь.") == true && queue["freshBefore"] as? String != queue["freshAfter"] as? String,
                "\(queue)")
        let dashboard = scenarios["regionDashboard"] ?? [:]
        let drawn = dashboard["drawn"] as? [String: Int] ?? [:], painted = dashboard["painted"] as? [String: Int] ?? [:]
        #expect(drawn.count == 6 && drawn.values.allSatisfy { $0 > 0 } && painted.count == 6 && painted.values.allSatisfy { $0 > 1000 }, "\(dashboard)")
        #expect((scenarios["crossOrigin"]?["sent"] as? String) != nil)
        #expect((report["consoleErrors"] as? [Any])?.isEmpty == true, "\(report["consoleErrors"] ?? "")")
        #expect((report["axe"] as? [Any])?.isEmpty == true, "\(report["axe"] ?? "")")
        #expect((report["screenshots"] as? [String])?.count ?? 0 >= 12, "\(report["screenshots"] ?? "")")

        // What the database holds: the teacher's mark, and nothing the other origin sent.
        let marks = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT value::int, weight::int FROM eduql.marks WHERE lesson_id = \(mark["lessonId"]!) AND learner_id = \(mark["learnerId"]!)
                ORDER BY id
                """), logger: self.logger).collect().map { try $0.decode((Int, Int).self) }
        }
        #expect(marks.contains { $0 == (5, 2) } && !marks.contains { $0.0 == 2 && $0.1 == 3 }, "\(marks)")
    }
}
