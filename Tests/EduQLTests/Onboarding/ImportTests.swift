import EduQLOnboarding
import EduQLSchema
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// Import: the sample set into an empty region (dry run first), twice, a file set with every
/// kind of defect, an import killed half way, and the demo region's export imported into an
/// empty database and exported again, byte for byte.
@Suite("Import", .serialized, .timeLimit(.minutes(6)))
struct ImportTests {
    @Test("the sample set: a dry run changes nothing, the import creates everything once, the second changes nothing")
    func samples() async throws {
        let region = try await OnboardingFiles.emptyRegion()
        let samples = try OnboardingFiles.samples()
        let before = try await region.counts()
        let dry = try await region.importing(samples, dryRun: true)
        #expect(dry.problems == [])
        #expect(dry.created == 41 && !dry.committed)
        #expect(try await region.counts() == before)

        let first = try await region.importing(samples)
        #expect(first.committed && first.created == 41 && first.updated == 0 && first.unchanged == 0)
        let after = try await region.counts()
        #expect(after["learners"] == 5 && after["guardians"] == 3 && after["guardian_learners"] == 6 && after["timetable_entries"] == 4)
        // Change-feed rows for what was written, guardians included.
        let changes = try await region.database.owner.withConnection(logger: region.logger) { connection in
            try await connection.column("SELECT entity || ':' || count(*) FROM eduql.changes GROUP BY entity ORDER BY entity", as: String.self)
        }
        #expect(changes.contains("learner:5") && changes.contains("guardian:3") && changes.contains("enrollment:5") && changes.contains("class:4"))
        // A guardian's birth date (what ЕСИА sign-in matches with SNILS and last name) is kept; an empty one stays unknown.
        let birthDates = try await region.database.owner.withConnection(logger: region.logger) { connection in
            try await connection.column("""
                SELECT last_name || ':' || coalesce(birth_date::text, '-') FROM eduql.guardians
                WHERE last_name IN ('Орлова', 'Орлов', 'Белов') ORDER BY last_name
                """, as: String.self)
        }
        #expect(birthDates == ["Белов:-", "Орлов:1986-01-30", "Орлова:1988-09-14"])

        let second = try await region.importing(samples)
        #expect(second.committed && second.created == 0 && second.updated == 0 && second.unchanged == 41)
        #expect(try await region.counts() == after)

        // A corrected file updates only the row that changed.
        var corrected = samples
        corrected["learners.csv"] = samples["learners.csv"]!.replacingOccurrences(of: "L-3,SCH-1,Соколова,Анна,,", with: "L-3,SCH-1,Соколова,Анна,Сергеевна,")
        let third = try await region.importing(corrected)
        #expect(third.updated == 1 && third.created == 0 && third.unchanged == 40)

        // One audit event per import, with its counts.
        let events = try await region.database.owner.withConnection(logger: region.logger) { connection in
            try await connection.column("SELECT action || ':' || outcome || ':' || (detail->>'created') FROM eduql.audit_events ORDER BY seq", as: String.self)
        }
        #expect(events == ["import.dry_run:ok:41", "import:ok:41", "import:ok:0", "import:ok:0"])
    }

    @Test("a file set with twenty kinds of defect: each reported by file, row and column; nothing changed")
    func defects() async throws {
        let region = try await OnboardingFiles.emptyRegion()
        var files = try OnboardingFiles.samples()
        _ = try await region.importing(files)
        let before = try await region.counts()
        let future = "2031-01-01"
        files["learners.csv"] = """
            id,organization_id,last_name,first_name,middle_name,gender,birth_date,snils,address,health_group
            L-10,SCH-1,Новиков,Иван,,male,2016-01-01,212-233-410 00,,1
            L-11,SCH-1,Новикова,Ирина,,female,\(future),,,1
            L-12,SCH-1,Зайцев,Пётр,,male,2016-02-30,,,1
            L-13,SCH-1,Зайцева,Ольга,,x,2016-01-01,,,1
            L-14,SCH-1,,Олег,,male,2016-01-01,,,1
            L-15,SCH-1,Лебедев,Илья,,male,2016-01-01,,,9
            L-16,SCH-404,Лебедева,Юлия,,female,2016-01-01,,,1
            L-17,SCH-1,Морозов,Глеб,,male,2016-01-01,12345,,1
            L-10,SCH-1,Дубль,Иван,,male,2016-01-01,,,1
            L-18,DOU-5,Орлов,Максим,Игоревич,male,2018-05-11,212-233-401 92,,1
            """
        files["classes.csv"] = """
            id,organization_id,year,kind,name,grade
            C-9,SCH-1,2030/2031,class,9А,9
            C-10,SCH-1,2025/2026,class,10А,
            C-11,SCH-1,2025-2026,class,11А,11
            """
        files["guardian_links.csv"] = """
            guardian_id,learner_id,relation,consent_on
            P-1,L-1,aunt,
            P-404,L-1,mother,
            """
        files["guardians.csv"] = """
            id,last_name,first_name,middle_name,phone,email,snils,address,nickname
            P-9,Кто,То,,,,,,x
            """
        files["enrollments.csv"] = """
            id,learner_id,class_id,enrolled_on,left_on,status,repeats_grade
            E-9,L-1,C-404,2025-09-01,,active,false
            E-10,L-2,C-4A,2025-09-01,2025-08-01,transferred,false
            E-11,L-3,C-4A,2025-09-01,,graduated,maybe
            """
        files["timetable.csv"] = """
            class_id,weekday,period,subject,teacher_id,room
            C-1A,8,1,Русский язык,T-1,101
            C-1A,1,3,Астрология,T-1,101
            C-1A,1,4,Русский язык,T-3,101
            """
        let report = try await region.importing(files, dryRun: true)
        #expect(!report.committed)
        #expect(try await region.counts() == before)
        func has(_ file: String, _ row: Int, _ column: String?, _ words: String) -> Bool {
            report.problems.contains { $0.file == file && $0.row == row && $0.column == column && $0.message.contains(words) }
        }
        let expected: [(String, Int, String?, String)] = [
            ("learners.csv", 2, "snils", "control number"),           // 1 SNILS checksum
            ("learners.csv", 3, "birth_date", "future"),              // 2 birth date in the future
            ("learners.csv", 4, "birth_date", "not a date"),          // 3 no such day
            ("learners.csv", 5, "gender", "one of"),                  // 4 unknown value
            ("learners.csv", 6, "last_name", "required"),             // 5 required cell empty
            ("learners.csv", 7, "health_group", "whole number"),      // 6 out of range
            ("learners.csv", 8, "organization_id", "no organization"), // 7 unknown organization
            ("learners.csv", 9, "snils", "11 digits"),                // 8 malformed SNILS
            ("learners.csv", 10, "id", "the same id"),                // 9 duplicate id in the file
            ("learners.csv", 11, "snils", "another organization"),    // 10 one person at two schools
            ("classes.csv", 2, "year", "no academic year"),           // 11 unknown year
            ("classes.csv", 3, "grade", "a class has a grade"),       // 12 a class without a grade
            ("classes.csv", 4, "year", "YYYY/YYYY"),                  // 13 malformed year
            ("guardian_links.csv", 2, "relation", "one of"),          // 14 unknown relation
            ("guardian_links.csv", 3, "guardian_id", "no guardian"),  // 15 unknown guardian
            ("guardians.csv", 1, "nickname", "no such column"),       // 16 unknown column
            ("enrollments.csv", 2, "class_id", "no class"),           // 17 a class that does not exist
            ("enrollments.csv", 3, "left_on", "left before"),         // 18 left before enrolled
            ("enrollments.csv", 4, "repeats_grade", "yes or no"),     // 19 not a flag
            ("timetable.csv", 2, "weekday", "one of"),                // 20 no such weekday
            ("timetable.csv", 3, "subject", "no subject"),            // 21 unknown subject
            ("timetable.csv", 4, "teacher_id", "another organization"), // 22 a teacher of another school
        ]
        for (file, row, column, words) in expected {
            #expect(has(file, row, column, words), "\(file) row \(row) \(column ?? "-"): \(words) — got \(report.problems.filter { $0.file == file })")
        }
        #expect(report.problemCount >= expected.count)
    }

    @Test("a guardian linked to themselves is refused")
    func selfLink() async throws {
        let region = try await OnboardingFiles.emptyRegion()
        var files = try OnboardingFiles.samples()
        files["guardians.csv"] = "id,last_name,first_name,snils\nP-1,Орлов,Максим,212-233-401 92\n"
        files["guardian_links.csv"] = "guardian_id,learner_id,relation\nP-1,L-1,guardian\n"
        let report = try await region.importing(files, dryRun: true)
        #expect(report.problems.contains { $0.file == "guardian_links.csv" && $0.row == 2 && $0.column == "guardian_id" && $0.message.contains("themselves") })
    }

    @Test("an import whose connection is killed half way leaves the database as it was")
    func killed() async throws {
        let region = try await OnboardingFiles.emptyRegion()
        var files = try OnboardingFiles.samples()
        // Enough learners to be caught in the middle.
        var learners = "id,organization_id,last_name,first_name,gender,birth_date\n"
        for n in 0..<3000 { learners += "X-\(n),SCH-1,Фамилия\(n),Имя,male,2016-01-01\n" }
        files["learners.csv"] = learners
        files["enrollments.csv"] = nil
        files["guardian_links.csv"] = nil
        let before = try await region.counts()
        let backend = Mutex<Int?>(nil)
        let halfway = AsyncStream<Void>.makeStream()
        let task = Task {
            try await region.importing(files, progress: { progress in
                if progress.rowsDone > 500 { halfway.continuation.yield() }
            }, connectionID: { id in backend.withLock { $0 = id } })
        }
        for await _ in halfway.stream { break }
        let pid = try #require(backend.withLock { $0 })
        try await region.database.owner.withConnection(logger: region.logger) { connection in
            try await connection.execute(PostgresQuery(unsafeSQL: "SELECT pg_terminate_backend(\(pid))"))
        }
        await #expect(throws: (any Error).self) { try await task.value }
        #expect(try await region.counts() == before)
    }

    @Test("the demo region exported, imported into an empty database and exported again is the same, byte for byte; a second import changes nothing")
    func roundTrip() async throws {
        let demo = OnboardingFiles(database: try await TestCluster.shared.database(.demo), region: 1)
        let first = try await demo.export()
        let code = try await demo.database.owner.withConnection(logger: demo.logger) { connection in
            try await connection.scalar("SELECT code FROM eduql.regions WHERE id = 1", as: String.self)
        }
        let empty = try await OnboardingFiles.emptyRegion(code: code)
        let files = first.mapValues { String(decoding: $0, as: UTF8.self) }
        let report = try await empty.importing(files)
        #expect(report.problems == [], "\(report.problems.prefix(5))")
        #expect(report.committed && report.created > 1000)
        let second = try await empty.export()
        #expect(Set(second.keys) == Set(first.keys))
        for (file, data) in first {
            #expect(second[file] == data, "\(file) differs")
        }
        let again = try await empty.importing(files)
        #expect(again.committed && again.created == 0 && again.updated == 0 && again.unchanged == report.created)
        // The demo's own export imported back into the demo changes nothing either.
        let home = try await demo.importing(files)
        #expect(home.problems == [] && home.created == 0 && home.updated == 0, "\(home.problems.prefix(3))")
    }
}

import Synchronization
