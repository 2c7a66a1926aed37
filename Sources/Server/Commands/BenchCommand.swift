import ArgumentParser
import EduQLAccessControl
import EduQLResolvers
import GraphQL
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// `eduql bench accounts`: for benchmarks only — accounts for many distinct parents, school
/// administrators, teachers, applicants to the kindergarten queue and region administrators of
/// the seeded data, all with one given password, and a JSON file of what each may ask for (a
/// child, a class, a class and subject, an application, a region). Written as the
/// schema owner, like the seed; the server has no such backdoor.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmark helpers (not for production data).",
                                                    subcommands: [Accounts.self, Statement.self])

    /// `eduql bench statement`: the statement the engine runs for one document and its
    /// variables, acting with a session token, as JSON `{"sql", "parameters"}` — what
    /// `scripts/bench` gives pgbench to measure PostgreSQL's own ceiling for the same answer.
    struct Statement: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "statement", abstract: "Print the engine's statement for a document.")

        @Option(help: "The role whose policy compiles the document (parent, school_admin, teacher, …).")
        var role: String
        @Option(help: "The document's file.")
        var document: String
        @Option(help: "The variables, as a JSON object.")
        var variables: String = "{}"
        @Option(help: "The session token the statement acts with.")
        var token: String?
        @Option(help: "The role assignment the session acts in.")
        var assignment: Int?
        @Option(help: "The region of the assignment's scope.")
        var region: Int = 1
        @Option(help: "A file of JSON lines {token, assignment, region, variables}: one row of parameters each, for one statement.")
        var lines: String?

        /// One request to compile: whom it acts for and its variables.
        struct Line: Decodable {
            var token: String
            var assignment: Int
            var region: Int
            var variables: Map
        }

        func run() async throws {
            guard let role = Role(rawValue: self.role) else { throw ValidationError("unknown role \(self.role)") }
            let policy = Policy.of(role)
            let engine = GraphQLEngine()
            let prepared = try engine.prepare(try String(contentsOfFile: self.document, encoding: .utf8), for: policy)
            var requests: [Line] = []
            if let lines = self.lines {
                for line in try String(contentsOfFile: lines, encoding: .utf8).split(separator: "\n") where !line.isEmpty {
                    requests.append(try JSONDecoder().decode(Line.self, from: Data(line.utf8)))
                }
            } else {
                guard let token = self.token, let assignment = self.assignment else { throw ValidationError("--token and --assignment, or --lines") }
                requests.append(Line(token: token, assignment: assignment, region: self.region,
                                     variables: try JSONDecoder().decode(JSONValue.self, from: Data(self.variables.utf8)).map))
            }
            var sql: String?
            var rows: [[String]] = []
            for request in requests {
                guard let token = BearerToken(presented: request.token) else { throw ValidationError("not a session token") }
                let acting = ActingAs.user(tokenSHA256: token.sha256, assignmentID: request.assignment, idleSeconds: 1800, regionID: request.region)
                let plan = try engine.plan(prepared, operationName: nil, variables: request.variables, policy: policy, actingAs: acting)
                guard case .statement(let statement)? = plan.roots.first else { throw ValidationError("the document has no data field") }
                // Every line must be of one shape: one statement, its values in rows.
                guard sql == nil || sql == statement.sql else { throw ValidationError("the lines compile to different statements") }
                sql = statement.sql
                rows.append(statement.parameters.map { Self.literal($0) })
            }
            let output: [String: Any] = self.lines == nil ? ["sql": sql ?? "", "parameters": rows.first ?? []] : ["sql": sql ?? "", "rows": rows]
            print(String(decoding: try JSONSerialization.data(withJSONObject: output, options: [.sortedKeys]), as: UTF8.self))
        }

        /// A parameter as text PostgreSQL reads back with the placeholder's cast.
        static func literal(_ data: PostgresData) -> String {
            switch data.type {
            case .bytea: "\\x" + (data.bytes ?? []).map { String(format: "%02x", $0) }.joined()
            case .int8, .int4, .int2: data.int.map(String.init) ?? ""
            case .textArray, .varcharArray:
                "{" + (data.array(of: String.self) ?? []).map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
            case .int8Array, .int4Array: "{" + (data.array(of: Int.self) ?? []).map(String.init).joined(separator: ",") + "}"
            default: data.string ?? ""
            }
        }
    }

    struct Accounts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "accounts", abstract: "Create benchmark accounts and list them as JSON.")

        @Option(help: "Parents to create (guardians of learners in school classes).")
        var parents = 500
        @Option(help: "School administrators to create (one per school).")
        var schools = 100
        @Option(help: "Teachers to create (one per teacher with a teaching assignment).")
        var teachers = 100
        @Option(help: "Parents with a queued kindergarten application to create (one per applicant).")
        var applicants = 100
        @Option(help: "Region administrators to create (one per region).")
        var regions = 10
        @Option(help: "Municipal administrators to create (one per municipality).")
        var municipalities = 30
        @Option(help: "The password every benchmark account gets.")
        var password: String
        @Option(help: "Where to write the list.")
        var output: String

        func run() async throws {
            let command = try await CommandContext.load()
            let logger = command.logger
            let database = try await command.database()
            let hash = try PasswordHasher().hash(self.password)
            let rows: [PostgresRow]
            do {
                rows = try await self.create(hash: hash, on: database, logger: logger)
            } catch let error as PSQLError {
                throw ValidationError("the database refused: \(error.serverInfo?[.message] ?? String(reflecting: error))")
            }
            let json = try rows.first?.decode(String?.self) ?? "[]"
            try Data(json.utf8).write(to: URL(fileURLWithPath: self.output), options: .atomic)
            print("benchmark accounts written to \(self.output)")
        }

        func create(hash: String, on database: DatabaseLocator.Connections, logger: Logger) async throws -> [PostgresRow] {
            try await database.owner.withConnection(logger: logger) { connection in
                try await connection.execute(Self.create(parents: self.parents, schools: self.schools, teachers: self.teachers,
                                                         applicants: self.applicants, regions: self.regions,
                                                         municipalities: self.municipalities, hash: hash),
                                             logger: logger)
                return try await connection.query("""
                    SELECT json_agg(a ORDER BY a.role, a.login)::text FROM (
                        SELECT u.login, 'parent' AS role, (SELECT min(gl.learner_id) FROM eduql.guardian_learners gl
                            JOIN eduql.enrollments e ON e.learner_id = gl.learner_id AND e.status = 'active'
                            WHERE gl.guardian_id = u.guardian_id) AS "learnerId", NULL::bigint AS "classId", NULL::bigint AS "subjectId",
                            NULL::bigint AS "applicationId", NULL::bigint AS "regionId"
                          FROM eduql.users u WHERE u.login LIKE 'bench.parent.%'
                        UNION ALL
                        SELECT u.login, 'school_admin', NULL::bigint, (SELECT min(k.id) FROM eduql.classes k WHERE k.organization_id = ra.organization_id
                            AND k.kind = 'class'), NULL::bigint, NULL::bigint, NULL::bigint
                          FROM eduql.users u JOIN eduql.role_assignments ra ON ra.user_id = u.id WHERE u.login LIKE 'bench.school.%'
                        UNION ALL
                        SELECT u.login, 'teacher', NULL::bigint, ta.class_id, ta.subject_id, NULL::bigint, NULL::bigint
                          FROM eduql.users u JOIN LATERAL (SELECT * FROM eduql.teaching_assignments t WHERE t.staff_id = u.staff_id
                            ORDER BY t.id LIMIT 1) ta ON true WHERE u.login LIKE 'bench.teacher.%'
                        UNION ALL
                        SELECT u.login, 'applicant', NULL::bigint, NULL::bigint, NULL::bigint, (SELECT min(q.id) FROM eduql.queue_applications q
                            WHERE q.applicant_guardian_id = u.guardian_id AND q.status = 'queued'), NULL::bigint
                          FROM eduql.users u WHERE u.login LIKE 'bench.applicant.%'
                        UNION ALL
                        SELECT u.login, 'region_admin', NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, u.region_id
                          FROM eduql.users u WHERE u.login LIKE 'bench.region.%'
                        UNION ALL
                        SELECT u.login, 'mouo_admin', NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, u.region_id
                          FROM eduql.users u WHERE u.login LIKE 'bench.mouo.%') a
                    """, logger: logger).collect()
            }
        }

        /// One statement: the users, then their role assignments; existing ones are kept.
        static func create(parents: Int, schools: Int, teachers: Int, applicants: Int, regions: Int, municipalities: Int,
                           hash: String) -> PostgresQuery {
            """
            WITH parents AS (
                SELECT DISTINCT ON (gl.guardian_id) gl.guardian_id, l.region_id FROM eduql.guardian_learners gl
                  JOIN eduql.learners l ON l.id = gl.learner_id
                  JOIN eduql.enrollments e ON e.learner_id = gl.learner_id AND e.status = 'active'
                  JOIN eduql.classes k ON k.id = e.class_id AND k.kind = 'class'
                 ORDER BY gl.guardian_id LIMIT \(parents)),
            schools AS (
                SELECT o.id, o.region_id, o.municipality_id FROM eduql.organizations o
                 WHERE o.kind = 'school' AND EXISTS (SELECT 1 FROM eduql.classes k WHERE k.organization_id = o.id)
                 ORDER BY o.id LIMIT \(schools)),
            teachers AS (
                SELECT DISTINCT ON (ta.staff_id) ta.staff_id, s.region_id, s.municipality_id, s.organization_id
                  FROM eduql.teaching_assignments ta JOIN eduql.staff s ON s.id = ta.staff_id
                 ORDER BY ta.staff_id LIMIT \(teachers)),
            applicants AS (
                SELECT DISTINCT ON (q.applicant_guardian_id) q.applicant_guardian_id AS guardian_id, q.region_id
                  FROM eduql.queue_applications q WHERE q.status = 'queued'
                 ORDER BY q.applicant_guardian_id LIMIT \(applicants)),
            regions AS (SELECT r.id FROM eduql.regions r ORDER BY r.id LIMIT \(regions)),
            municipalities AS (SELECT m.id, m.region_id FROM eduql.municipalities m ORDER BY m.id LIMIT \(municipalities)),
            users AS (
                INSERT INTO eduql.users (region_id, login, display_name, password_hash, must_change_password, guardian_id, staff_id)
                SELECT region_id, 'bench.parent.' || guardian_id, 'bench parent', \(hash), false, guardian_id, NULL::bigint FROM parents
                UNION ALL SELECT region_id, 'bench.school.' || id, 'bench school', \(hash), false, NULL::bigint, NULL::bigint FROM schools
                UNION ALL SELECT region_id, 'bench.teacher.' || staff_id, 'bench teacher', \(hash), false, NULL::bigint, staff_id FROM teachers
                UNION ALL SELECT region_id, 'bench.applicant.' || guardian_id, 'bench applicant', \(hash), false, guardian_id, NULL::bigint
                  FROM applicants
                UNION ALL SELECT id, 'bench.region.' || id, 'bench region', \(hash), false, NULL::bigint, NULL::bigint FROM regions
                UNION ALL SELECT region_id, 'bench.mouo.' || id, 'bench municipality', \(hash), false, NULL::bigint, NULL::bigint FROM municipalities
                ON CONFLICT (login) DO NOTHING RETURNING id, login, region_id)
            INSERT INTO eduql.role_assignments (region_id, municipality_id, organization_id, user_id, role)
            SELECT u.region_id, NULL::bigint, NULL::bigint, u.id, 'parent' FROM users u
                WHERE u.login LIKE 'bench.parent.%' OR u.login LIKE 'bench.applicant.%'
            UNION ALL SELECT u.region_id, NULL::bigint, NULL::bigint, u.id, 'region_admin' FROM users u WHERE u.login LIKE 'bench.region.%'
            UNION ALL SELECT u.region_id, m.id, NULL::bigint, u.id, 'mouo_admin' FROM users u JOIN municipalities m ON u.login = 'bench.mouo.' || m.id
            UNION ALL SELECT u.region_id, s.municipality_id, s.id, u.id, 'school_admin' FROM users u
                JOIN schools s ON u.login = 'bench.school.' || s.id
            UNION ALL SELECT u.region_id, t.municipality_id, t.organization_id, u.id, 'teacher' FROM users u
                JOIN teachers t ON u.login = 'bench.teacher.' || t.staff_id
            """
        }
    }
}
