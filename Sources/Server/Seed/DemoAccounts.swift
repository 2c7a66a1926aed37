import Crypto
import EduQLAccessControl
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// One demo account per role over the demo data, with passwords derived from the seed (the
/// same seed gives the same passwords). The parent has two children in two schools and a
/// queue application for a third.
struct DemoAccounts {
    let seed: Int
    var hasher = PasswordHasher()

    /// The id of `queries/integration/roster-export.graphql`, the document the demo client's
    /// grant names (a test checks it against the manifest).
    static let rosterExport = "sha256:3a36a7e5b72483c46daa386c4ed106c419c8fe6c83f74bb30ff225dee01a9219"

    /// The scope a demo role is held at.
    struct Scope: Encodable {
        var kind: String
        var id: Int
        var name: String
    }

    /// A user (`login`, `password`) or the integration client (`clientId`, `clientSecret`).
    struct Account: Encodable {
        var login: String?
        var password: String?
        var clientId: String?
        var clientSecret: String?
        var role: String
        var scope: Scope
    }

    func create(on connection: PostgresConnection, logger: Logger) async throws -> DemoAccountList {
        let db = Lookup(connection: connection, logger: logger)
        let region = try await db.row("SELECT id, name FROM eduql.regions ORDER BY id LIMIT 1")
        let municipality = try await db.row("SELECT id, name FROM eduql.municipalities WHERE region_id = \(region.id) ORDER BY id LIMIT 1")
        let schools = try await db.rows("SELECT id, short_name FROM eduql.organizations WHERE municipality_id = \(municipality.id) AND kind = 'school' ORDER BY id LIMIT 2")
        guard schools.count == 2 else { throw ConfigurationError("demo accounts need two schools in the first municipality") }
        let school = schools[0], otherSchool = schools[1]
        let homeroomClass = try await db.row("SELECT id, name FROM eduql.classes WHERE organization_id = \(school.id) AND grade = 5")
        let homeroomTeacher = try await db.row("SELECT homeroom_teacher_id, name FROM eduql.classes WHERE id = \(homeroomClass.id)")
        let teacher = try await db.row("""
            SELECT s.id, s.last_name FROM eduql.staff s
            WHERE s.organization_id = \(school.id)
              AND EXISTS (SELECT 1 FROM eduql.teaching_assignments t WHERE t.staff_id = s.id)
              AND NOT EXISTS (SELECT 1 FROM eduql.classes c WHERE c.homeroom_teacher_id = s.id)
            ORDER BY s.id LIMIT 1
            """)
        let student = try await db.row("SELECT e.learner_id, '' FROM eduql.enrollments e JOIN eduql.classes c ON c.id = e.class_id WHERE c.organization_id = \(school.id) AND c.grade = 8 ORDER BY e.learner_id LIMIT 1")
        let firstChild = try await db.row("SELECT e.learner_id, '' FROM eduql.enrollments e JOIN eduql.classes c ON c.id = e.class_id WHERE c.organization_id = \(school.id) AND c.grade = 3 ORDER BY e.learner_id LIMIT 1")
        let secondChild = try await db.row("SELECT e.learner_id, '' FROM eduql.enrollments e JOIN eduql.classes c ON c.id = e.class_id WHERE c.organization_id = \(otherSchool.id) AND c.grade = 6 ORDER BY e.learner_id LIMIT 1")
        let parent = try await db.row("SELECT guardian_id, '' FROM eduql.guardian_learners WHERE learner_id = \(firstChild.id) AND relation = 'mother'")
        try await db.run("INSERT INTO eduql.guardian_learners (region_id, guardian_id, learner_id, relation) VALUES (\(region.id), \(parent.id), \(secondChild.id), 'mother')")
        try await self.fileApplication(guardian: parent.id, municipality: municipality.id, db: db)

        let regionScope = Scope(kind: "region", id: region.id, name: region.name)
        let schoolScope = Scope(kind: "organization", id: school.id, name: school.name)
        var accounts: [Account] = []
        func user(_ login: String, _ role: String, _ scope: Scope, link: String, _ linkID: Int?,
                  municipalityID: Int? = nil, organizationID: Int? = nil, classID: Int? = nil) async throws {
            let password = self.password(for: login)
            let hash = try self.hasher.hash(password)
            let userID = try await db.row("""
                INSERT INTO eduql.users (region_id, login, display_name, password_hash, must_change_password, \(unescaped: link))
                VALUES (\(region.id), \(login), \(login), \(hash), false, \(linkID)) RETURNING id, login
                """).id
            try await db.run("""
                INSERT INTO eduql.role_assignments (region_id, municipality_id, organization_id, class_id, user_id, role)
                VALUES (\(region.id), \(municipalityID), \(organizationID), \(classID), \(userID), \(role))
                """)
            accounts.append(Account(login: login, password: password, role: role, scope: scope))
        }
        try await user("region.admin", "region_admin", regionScope, link: "staff_id", nil)
        try await user("mouo.admin", "mouo_admin", Scope(kind: "municipality", id: municipality.id, name: municipality.name), link: "staff_id", nil,
                       municipalityID: municipality.id)
        try await user("school.admin", "school_admin", schoolScope, link: "staff_id", nil,
                       municipalityID: municipality.id, organizationID: school.id)
        try await user("teacher", "teacher", schoolScope, link: "staff_id", teacher.id, municipalityID: municipality.id, organizationID: school.id)
        try await user("homeroom", "homeroom_teacher", Scope(kind: "class", id: homeroomClass.id, name: "\(school.name), \(homeroomClass.name)"),
                       link: "staff_id", homeroomTeacher.id, municipalityID: municipality.id, organizationID: school.id, classID: homeroomClass.id)
        try await user("parent", "parent", regionScope, link: "guardian_id", parent.id)
        try await user("student", "student", schoolScope, link: "learner_id", student.id, municipalityID: municipality.id, organizationID: school.id)

        let secret = self.password(for: "client:diary-vendor")
        let clientID = try await db.row("""
            INSERT INTO eduql.integration_clients (region_id, client_id, name, secret_hash)
            VALUES (\(region.id), 'diary-vendor', 'ООО «Дневник-Сервис» (мобильное приложение)', \(try self.hasher.hash(secret))) RETURNING id, client_id
            """).id
        try await db.run("""
            INSERT INTO eduql.integration_grants (region_id, client_id, documents, expires_at)
            VALUES (\(region.id), \(clientID), ARRAY[\(Self.rosterExport)::text], '2027-08-31T23:59:59+03')
            """)
        accounts.append(Account(clientId: "diary-vendor", clientSecret: secret, role: "integration", scope: regionScope))
        return DemoAccountList(accounts: accounts)
    }

    /// A queue application of the parent's youngest child, aged one, in the first municipality.
    private func fileApplication(guardian: Int, municipality: Int, db: Lookup) async throws {
        try await db.run("""
            WITH app AS (
                INSERT INTO eduql.queue_applications (region_id, municipality_id, number, applicant_guardian_id, child_last_name,
                    child_first_name, child_middle_name, child_gender, child_birth_date, registered_at, desired_start_on, age_group, status, status_changed_at)
                SELECT g.region_id, \(municipality), 'DEMO-' || g.id, g.id, g.last_name, 'Мария', 'Андреевна', 'female', date '2025-03-14',
                       timestamptz '2025-04-02 09:30+03', date '2027-09-01', 1, 'queued', timestamptz '2025-04-03 09:30+03'
                FROM eduql.guardians g WHERE g.id = \(guardian)
                RETURNING id, region_id, municipality_id
            ), choices AS (
                INSERT INTO eduql.queue_application_choices (application_id, rank, region_id, municipality_id, organization_id)
                SELECT app.id, 1, app.region_id, app.municipality_id, o.id
                FROM app JOIN eduql.organizations o ON o.municipality_id = app.municipality_id AND o.kind = 'kindergarten'
                ORDER BY o.id LIMIT 1
            )
            INSERT INTO eduql.queue_status_history (region_id, municipality_id, application_id, from_status, to_status, changed_at, reason)
            SELECT app.region_id, app.municipality_id, app.id, NULL, 'new', timestamptz '2025-04-02 09:30+03', 'Заявление подано' FROM app
            UNION ALL
            SELECT app.region_id, app.municipality_id, app.id, 'new', 'queued', timestamptz '2025-04-03 09:30+03', 'Документы подтверждены' FROM app
            """)
    }

    /// `eduql-` and twelve letters and digits, from SHA-256 of the seed and the login.
    func password(for login: String) -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        let digest = SHA256.hash(data: Data("eduql-demo:\(self.seed):\(login)".utf8))
        return "eduql-" + String(digest.prefix(12).map { alphabet[Int($0) % alphabet.count] })
    }
}

/// A few one-line query helpers for the demo account set-up.
private struct Lookup {
    let connection: PostgresConnection
    let logger: Logger

    func rows(_ query: PostgresQuery) async throws -> [(id: Int, name: String)] {
        var result: [(id: Int, name: String)] = []
        for try await (id, name) in try await self.connection.query(query, logger: self.logger).decode((Int, String).self) {
            result.append((id, name))
        }
        return result
    }

    func row(_ query: PostgresQuery) async throws -> (id: Int, name: String) {
        guard let first = try await self.rows(query).first else {
            throw ConfigurationError("the demo data lacks a row for: \(query.sql)")
        }
        return first
    }

    func run(_ query: PostgresQuery) async throws {
        try await self.connection.execute(query, logger: self.logger)
    }
}
