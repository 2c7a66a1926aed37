@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// Row rules that belong to a lesson, class or organization hold for learners with several
/// enrollments, and aggregates count only rows the caller's policy may read.
@Suite("Row rules and aggregates")
struct RowRuleTests {
    let logger = Logger(label: "eduql-tests")

    @Test("a learner transferred into the homeroom class shows only that class's lessons, marks and enrollments")
    func transferredIntoClass() async throws {
        let database = try await TestCluster.shared.database(.demo)
        // Move a learner with journal rows from another class of the same school into the homeroom's class.
        let (learner, homeroomClass, oldClass) = try await database.owner.withConnection(logger: self.logger) { connection in
            let homeroomClass = try await connection.scalar("""
                SELECT ra.class_id::int FROM eduql.role_assignments ra JOIN eduql.users u ON u.id = ra.user_id
                WHERE u.login = 'homeroom' AND ra.role = 'homeroom_teacher'
                """, as: Int.self)
            let row = try await connection.query("""
                SELECT e.learner_id::int, e.class_id::int FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id
                WHERE k.organization_id = (SELECT organization_id FROM eduql.classes WHERE id = \(homeroomClass))
                  AND e.class_id <> \(homeroomClass) AND e.status = 'active' AND k.kind = 'class'
                  AND EXISTS (SELECT 1 FROM eduql.attendance a WHERE a.learner_id = e.learner_id)
                  AND EXISTS (SELECT 1 FROM eduql.marks m WHERE m.learner_id = e.learner_id AND m.kind = 'current')
                ORDER BY e.learner_id LIMIT 1
                """, logger: self.logger).collect()
            let (learner, oldClass) = try #require(row.first).decode((Int, Int).self)
            try await connection.execute("""
                WITH moved AS (UPDATE eduql.enrollments SET status = 'transferred', left_on = current_date
                               WHERE learner_id = \(learner) AND status = 'active' RETURNING *)
                INSERT INTO eduql.enrollments (region_id, municipality_id, organization_id, learner_id, class_id, academic_year_id, enrolled_on)
                SELECT region_id, municipality_id, organization_id, learner_id, \(homeroomClass), academic_year_id, current_date FROM moved
                """)
            return (learner, homeroomClass, oldClass)
        }
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("homeroom")
            let reply = try await api.graphql("""
                { learner(id: \(learner)) { id attendance { lesson { class { id } } } marks { lesson { class { id } } }
                  enrollments { class { id } } } }
                """, token: token)
            let card = try #require(reply.data?["learner"] as? [String: Any], "\(reply.text)")
            #expect(card["id"] as? String == String(learner), "the learner is in the class now: \(reply.text)")
            for list in ["attendance", "marks"] {
                let classes = ((card[list] as? [[String: Any]]) ?? []).compactMap { $0.at("lesson.class.id") as? String }
                #expect(!classes.contains(String(oldClass)), "\(list) of the class the learner left: \(reply.text)")
                #expect(classes.allSatisfy { $0 == String(homeroomClass) })
            }
            let enrollments = ((card["enrollments"] as? [[String: Any]]) ?? []).compactMap { $0.at("class.id") as? String }
            #expect(enrollments == [String(homeroomClass)], "\(reply.text)")
        }
    }

    @Test("stats count only what the caller's policy reads: a school sees no queue, a municipality only its own")
    func aggregatesFollowPolicy() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (school, municipality, queued, learners) = try await database.owner.withConnection(logger: self.logger) { connection in
            let (school, municipality) = try #require(try await connection.query("""
                SELECT ra.organization_id::int, ra.municipality_id::int FROM eduql.role_assignments ra JOIN eduql.users u ON u.id = ra.user_id
                WHERE u.login = 'school.admin'
                """, logger: self.logger).collect().first).decode((Int, Int).self)
            let queued = try await connection.scalar(
                "SELECT count(*)::int FROM eduql.queue_applications WHERE status = 'queued' AND municipality_id = \(municipality)", as: Int.self)
            let learners = try await connection.scalar("""
                SELECT count(*)::int FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id
                WHERE e.status = 'active' AND k.organization_id = \(school)
                """, as: Int.self)
            return (school, municipality, queued, learners)
        }
        #expect(queued > 0, "the municipality has a queue to leak")
        try await TestAPI.run(database) { api in
            let schoolToken = try await api.demoToken("school.admin")
            for grouping in ["REGION", "MUNICIPALITY", "ORGANIZATION"] {
                let reply = try await api.graphql("{ stats(groupBy: \(grouping)) { group { id } learners queueDemand suppressed } }", token: schoolToken)
                let rows = try #require(reply.data?["stats"] as? [[String: Any]], "\(reply.text)")
                #expect(!rows.isEmpty)
                #expect(rows.allSatisfy { ($0["queueDemand"] as? Int ?? 0) == 0 }, "\(grouping): \(reply.text)")
                #expect(rows.compactMap { $0["learners"] as? Int }.reduce(0, +) == learners, "\(grouping): its own learners still count")
            }
            let mouo = try await api.demoToken("mouo.admin")
            let own = try await api.graphql("{ stats(groupBy: MUNICIPALITY) { group { id } queueDemand } }", token: mouo)
            let rows = try #require(own.data?["stats"] as? [[String: Any]], "\(own.text)")
            #expect(rows.map { $0.at("group.id") as? String } == [String(municipality)])
            #expect(rows.first?["queueDemand"] as? Int == queued)
            _ = school
        }
    }
}
