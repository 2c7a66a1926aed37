@testable import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// A school admin gives and takes parent roles through the API, naming the guardian; an
/// operation's administration fields take effect together or not at all.
@Suite("Parent roles and atomic administration")
struct ParentRoleTests {
    let logger = Logger(label: "eduql-tests")

    @Test("assignRole PARENT with a guardian of the school, then revokeRole; a teacher who is also a parent keeps both")
    func parentRole() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (teacherID, guardian, foreignGuardian) = try await database.owner.withConnection(logger: self.logger) { connection in
            let teacherID = try await connection.scalar("SELECT id::int FROM eduql.users WHERE login = 'teacher'", as: Int.self)
            let school = try await connection.scalar("""
                SELECT ra.organization_id::int FROM eduql.role_assignments ra JOIN eduql.users u ON u.id = ra.user_id WHERE u.login = 'school.admin'
                """, as: Int.self)
            let guardian = try await connection.scalar("""
                SELECT gl.guardian_id::int FROM eduql.guardian_learners gl JOIN eduql.learners l ON l.id = gl.learner_id
                WHERE l.organization_id = \(school) AND NOT EXISTS (SELECT 1 FROM eduql.users u WHERE u.guardian_id = gl.guardian_id)
                ORDER BY 1 LIMIT 1
                """, as: Int.self)
            let foreign = try await connection.scalar("""
                SELECT gl.guardian_id::int FROM eduql.guardian_learners gl JOIN eduql.learners l ON l.id = gl.learner_id
                WHERE l.organization_id <> \(school) AND NOT EXISTS (
                    SELECT 1 FROM eduql.guardian_learners g2 JOIN eduql.learners l2 ON l2.id = g2.learner_id
                    WHERE g2.guardian_id = gl.guardian_id AND l2.organization_id = \(school))
                ORDER BY 1 LIMIT 1
                """, as: Int.self)
            return (teacherID, guardian, foreign)
        }
        try await TestAPI.run(database) { api in
            let admin = try await api.demoToken("school.admin")
            let assign = """
                mutation($g: ID) { assignRole(input: { userId: \(teacherID), role: PARENT, guardianId: $g }) { id role } }
                """
            let withoutGuardian = try await api.graphql(assign, token: admin)
            #expect(withoutGuardian.errorCodes == ["BAD_USER_INPUT"], "\(withoutGuardian.text)")
            let foreign = try await api.graphql(assign, variables: ["g": String(foreignGuardian)], token: admin)
            #expect(foreign.errorCodes == ["FORBIDDEN"], "a guardian without a child in the school: \(foreign.text)")

            let given = try await api.graphql(assign, variables: ["g": String(guardian)], token: admin)
            #expect(given.errorCodes.isEmpty, "\(given.text)")
            let assignment = try #require(given.data?.at("assignRole.id") as? String, "\(given.text)")
            #expect(given.data?.at("assignRole.role") as? String == "PARENT")

            // The teacher signs in as a parent of that guardian's children, and still as a teacher.
            let password = try await TestCluster.shared.password(of: "teacher")
            let asParent = try await api.token("teacher", password, role: "parent")
            let children = try await api.graphql("{ learners { totalCount } }", token: asParent)
            #expect((children.data?.at("learners.totalCount") as? Int ?? 0) > 0, "\(children.text)")
            #expect(try await api.login("teacher", password, role: "teacher").status == .ok)

            let revoked = try await api.graphql("mutation { revokeRole(assignmentId: \(assignment)) { id } }", token: admin)
            #expect(revoked.errorCodes.isEmpty, "\(revoked.text)")
            #expect(try await api.graphql("{ learners { totalCount } }", token: asParent).status == .unauthorized)
        }
    }

    @Test("an operation whose second field is refused leaves the first undone")
    func atomic() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let teacherID = try await database.owner.withConnection(logger: self.logger) {
            try await $0.scalar("SELECT id::int FROM eduql.users WHERE login = 'teacher'", as: Int.self)
        }
        try await TestAPI.run(database) { api in
            let admin = try await api.demoToken("school.admin")
            let reply = try await api.graphql("mutation { a: disableUser(userId: \(teacherID)) { id } b: disableUser(userId: 1) { id } }", token: admin)
            #expect(!reply.errorCodes.isEmpty, "\(reply.text)")
            #expect(reply.data == nil)
            let disabled = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT disabled_at IS NOT NULL FROM eduql.users WHERE id = \(teacherID)", as: Bool.self)
            }
            #expect(!disabled, "the first field rolled back with the second")
            #expect(try await api.login("teacher", try await TestCluster.shared.password(of: "teacher")).status == .ok)
        }
    }
}
