import EduQLOnboarding
import EduQLSchema
@testable import EduQLServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOFoundationCompat
import Logging
import NIOCore
import PostgresNIO
import Testing
import ZIPFoundation

/// The import and export through the HTTP API: a school admin imports into their own school
/// only, a teacher not at all, a municipality admin exports nothing outside its territory;
/// the job reports progress and problems; every import leaves one audit event naming the caller.
@Suite("Onboarding API", .serialized, .timeLimit(.minutes(4)))
struct OnboardingAPITests {
    let logger = Logger(label: "eduql-tests")

    func upload(_ api: TestAPI, _ path: String, _ body: Data, token: String) async throws -> TestAPI.Reply {
        try await api.client.execute(uri: path, method: .post, headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(bytes: body)) { response in
            let text = String(buffer: response.body)
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            return TestAPI.Reply(status: response.status, headers: response.headers, json: json, text: text)
        }
    }

    /// Polls the job until it ends (bounded).
    func finished(_ api: TestAPI, _ id: String, token: String) async throws -> TestAPI.Reply {
        for _ in 0..<300 {
            let reply = try await api.request(.get, "/onboarding/imports/\(id)", token: token)
            if reply["status"] as? String != "running" { return reply }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the import did not end")
        return try await api.request(.get, "/onboarding/imports/\(id)", token: token)
    }

    @Test("a school admin's import is bounded to their school; a teacher may not import; the export is the caller's scope")
    func scoped() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (own, other, ownKey, otherKey) = try await database.owner.withConnection(logger: self.logger) { connection in
            let own = try await connection.scalar("""
                SELECT r.organization_id FROM eduql.role_assignments r JOIN eduql.users u ON u.id = r.user_id
                WHERE u.login = 'school.admin' AND r.role = 'school_admin'
                """, as: Int.self)
            let other = try await connection.scalar("SELECT id FROM eduql.organizations WHERE kind = 'school' AND id <> \(own) AND region_id = 1 ORDER BY id LIMIT 1", as: Int.self)
            let ownKey = try await connection.scalar("SELECT eduql.export_key('organization', \(own))", as: String.self)
            let otherKey = try await connection.scalar("SELECT eduql.export_key('organization', \(other))", as: String.self)
            return (own, other, ownKey, otherKey)
        }
        #expect(own != other)
        try await TestAPI.run(database) { api in
            let school = try await api.demoToken("school.admin")
            let csv = "id;organization_id;last_name;first_name;gender;birth_date\nN-1;\(ownKey);Новый;Ученик;male;2017-04-01\nN-2;\(otherKey);Чужой;Ученик;female;2017-04-01\n"
            let started = try await self.upload(api, "/onboarding/imports?dryRun=true&sheet=learners", Data(csv.utf8), token: school)
            #expect(started.status == .accepted, "\(started.text)")
            let id = try #require(started["id"] as? String)
            let done = try await self.finished(api, id, token: school)
            let report = try #require(done["report"] as? [String: Any])
            let problems = try #require(report["problems"] as? [[String: Any]])
            #expect(problems.count == 1)
            #expect(problems.first?["row"] as? Int == 3 && problems.first?["column"] as? String == "organization_id")
            #expect((report["sheets"] as? [[String: Any]])?.first?["created"] as? Int == 1)
            #expect(report["committed"] as? Bool == false)
            #expect((done["progress"] as? [String: Any])?["rowsDone"] as? Int == 2)

            // The school admin may not import organizations at all; the sheet is refused, nothing read.
            let organizations = try await self.upload(api, "/onboarding/imports?sheet=organizations",
                                                      Data("id,municipality_oktmo,kind,full_name,short_name,inn,address,head_name\n".utf8), token: school)
            let refused = try await self.finished(api, try #require(organizations["id"] as? String), token: school)
            #expect(((refused["report"] as? [String: Any])?["problems"] as? [[String: Any]])?.first?["message"] as? String == "your role may not import organizations")

            // A teacher may not import; another user cannot see the school admin's job.
            let teacher = try await api.demoToken("teacher")
            #expect(try await self.upload(api, "/onboarding/imports?sheet=learners", Data(csv.utf8), token: teacher).status == .forbidden)
            #expect(try await api.request(.get, "/onboarding/imports/\(id)", token: teacher).status == .forbidden)
            let mouo = try await api.demoToken("mouo.admin")
            #expect(try await api.request(.get, "/onboarding/imports/\(id)", token: mouo).status == .notFound)
            #expect(try await self.upload(api, "/onboarding/imports?sheet=learners", Data(csv.utf8), token: "nonsense").status == .unauthorized)
            #expect(try await self.upload(api, "/onboarding/imports?sheet=nothing", Data(csv.utf8), token: school).status == .badRequest)

            // The school's export holds its own learners only.
            let export = try await api.client.execute(uri: "/onboarding/export", method: .get, headers: [.authorization: "Bearer \(school)"], body: nil) { response in
                (response.status, Data(buffer: response.body))
            }
            #expect(export.0 == .ok)
            let archive = try Archive(data: export.1, accessMode: .read)
            let entry = try #require(archive["learners.csv"])
            var learners = Data()
            _ = try archive.extract(entry) { learners.append($0) }
            let rows = String(decoding: learners, as: UTF8.self).split(separator: "\r\n").dropFirst()
            #expect(!rows.isEmpty)
            #expect(rows.allSatisfy { $0.split(separator: ";", omittingEmptySubsequences: false)[1] == ownKey })
            // Its guardians are those of its own learners, not the region's (row-level security shows a school every guardian row).
            let guardiansEntry = try #require(archive["guardians.csv"])
            var guardians = Data()
            _ = try archive.extract(guardiansEntry) { guardians.append($0) }
            let exportedGuardians = String(decoding: guardians, as: UTF8.self).split(separator: "\r\n").count - 1
            let (linked, regional) = try await database.owner.withConnection(logger: self.logger) { connection in
                (try await connection.scalar("""
                    SELECT count(DISTINCT gl.guardian_id)::int FROM eduql.guardian_learners gl JOIN eduql.learners l ON l.id = gl.learner_id
                    WHERE l.organization_id = \(own)
                    """, as: Int.self),
                 try await connection.scalar("SELECT count(*)::int FROM eduql.guardians WHERE region_id = 1", as: Int.self))
            }
            #expect(exportedGuardians == linked && linked > 0 && linked < regional)

            // A municipality admin cannot export an organization of another municipality.
            let foreign = try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.scalar("""
                    SELECT o.id FROM eduql.organizations o WHERE o.region_id = 1 AND o.municipality_id <> (
                        SELECT r.municipality_id FROM eduql.role_assignments r JOIN eduql.users u ON u.id = r.user_id WHERE u.login = 'mouo.admin' LIMIT 1)
                    ORDER BY o.id LIMIT 1
                    """, as: Int.self)
            }
            #expect(try await api.request(.get, "/onboarding/export?organization=\(foreign)", token: mouo).status == .forbidden)
        }
        // One audit event per import naming the caller with its counts, beside the requests' own.
        let events = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.column("""
                SELECT action || ':' || outcome || ':' || coalesce(login, '-') FROM eduql.audit_events WHERE action LIKE 'import%' OR action LIKE 'onboarding%' ORDER BY seq
                """, as: String.self)
        }
        #expect(events.contains("import.dry_run:invalid:school.admin"))
        #expect(events.contains("onboarding.post.imports:denied:teacher"))
        #expect(events.contains("onboarding.get.export:ok:school.admin"))
        // The export's event names the learners whose records it carried.
        let named = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("""
                SELECT (SELECT count(*) FROM eduql.audit_events e, unnest(e.learner_ids) AS l(id) WHERE e.action = 'onboarding.get.export' AND e.login = 'school.admin')
                       = (SELECT count(*) FROM eduql.learners WHERE organization_id = \(own)) AND \(own) > 0
                """, as: Bool.self)
        }
        #expect(named)
    }

    @Test("an import cancelled through the API, even after its last batch, leaves nothing behind and one audit event")
    func cancelled() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let own = try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.scalar("""
                SELECT eduql.export_key('organization', r.organization_id) FROM eduql.role_assignments r JOIN eduql.users u ON u.id = r.user_id
                WHERE u.login = 'school.admin' AND r.role = 'school_admin'
                """, as: String.self)
        }
        let csv = "id;organization_id;last_name;first_name;gender;birth_date\n"
            + (1...3).map { "X-\($0);\(own);Отменённый;Ученик;male;2017-04-0\($0)" }.joined(separator: "\n") + "\n"
        // Another session holds the learners table against writes, so the import is surely still
        // running, in its one batch, when the cancel arrives; it goes on once the lock is let go.
        try await database.owner.withConnection(logger: self.logger) { lock in
            try await lock.query("BEGIN", logger: self.logger)
            try await lock.query("LOCK TABLE eduql.learners IN SHARE MODE", logger: self.logger)
            try await TestAPI.run(database) { api in
                let school = try await api.demoToken("school.admin")
                let started = try await self.upload(api, "/onboarding/imports?sheet=learners", Data(csv.utf8), token: school)
                #expect(started.status == .accepted, "\(started.text)")
                let id = try #require(started["id"] as? String)
                var waiting = false
                for _ in 0..<200 where !waiting {
                    try await Task.sleep(for: .milliseconds(25))
                    waiting = try await database.owner.withConnection(logger: self.logger) { connection in
                        try await connection.scalar("SELECT count(*) > 0 FROM pg_locks WHERE relation = 'eduql.learners'::regclass AND NOT granted", as: Bool.self)
                    }
                }
                #expect(waiting, "the import waits for the lock")
                #expect(try await api.request(.get, "/onboarding/imports/\(id)", token: school)["status"] as? String == "running")
                let cancel = try await api.request(.delete, "/onboarding/imports/\(id)", token: school)
                #expect(cancel.status == .accepted, "\(cancel.status) \(cancel.text)")
                // The cancel is answered at once, while the import's statement still waits.
                #expect(cancel["status"] as? String == "running")
                try await lock.query("ROLLBACK", logger: self.logger)
                let done = try await self.finished(api, id, token: school)
                #expect(done["status"] as? String == "cancelled", "\(done)")
            }
        }
        let (written, events) = try await database.owner.withConnection(logger: self.logger) { connection in
            (try await connection.scalar("SELECT count(*)::int FROM eduql.learners WHERE last_name = 'Отменённый'", as: Int.self),
             try await connection.column("""
                SELECT outcome || ':' || array_to_string(error_codes, ',') || ':' || coalesce(login, '-') FROM eduql.audit_events WHERE action = 'import'
                """, as: String.self))
        }
        #expect(written == 0)
        #expect(events == ["error:CANCELLED:school.admin"])
    }

    @Test("the rollover through the API: a school admin previews and rolls over their own school only; a teacher not at all; a municipality admin imports no organization outside its territory")
    func rolloverAndTerritory() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (own, other, old, next, foreignOKTMO) = try await database.owner.withConnection(logger: self.logger) { connection in
            let own = try await connection.scalar("""
                SELECT r.organization_id FROM eduql.role_assignments r JOIN eduql.users u ON u.id = r.user_id
                WHERE u.login = 'school.admin' AND r.role = 'school_admin'
                """, as: Int.self)
            let other = try await connection.scalar("SELECT id FROM eduql.organizations WHERE kind = 'school' AND id <> \(own) AND region_id = 1 ORDER BY id LIMIT 1", as: Int.self)
            let old = try await connection.scalar("""
                SELECT y.name FROM eduql.academic_years y JOIN eduql.classes k ON k.academic_year_id = y.id
                WHERE k.organization_id = \(own) ORDER BY y.starts_on DESC LIMIT 1
                """, as: String.self)
            let start = Int(old.prefix(4))! + 1
            let next = "\(start)/\(start + 1)"
            try await connection.execute(PostgresQuery(unsafeSQL: """
                INSERT INTO eduql.academic_years (region_id, name, starts_on, ends_on) SELECT 1, '\(next)', make_date(\(start), 9, 1), make_date(\(start + 1), 8, 31)
                WHERE NOT EXISTS (SELECT 1 FROM eduql.academic_years WHERE region_id = 1 AND name = '\(next)')
                """))
            let foreign = try await connection.scalar("""
                SELECT m.oktmo FROM eduql.municipalities m WHERE m.region_id = 1 AND m.id <> (
                    SELECT r.municipality_id FROM eduql.role_assignments r JOIN eduql.users u ON u.id = r.user_id WHERE u.login = 'mouo.admin' LIMIT 1)
                ORDER BY m.id LIMIT 1
                """, as: String.self)
            return (own, other, old, next, foreign)
        }
        try await TestAPI.run(database) { api in
            let options: [String: Any] = ["fromYear": old, "toYear": next, "orderNumber": "№ 12", "override": "marks on paper"]
            let school = try await api.demoToken("school.admin")
            var preview = options
            preview["preview"] = true
            let shown = try await api.request(.post, "/onboarding/rollover", json: preview, token: school)
            #expect(shown.status == .ok, "\(shown.text)")
            let placements = try #require(shown["preview"] as? [[String: Any]])
            #expect(!placements.isEmpty && placements.allSatisfy { $0["organizationID"] as? Int == own })

            var elsewhere = options
            elsewhere["organizationId"] = other
            #expect(try await api.request(.post, "/onboarding/rollover", json: elsewhere, token: school).status == .forbidden)
            let teacher = try await api.demoToken("teacher")
            #expect(try await api.request(.post, "/onboarding/rollover", json: options, token: teacher).status == .forbidden)
            #expect(try await api.request(.post, "/onboarding/rollover", raw: "{\"fromYear\": 1}", token: school).status == .badRequest)
            var unknown = options
            unknown["toYear"] = "2090/2091"
            #expect(try await api.request(.post, "/onboarding/rollover", json: unknown, token: school).status == .badRequest)

            let done = try await api.request(.post, "/onboarding/rollover", json: options, token: school)
            #expect(done.status == .ok, "\(done.text)")
            let outcomes = try #require(done["organizations"] as? [[String: Any]])
            #expect(outcomes.count == 1 && outcomes.first?["organizationID"] as? Int == own && outcomes.first?["problem"] == nil)
            #expect(outcomes.first?["promoted"] as? Int ?? 0 > 0)

            // A municipality admin's organizations sheet naming another municipality's OKTMO: a problem, nothing written.
            let mouo = try await api.demoToken("mouo.admin")
            let csv = "id,municipality_oktmo,kind,full_name,short_name,inn,address,head_name\nO-1,\(foreignOKTMO),school,Школа,Школа,3525999990,адрес,директор\n"
            let started = try await self.upload(api, "/onboarding/imports?sheet=organizations", Data(csv.utf8), token: mouo)
            let finished = try await self.finished(api, try #require(started["id"] as? String), token: mouo)
            let problems = try #require((finished["report"] as? [String: Any])?["problems"] as? [[String: Any]])
            #expect(problems.count == 1 && problems.first?["column"] as? String == "municipality_oktmo", "\(problems)")
        }
        // The other school is untouched; the rollover left one audit event naming the school admin.
        let (promotedElsewhere, created, events) = try await database.owner.withConnection(logger: self.logger) { connection in
            (try await connection.scalar("SELECT count(*)::int FROM eduql.enrollments WHERE organization_id = \(other) AND status = 'promoted'", as: Int.self),
             try await connection.scalar("SELECT count(*)::int FROM eduql.organizations WHERE inn = '3525999990'", as: Int.self),
             try await connection.scalar("SELECT count(*)::int FROM eduql.audit_events WHERE action = 'rollover' AND login = 'school.admin' AND organization_id = \(own)", as: Int.self))
        }
        #expect(promotedElsewhere == 0 && created == 0 && events == 1)
    }
}
