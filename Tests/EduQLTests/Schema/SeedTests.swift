import EduQLOnboarding
import EduQLAccessControl
import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

@Suite("Seed data")
struct SeedTests {
    let logger = Logger(label: "eduql-tests")

    @Test("the demo scale has two regions of three municipalities, ~12 schools, 6 kindergartens, ~2,000 learners, ~300 applications")
    func demoCounts() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            #expect(try await connection.scalar("SELECT count(*) FROM eduql.regions", as: Int.self) == 2)
            #expect(try await connection.column("SELECT count(*) FROM eduql.municipalities GROUP BY region_id", as: Int.self) == [3, 3])
            #expect(try await connection.scalar("SELECT count(*) FROM eduql.organizations WHERE kind = 'school'", as: Int.self) == 12)
            #expect(try await connection.scalar("SELECT count(*) FROM eduql.organizations WHERE kind = 'kindergarten'", as: Int.self) == 6)
            let learners = try await connection.scalar("SELECT count(*) FROM eduql.learners", as: Int.self)
            #expect((1_800...2_600).contains(learners))
            let applications = try await connection.scalar("SELECT count(*) FROM eduql.queue_applications", as: Int.self)
            #expect((250...350).contains(applications))
            // The journal of the year so far: every school class has lessons, marks and attendance, only inside its terms, on
            // school days that are no holidays, up to this week; no mark or absence after today.
            let classesWithoutMarks = try await connection.scalar("""
                SELECT count(*) FROM eduql.classes c WHERE c.kind = 'class'
                AND NOT EXISTS (SELECT 1 FROM eduql.marks m WHERE m.class_id = c.id AND m.kind = 'current')
                """, as: Int.self)
            #expect(classesWithoutMarks == 0)
            let outsideTerm = try await connection.scalar("""
                SELECT count(*) FROM eduql.lessons l JOIN eduql.terms t ON t.id = l.term_id
                WHERE l.held_on NOT BETWEEN t.starts_on AND t.ends_on OR extract(isodow FROM l.held_on) > 5
                   OR l.held_on > date_trunc('week', current_date)::date + 20
                   OR EXISTS (SELECT 1 FROM eduql.holidays h WHERE l.held_on BETWEEN h.starts_on AND h.ends_on)
                """, as: Int.self)
            #expect(outsideTerm == 0)
            #expect(try await connection.scalar("SELECT count(*)::int FROM eduql.lessons WHERE held_on >= date_trunc('week', current_date)::date", as: Int.self) > 0,
                    "this week has lessons")
            #expect(try await connection.scalar("SELECT count(*)::int FROM eduql.lessons WHERE held_on > current_date", as: Int.self) > 0,
                    "there are lessons ahead, whatever the day")
            #expect(try await connection.scalar("""
                SELECT (SELECT count(*) FROM eduql.marks WHERE given_on > current_date) + (SELECT count(*) FROM eduql.attendance a
                JOIN eduql.lessons l ON l.id = a.lesson_id WHERE l.held_on > current_date)
                """, as: Int.self) == 0)
            #expect(try await connection.scalar("SELECT count(*) FROM eduql.attendance", as: Int.self) > 10_000)
            #expect(try await connection.scalar("SELECT count(*) FROM eduql.homework", as: Int.self) > 5_000)
            #expect(try await connection.scalar("SELECT count(*) FROM eduql.marks WHERE kind = 'term'", as: Int.self) > 10_000)
            // Every learner has a guardian; nobody is both absent and marked in one lesson.
            #expect(try await connection.scalar("SELECT count(*) FROM eduql.learners l WHERE NOT EXISTS (SELECT 1 FROM eduql.guardian_learners g WHERE g.learner_id = l.id)", as: Int.self) == 0)
            #expect(try await connection.scalar("SELECT count(*) FROM eduql.marks m JOIN eduql.attendance a USING (lesson_id, learner_id) WHERE a.code <> 'late'", as: Int.self) == 0)
        }
    }

    @Test("one demo account per role; the parent has children in two schools and a queue application; passwords verify")
    func demoAccounts() async throws {
        let accounts = try await TestCluster.shared.accounts()
        #expect(accounts.map(\.role) == ["region_admin", "mouo_admin", "school_admin", "teacher", "homeroom_teacher", "parent", "student", "integration"])
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            for account in accounts {
                let stored: String = if let login = account.login {
                    try await connection.scalar("SELECT password_hash FROM eduql.users WHERE login = \(login)")
                } else {
                    try await connection.scalar("SELECT secret_hash FROM eduql.integration_clients WHERE client_id = \(account.clientId!)")
                }
                let secret = try #require(account.password ?? account.clientSecret)
                #expect(try PasswordHasher().verify(secret, against: stored), "\(account.role)")
                #expect(try !PasswordHasher().verify(secret + "x", against: stored))
            }
            let schools = try await connection.scalar("""
                SELECT count(DISTINCT l.organization_id) FROM eduql.users u
                JOIN eduql.guardian_learners g ON g.guardian_id = u.guardian_id JOIN eduql.learners l ON l.id = g.learner_id
                WHERE u.login = 'parent'
                """, as: Int.self)
            #expect(schools == 2)
            let queued = try await connection.scalar("""
                SELECT count(*) FROM eduql.users u JOIN eduql.queue_applications a ON a.applicant_guardian_id = u.guardian_id
                WHERE u.login = 'parent' AND a.status = 'queued'
                """, as: Int.self)
            #expect(queued == 1)
            let homeroom = try await connection.scalar("""
                SELECT count(*) FROM eduql.users u JOIN eduql.role_assignments r ON r.user_id = u.id
                JOIN eduql.classes c ON c.id = r.class_id AND c.homeroom_teacher_id = u.staff_id
                WHERE u.login = 'homeroom' AND r.role = 'homeroom_teacher'
                """, as: Int.self)
            #expect(homeroom == 1)
        }
    }

    @Test("demo-accounts.json is an owner-only array of login/password or clientId/clientSecret, role and scope")
    func demoAccountsFile() async throws {
        let accounts = try await TestCluster.shared.accounts()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-accounts-\(UUID().uuidString)/demo-accounts.json").path
        try DemoAccountList(accounts: accounts).write(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [[String: Any]])
        #expect(json.count == 8)
        for entry in json {
            let keys = Set(entry.keys)
            if entry["role"] as? String == "integration" {
                #expect(keys == ["clientId", "clientSecret", "role", "scope"])
            } else {
                #expect(keys == ["login", "password", "role", "scope"])
            }
            let scope = try #require(entry["scope"] as? [String: Any])
            #expect(Set(scope.keys) == ["kind", "id", "name"])
        }
    }

    @Test("the same seed gives the same data; another seed gives other data")
    func deterministic() async throws {
        func fingerprint(seed: Int) async throws -> [String: String] {
            let database = try await TestCluster.shared.database(.migrated)
            return try await database.owner.withConnection(logger: self.logger) { connection in
                try await Seeder(scale: .demo, seed: seed).run(on: connection, logger: self.logger)
                let tables = try await connection.column("""
                    SELECT relname FROM pg_class WHERE relnamespace = 'eduql'::regnamespace AND relkind = 'r'
                    AND relname NOT IN ('schema_migrations') AND NOT relispartition ORDER BY 1
                    """, as: String.self)
                var result: [String: String] = [:]
                for table in tables {
                    // Row hashes, sorted, so neither ids nor physical order matter; created_at and recorded_at default to now().
                    result[table] = try await connection.scalar(PostgresQuery(unsafeSQL: """
                        SELECT coalesce(md5(string_agg(h, '' ORDER BY h)), 'empty')
                        FROM (SELECT md5((to_jsonb(t) - 'created_at' - 'recorded_at')::text) AS h FROM eduql.\(table) t) rows
                        """), as: String.self)
                }
                return result
            }
        }
        let first = try await fingerprint(seed: 7)
        let again = try await fingerprint(seed: 7)
        let other = try await fingerprint(seed: 8)
        #expect(first == again)
        #expect(first["learners"] != other["learners"])
        #expect(first["marks"] != other["marks"])
        #expect(first.values.filter { $0 != "empty" }.count > 20)
    }

    @Test("no two people of a region share a SNILS, and each SNILS has its right control number")
    func uniqueSNILS() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (people, distinct, malformed) = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                WITH people AS (
                    SELECT region_id, snils FROM eduql.learners WHERE snils IS NOT NULL
                    UNION ALL SELECT region_id, snils FROM eduql.guardians WHERE snils IS NOT NULL
                    UNION ALL SELECT region_id, child_snils FROM eduql.queue_applications WHERE child_snils IS NOT NULL
                      AND child_snils NOT IN (SELECT snils FROM eduql.learners WHERE snils IS NOT NULL))
                SELECT count(*)::int, count(DISTINCT (region_id, snils))::int, count(*) FILTER (WHERE snils !~ '^[0-9]{3}-[0-9]{3}-[0-9]{3} [0-9]{2}$')::int
                FROM people
                """, logger: self.logger).collect().first!.decode((Int, Int, Int).self)
        }
        #expect(people > 1000)
        #expect(distinct == people)
        #expect(malformed == 0)
        let checked = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("SELECT snils FROM eduql.learners WHERE snils IS NOT NULL ORDER BY id LIMIT 500", as: String.self)
        }
        #expect(checked.count == 500 && checked.allSatisfy { SNILS($0)?.isValid == true })
    }

    @Test("a seeded database is not seeded twice")
    func refusesSecondSeed() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            await #expect(throws: Seeder.AlreadySeeded.self) {
                try await Seeder(scale: .demo).run(on: connection, logger: self.logger)
            }
        }
    }

    @Test("the bench scale asks for at least 20 municipalities, 400 schools, 100,000 learners and 20,000 applications")
    func benchScale() {
        let bench = SeedScale.bench
        let municipalities = bench.regions.map(\.municipalities.count).reduce(0, +)
        #expect(municipalities >= 20)
        #expect(municipalities * bench.schoolsPerMunicipality >= 400)
        #expect(municipalities * bench.schoolsPerMunicipality * 11 * bench.learnersPerClass >= 100_000)
        #expect(municipalities * bench.applicationsPerMunicipality >= 20_000)
        #expect(bench.journalTerms == 4)
    }
}
