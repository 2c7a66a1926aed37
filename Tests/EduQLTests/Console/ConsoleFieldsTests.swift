import EduQLAudit
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// The fields the console reads that no consumer did before: an employee's own card and lessons
/// (`Me.staff`, `Staff.lessons`), a staff member's account (`Staff.account`), the audit chain's
/// last walk (`auditChain`) and the audit log by operation — each checked against SQL, and
/// withheld from the roles that may not read them.
@Suite("Console fields through the API", .timeLimit(.minutes(3)))
struct ConsoleFieldsTests {
    let logger = Logger(label: "eduql-tests")

    @Test("a teacher reads its own card and lessons of a span; a school administrator its staff's accounts; other roles neither")
    func staffFields() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (staff, from, to, lessons, accounts) = try await database.owner.withConnection(logger: self.logger) { connection in
            let staff = try await connection.scalar("SELECT staff_id::int FROM eduql.users WHERE login = 'teacher'", as: Int.self)
            let span = try await connection.query("""
                SELECT (max(held_on) - 6)::text, max(held_on)::text FROM eduql.lessons WHERE teacher_id = \(staff) AND held_on <= current_date
                """, logger: self.logger).collect().first!.decode((String, String).self)
            let lessons = try await connection.query("""
                SELECT l.id::text FROM eduql.lessons l WHERE l.teacher_id = \(staff) AND l.held_on BETWEEN \(span.0)::date AND \(span.1)::date
                ORDER BY l.held_on, l.period, l.id
                """, logger: self.logger).collect().map { try $0.decode(String.self) }
            // Each staff member of the school administrator's organization: the login of its newest account, if any.
            let accounts = try await connection.query("""
                SELECT s.id::text, (SELECT u.login FROM eduql.users u WHERE u.staff_id = s.id ORDER BY u.id DESC LIMIT 1)
                FROM eduql.staff s WHERE s.organization_id = (SELECT ra.organization_id FROM eduql.role_assignments ra
                    JOIN eduql.users u ON u.id = ra.user_id WHERE u.login = 'school.admin' AND ra.role = 'school_admin' LIMIT 1)
                """, logger: self.logger).collect().map { try $0.decode((String, String?).self) }
            return (staff, span.0, span.1, lessons, Dictionary(uniqueKeysWithValues: accounts))
        }
        #expect(lessons.count > 5, "the demo teacher gives lessons")
        #expect(accounts.values.contains { $0 == "teacher" }, "the demo teacher's account is of that school")

        try await TestAPI.run(database) { api in
            let mine = "query($from: Date!, $to: Date!) { me { staff { id lessons(from: $from, to: $to) { id heldOn period teacher { id } } } } }"
            let teacher = try await api.graphql(mine, variables: ["from": from, "to": to], token: try await api.demoToken("teacher"))
            #expect(teacher.json.at("data.me.staff.id") as? String == String(staff), "\(teacher.text)")
            let given = (teacher.json.at("data.me.staff.lessons") as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(given == lessons, "\(teacher.text)")

            // A parent and an integration are no employee; a span over 93 days is refused.
            let parent = try await api.graphql("{ me { staff { id } } }", token: try await api.demoToken("parent"))
            #expect(parent.json["errors"] == nil && parent.json.at("data.me") != nil && parent.json.at("data.me.staff") is NSNull, "\(parent.text)")
            let long = try await api.graphql(mine, variables: ["from": "2026-01-01", "to": "2026-12-31"], token: try await api.demoToken("teacher"))
            #expect(!long.errorCodes.isEmpty && long.json.at("data.me") == nil, "\(long.text)")

            // Accounts: the school administrator sees its staff's; a teacher's schema has no such field.
            let staffAccounts = "query($id: ID!) { organization(id: $id) { staff { id account { login disabled roles { role } } } } }"
            let organization = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT organization_id::text FROM eduql.staff WHERE id = \(staff)", as: String.self)
            }
            let admin = try await api.graphql(staffAccounts, variables: ["id": organization], token: try await api.demoToken("school.admin"))
            let read = (admin.json.at("data.organization.staff") as? [[String: Any]] ?? []).map {
                ($0["id"] as? String ?? "", ($0["account"] as? [String: Any])?["login"] as? String)
            }
            #expect(!read.isEmpty && Dictionary(uniqueKeysWithValues: read) == accounts, "\(admin.text)")
            let asTeacher = try await api.graphql(staffAccounts, variables: ["id": organization], token: try await api.demoToken("teacher"))
            #expect(asTeacher.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(asTeacher.text)")
        }
    }

    @Test("a parent reaching a teacher through the diary reads only the lessons of its children's classes, though the teacher gives others")
    func teacherLessonsForParent() async throws {
        let database = try await TestCluster.shared.database(.demo)
        // A child of the demo parent, a teacher of one of its lessons, and that teacher's classes over a month.
        let (child, teacher, from, to, childClasses, taughtClasses) = try await database.owner.withConnection(logger: self.logger) { connection in
            let row = try await connection.query("""
                WITH pairs AS (
                    SELECT e.learner_id, l.teacher_id, max(l.held_on) AS last
                    FROM eduql.guardian_learners gl JOIN eduql.enrollments e ON e.learner_id = gl.learner_id AND e.status = 'active'
                    JOIN eduql.lessons l ON l.class_id = e.class_id AND l.held_on <= current_date
                    WHERE gl.guardian_id = (SELECT guardian_id FROM eduql.users WHERE login = 'parent')
                    GROUP BY 1, 2)
                SELECT p.learner_id::int, p.teacher_id::int, (p.last - 27)::text, p.last::text FROM pairs p
                ORDER BY (SELECT count(DISTINCT o.class_id) FROM eduql.lessons o
                          WHERE o.teacher_id = p.teacher_id AND o.held_on BETWEEN p.last - 27 AND p.last) DESC, 1, 2
                LIMIT 1
                """, logger: self.logger).collect().first!.decode((Int, Int, String, String).self)
            let own = try await connection.query("""
                SELECT DISTINCT e.class_id::text FROM eduql.enrollments e JOIN eduql.guardian_learners gl ON gl.learner_id = e.learner_id
                WHERE gl.guardian_id = (SELECT guardian_id FROM eduql.users WHERE login = 'parent')
                """, logger: self.logger).collect().map { try $0.decode(String.self) }
            let taught = try await connection.query("""
                SELECT DISTINCT class_id::text FROM eduql.lessons WHERE teacher_id = \(row.1) AND held_on BETWEEN \(row.2)::date AND \(row.3)::date
                """, logger: self.logger).collect().map { try $0.decode(String.self) }
            return (row.0, row.1, row.2, row.3, Set(own), Set(taught))
        }
        #expect(!taughtClasses.subtracting(childClasses).isEmpty, "the teacher gives lessons in classes of other families")
        try await TestAPI.run(database) { api in
            let reply = try await api.graphql("""
                query($learner: ID!, $from: Date!, $day: Date!) { diary(learnerId: $learner, from: $day, to: $day) {
                  days { lessons { teacher { id lessons(from: $from, to: $day) { class { id } } } } } } }
                """, variables: ["learner": String(child), "from": from, "day": to], token: try await api.demoToken("parent"))
            #expect(reply.json["errors"] == nil, "\(reply.text)")
            // The diary of the teacher's last day with the child names it; its month of lessons as the parent reads them.
            let days = reply.json.at("data.diary.days") as? [[String: Any]] ?? []
            let teachers = days.flatMap { ($0["lessons"] as? [[String: Any]] ?? []).compactMap { $0["teacher"] as? [String: Any] } }
            let seen = Set(teachers.flatMap { ($0["lessons"] as? [[String: Any]] ?? []).compactMap { ($0["class"] as? [String: Any])?["id"] as? String } })
            #expect(teachers.contains { $0["id"] as? String == String(teacher) } && !seen.isEmpty, "\(reply.text)")
            #expect(seen.isSubset(of: childClasses), "a parent read lessons of other classes: \(seen.subtracting(childClasses))")
        }
    }

    @Test("administrators read the chain's last walk and filter the log by operation; a parent may do neither")
    func auditFields() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let region = try await api.demoToken("region.admin")
            _ = try await api.demoToken("teacher")
            let chain = "{ auditChain { fullWalk intact checked intactThrough brokenAt } }"
            let before = try await api.graphql(chain, token: region)
            #expect(before.json["errors"] == nil && before.json.at("data.auditChain") is NSNull, "no walk yet: \(before.text)")
            let walked = try await database.owner.withConnection(logger: self.logger) { try await AuditChain(logger: self.logger).check(on: $0, full: true) }
            let after = try await api.graphql(chain, token: region)
            #expect(after.json.at("data.auditChain.intact") as? Bool == true && after.json.at("data.auditChain.fullWalk") as? Bool == true
                    && after.json.at("data.auditChain.checked") as? Int == walked.checked && walked.checked > 0, "\(after.text)")

            let logins = try await api.graphql("""
                { auditEvents(filter: { operation: "login", login: "teacher" }, first: 100) { totalCount edges { node { action login } } } }
                """, token: region)
            let nodes = (logins.json.at("data.auditEvents.edges") as? [[String: Any]] ?? []).compactMap { $0["node"] as? [String: Any] }
            #expect(!nodes.isEmpty && nodes.allSatisfy { $0["action"] as? String == "login" && $0["login"] as? String == "teacher" }, "\(logins.text)")
            let byField = try await api.graphql("{ auditEvents(filter: { operation: \"auditChain\" }, first: 5) { edges { node { rootFields } } } }", token: region)
            let fields = (byField.json.at("data.auditEvents.edges") as? [[String: Any]] ?? []).compactMap { ($0["node"] as? [String: Any])?["rootFields"] as? [String] }
            #expect(fields.count == 2 && fields.allSatisfy { $0.contains("auditChain") }, "the two reads above: \(byField.text)")

            let parent = try await api.graphql(chain, token: try await api.demoToken("parent"))
            #expect(parent.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(parent.text)")
        }
    }
}
