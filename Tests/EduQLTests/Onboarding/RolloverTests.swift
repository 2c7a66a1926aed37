import EduQLOnboarding
import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// The year's rollover of the demo region: refused while final marks are missing, then with an
/// override every learner is in the class of the next grade (new rows of the new year), the
/// last grade graduated by the order, the old classes and their marks as they were; a second
/// run changes nothing.
@Suite("Rollover", .serialized, .timeLimit(.minutes(4)))
struct RolloverTests {
    let logger = Logger(label: "eduql-tests")

    func run(_ database: ClusterConnections, _ rollover: Rollover) async throws -> [Rollover.Outcome] {
        let logger = self.logger
        return try await database.owner.withConnection(logger: logger) { connection in
            let organizations = try await connection.transaction(logger: logger) { connection in
                try await OperatorTenancy.set(region: 1, on: connection, logger: logger)
                return try await rollover.organizations(municipalityID: nil, organizationID: nil, on: connection, logger: logger)
            }
            var outcomes: [Rollover.Outcome] = []
            for id in organizations {
                do {
                    outcomes.append(try await connection.transaction(logger: logger) { connection in
                        try await OperatorTenancy.set(region: 1, on: connection, logger: logger)
                        return try await rollover.run(organizationID: id, on: connection, logger: logger)
                    })
                } catch {
                    let message = try #require(Rollover.refusal(error), "\(String(reflecting: error))")
                    outcomes.append(Rollover.Outcome(organizationID: id, problem: message))
                }
            }
            return outcomes
        }
    }

    @Test("the demo region rolls over into the next year")
    func demo() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (old, next, before) = try await database.owner.withConnection(logger: self.logger) { connection in
            let old = try await connection.scalar("""
                SELECT y.name FROM eduql.academic_years y WHERE y.region_id = 1 AND EXISTS (SELECT 1 FROM eduql.enrollments e WHERE e.academic_year_id = y.id AND e.status = 'active')
                ORDER BY y.starts_on DESC LIMIT 1
                """, as: String.self)
            let start = Int(old.prefix(4))! + 1
            let next = "\(start)/\(start + 1)"
            try await connection.execute(PostgresQuery(unsafeSQL: """
                INSERT INTO eduql.academic_years (region_id, name, starts_on, ends_on)
                SELECT 1, '\(next)', make_date(\(start), 9, 1), make_date(\(start + 1), 8, 31)
                WHERE NOT EXISTS (SELECT 1 FROM eduql.academic_years WHERE region_id = 1 AND name = '\(next)')
                """))
            // Where each active learner is now: class grade (or group age) and organization's last grade.
            let before = try await connection.column("""
                SELECT e.learner_id::text || ':' || k.kind || ':' || coalesce(k.grade, k.age_group)::text || ':' || coalesce(k.letter, '') || ':' ||
                       coalesce((SELECT max(f.grade) FROM eduql.classes f WHERE f.organization_id = k.organization_id AND f.academic_year_id = k.academic_year_id AND f.kind = 'class'), 0)::text || ':' ||
                       coalesce(k.age_to, 0)::text
                FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.academic_years y ON y.id = k.academic_year_id
                WHERE e.status = 'active' AND y.name = \(old) AND y.region_id = 1 ORDER BY e.learner_id
                """, as: String.self)
            return (old, next, before)
        }
        #expect(before.count > 100, "\(old) → \(next)")
        let marksBefore = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("SELECT count(*)::int FROM eduql.marks", as: Int.self)
        }

        // Refused while year marks are missing.
        let refused = try await self.run(database, Rollover(.init(fromYear: old, toYear: next, orderNumber: "№ 101")))
        #expect(refused.contains { $0.problem?.contains("final (year) marks") == true })

        let outcomes = try await self.run(database, Rollover(.init(fromYear: old, toYear: next, orderNumber: "№ 101", copyAssignments: true,
                                                                   override: "the demo's year marks are not recorded")))
        #expect(outcomes.allSatisfy { $0.problem == nil }, "\(outcomes.filter { $0.problem != nil }.prefix(3))")
        // Organizations with every final mark (kindergartens have none) rolled over at the first run already.
        #expect((refused + outcomes).reduce(0) { $0 + $1.promoted + $1.graduated + $1.released + $1.repeated } == before.count)

        let placed = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("""
                SELECT e.learner_id::text || ':' || coalesce(n.kind || ':' || coalesce(n.grade, n.age_group)::text || ':' || coalesce(n.letter, ''), 'left:' || e.status)
                FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.academic_years y ON y.id = k.academic_year_id
                LEFT JOIN eduql.enrollments ne ON ne.learner_id = e.learner_id AND ne.status = 'active'
                LEFT JOIN eduql.classes n ON n.id = ne.class_id
                WHERE y.name = \(old) AND y.region_id = 1 AND e.status IN ('promoted', 'graduated') ORDER BY e.learner_id
                """, as: String.self)
        }
        #expect(placed.count == before.count)
        for (was, now) in zip(before, placed) {
            let a = was.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let b = now.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            #expect(a[0] == b[0])
            if a[1] == "class" {
                if Int(a[2])! >= Int(a[4])! {
                    #expect(b[1] == "left" && b[2] == "graduated", "\(was) → \(now)")
                } else {
                    #expect(b[1] == "class" && Int(b[2]) == Int(a[2])! + 1 && b[3] == a[3], "\(was) → \(now)")
                }
            } else if Int(a[5])! >= 7 {
                #expect(b[1] == "left", "\(was) → \(now)")
            } else {
                #expect(b[1] == "group" && Int(b[2]) == Int(a[2])! + 1, "\(was) → \(now)")
            }
        }
        try await database.owner.withConnection(logger: self.logger) { connection in
            // Graduates by the order, the old classes and their marks as they were.
            let graduations = try await connection.scalar("SELECT count(*)::int FROM eduql.movements WHERE kind = 'graduated' AND order_number = '№ 101'", as: Int.self)
            #expect(graduations == (refused + outcomes).reduce(0) { $0 + $1.graduated + $1.released })
            #expect(try await connection.scalar("SELECT count(*)::int FROM eduql.marks", as: Int.self) == marksBefore)
            let oldClassesWithMarks = try await connection.scalar("""
                SELECT count(DISTINCT m.class_id)::int FROM eduql.marks m JOIN eduql.classes k ON k.id = m.class_id JOIN eduql.academic_years y ON y.id = k.academic_year_id
                WHERE y.name = \(old)
                """, as: Int.self)
            #expect(oldClassesWithMarks > 0)
            #expect(try await connection.scalar("SELECT count(*)::int FROM eduql.classes WHERE promoted_from_id IS NOT NULL", as: Int.self) > 0)
        }
        // A second run finds nothing left to do.
        let again = try await self.run(database, Rollover(.init(fromYear: old, toYear: next, orderNumber: "№ 101", override: "again")))
        #expect(again.allSatisfy { $0.promoted + $0.graduated + $0.released + $0.repeated + $0.classesCreated == 0 && $0.problem == nil })
    }

    @Test("a repeater stays in their grade; the preview shows every learner's next class")
    func repeater() async throws {
        let region = try await OnboardingFiles.emptyRegion()
        var files = try OnboardingFiles.samples()
        files["enrollments.csv"] = files["enrollments.csv"]!.replacingOccurrences(of: "E-3,L-3,C-4A,2022-09-01,,active,false",
                                                                                   with: "E-3,L-3,C-4A,2022-09-01,,active,true")
        _ = try await region.importing(files)
        let rollover = Rollover(.init(fromYear: "2025/2026", toYear: "2026/2027", orderNumber: "№ 7", override: "paper marks"))
        let preview = try await region.database.owner.withConnection(logger: self.logger) { connection in
            try await connection.transaction(logger: self.logger) { connection in
                try await OperatorTenancy.set(region: 1, on: connection, logger: self.logger)
                var all: [Rollover.Placement] = []
                for id in try await rollover.organizations(municipalityID: nil, organizationID: nil, on: connection, logger: self.logger) {
                    all += try await rollover.preview(organizationID: id, on: connection, logger: self.logger)
                }
                return all
            }
        }
        let byName = Dictionary(uniqueKeysWithValues: preview.map { ($0.learner, "\($0.action) \($0.toClass ?? "")") })
        #expect(byName["Орлов Максим Игоревич"] == "promote 2А")
        #expect(byName["Орлова Дарья Игоревна"] == "graduate ")
        #expect(byName["Соколова Анна"] == "repeat 4А")
        #expect(byName["Белова Полина Олеговна"] == "release ")
        #expect(try await region.counts()["classes"] == 4)
        let outcomes = try await self.run(region.database, rollover)
        #expect(outcomes.reduce(0) { $0 + $1.repeated } == 1 && outcomes.reduce(0) { $0 + $1.graduated } == 1)
        let classes = try await region.database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("""
                SELECT k.name FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.learners l ON l.id = e.learner_id
                WHERE e.status = 'active' AND l.last_name = 'Соколова'
                """, as: String.self)
        }
        #expect(classes == ["4А"])
    }
}
