@testable import EduQLOnboarding
import EduQLSchema
@testable import EduQLServer
import Foundation
import PostgresNIO
import Testing
import ZIPFoundation

/// The shapes import files come in: both separators, with and without a byte-order mark, CRLF
/// or LF, quoted cells; bytes that are not UTF-8 at the start or deep inside; dates and SNILS
/// in every accepted writing and the near misses; XLSX workbooks, a malformed one, and a ZIP
/// that would inflate past the limit.
@Suite("Import formats", .serialized, .timeLimit(.minutes(4)))
struct ImportFormatTests {
    /// The rows of a one-table upload.
    func rows(_ body: Data, sheet: String = "learners") throws -> [[String]] {
        let table = try #require(try ImportSet(upload: body, sheet: sheet).tables.first)
        let rows = try table.rows()
        var all: [[String]] = []
        while let row = rows.next() { all.append(row) }
        #expect(rows.failure() == nil)
        return all
    }

    @Test("CSV: ; or , with or without a byte-order mark, CRLF or LF, quoted cells with separators, quotes and line breaks")
    func csvShapes() throws {
        let expected = [["id", "last_name", "address"], ["L-1", "Орлов", "г. Вологда; ул. Мира, 10"], ["L-2", "О\"Нил", "первая\nвторая"]]
        for separator in [";", ","] {
            for bom in [true, false] {
                for newline in ["\r\n", "\n"] {
                    let text = expected.map { row in
                        row.map { cell in cell.contains(where: { ";,\"\n".contains($0) }) ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell }
                            .joined(separator: separator)
                    }.joined(separator: newline) + newline
                    let body = (bom ? Data([0xEF, 0xBB, 0xBF]) : Data()) + Data(text.utf8)
                    #expect(try self.rows(body) == expected, "separator \(separator), BOM \(bom), newline \(newline.debugDescription)")
                }
            }
        }
    }

    @Test("bytes that are not UTF-8: refused at the start, reported as a problem where they appear later")
    func notUTF8() async throws {
        // Windows-1251 «Фамилия» in the header.
        #expect(throws: ImportFileError.self) { try ImportSet(upload: Data([0xD4, 0xE0, 0xEC, 0xE8, 0xEB, 0xE8, 0xFF, 0x0A]), sheet: "learners") }
        let region = try await OnboardingFiles.emptyRegion()
        _ = try await region.importing(try OnboardingFiles.samples())
        var learners = Data("id,organization_id,last_name,first_name,gender,birth_date\n".utf8)
        for n in 0..<3000 { learners += Data("Y-\(n),SCH-1,Фамилия,Имя,male,2016-01-01\n".utf8) }
        learners += Data([0x59, 0x2D, 0xC0, 0xC1, 0x0A])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-bytes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try learners.write(to: folder.appendingPathComponent("learners.csv"))
        let before = try await region.counts()
        let report = try await region.importing(try ImportSet(paths: [folder]))
        #expect(!report.committed)
        #expect(report.problems.contains { $0.file == "learners.csv" && $0.row == 3002 && $0.message.contains("UTF-8") }, "\(report.problems)")
        #expect(try await region.counts() == before)
    }

    @Test("dates and SNILS in every accepted writing, and the near misses")
    func values() {
        let today = Date(timeIntervalSince1970: 1_780_000_000) // 2026-05-28
        let date = ValueKind.date(past: true)
        for (text, expected) in [("2016-01-31", "2016-01-31"), ("31.01.2016", "2016-01-31"), ("1.2.2016", "2016-02-01"), ("42400", "2016-01-31"),
                                 ("2024-02-29", "2024-02-29"), ("2026-05-28", "2026-05-28")] {
            #expect((try? date.read(text, today: today).get()) == expected, "\(text)")
        }
        for text in ["2016-13-01", "2015-02-29", "31.02.2016", "2016/01/31", "16-01-31", "2026-05-29", "01.01.1850", "вчера", "2016-01-31T00:00"] {
            #expect((try? date.read(text, today: today).get()) == nil, "\(text)")
        }
        for text in ["112-233-445 95", "11223344595", "112 233 445 95", "001-001-998 00"] {
            #expect((try? ValueKind.snils.read(text, today: today).get()) != nil, "\(text)")
        }
        for text in ["112-233-445 96", "112-233-445", "1122334459", "112-233-445 9a", "112233445950"] {
            #expect((try? ValueKind.snils.read(text, today: today).get()) == nil, "\(text)")
        }
        let gender = Sheet.learners.columns.first { $0.name == "gender" }!.kind
        for (text, expected) in [("female", "female"), ("Ж", "female"), ("жен", "female"), ("М", "male"), ("Мужской", "male")] {
            #expect((try? gender.read(text, today: today).get()) == expected, "\(text)")
        }
        #expect((try? ValueKind.integer(1...5).read("5.0", today: today).get()) == "5")
        #expect((try? ValueKind.integer(1...5).read("5.5", today: today).get()) == nil)
        #expect((try? ValueKind.decimal(0.01...2).read("1,25", today: today).get()) == "1.25")
    }

    /// A workbook of one sheet named `sheet`, its cells as shared strings, inline strings and numbers.
    static func workbook(sheet: String, rows: [[String]], sheetXML: String? = nil) throws -> Data {
        let archive = try Archive(accessMode: .create)
        var strings: [String] = []
        func cell(_ value: String, _ reference: String) -> String {
            if let number = Double(value), !value.contains("-") { return "<c r=\"\(reference)\"><v>\(number)</v></c>" }
            if value.hasPrefix("=") { return "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(value.dropFirst())</t></is></c>" }
            strings.append(value)
            return "<c r=\"\(reference)\" t=\"s\"><v>\(strings.count - 1)</v></c>"
        }
        let body = rows.enumerated().map { r, row in
            "<row r=\"\(r + 1)\">" + row.enumerated().map { c, value in cell(value, String(UnicodeScalar(65 + c)!) + "\(r + 1)") }.joined() + "</row>"
        }.joined()
        let parts = [
            "xl/workbook.xml": "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"\(sheet)\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
            "xl/_rels/workbook.xml.rels": "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
            "xl/worksheets/sheet1.xml": sheetXML ?? "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\(body)</sheetData></worksheet>",
            "xl/sharedStrings.xml": "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" + strings.map { "<si><t>\($0.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))</t></si>" }.joined() + "</sst>",
        ]
        for (path, text) in parts.sorted(by: { $0.key < $1.key }) {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return try #require(archive.data)
    }

    @Test("an XLSX workbook imports as its CSV would; a malformed sheet refuses the workbook")
    func xlsx() async throws {
        let region = try await OnboardingFiles.emptyRegion()
        let samples = try await region.importing(try OnboardingFiles.samples())
        #expect(samples.committed, "\(samples.problems)")
        // Russian headers, a Russian gender, a birth date as the spreadsheet's day number, an inline string.
        let book = try Self.workbook(sheet: "Обучающиеся", rows: [
            ["Идентификатор", "Организация", "Фамилия", "Имя", "Пол", "Дата рождения", "Группа здоровья"],
            ["X-1", "SCH-1", "Козлов", "=Егор", "м", "42400", "2"],
            ["L-1", "SCH-1", "Орлов", "Максим", "м", "2018-05-11", "1"],
        ])
        let set = try ImportSet(upload: book)
        #expect(set.tables.map(\.sheet.name) == ["learners"])
        let report = try await region.importing(set)
        #expect(report.problems == [])
        #expect(report.committed && report.created == 1)
        let learner = try await region.database.owner.withConnection(logger: region.logger) { connection in
            try await connection.scalar("SELECT first_name || ' ' || birth_date::text || ' ' || gender FROM eduql.learners WHERE last_name = 'Козлов'", as: String.self)
        }
        #expect(learner == "Егор 2016-01-31 male")

        let broken = try Self.workbook(sheet: "learners", rows: [], sheetXML: "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>id</c></v></row></sheetData></worksheet>")
        #expect(throws: ImportFileError.self) { try ImportSet(upload: broken) }
        #expect(throws: ImportFileError.self) { try ImportSet(upload: Data("PK not a zip".utf8)) }
    }

    @Test("a ZIP that would inflate past the limit is refused before it is held")
    func inflation() throws {
        let archive = try Archive(accessMode: .create)
        let size = Archive.unpackingLimit + 1024
        let zeros = Data(count: 1 << 20)
        try archive.addEntry(with: "learners.csv", type: .file, uncompressedSize: Int64(size), compressionMethod: .deflate) { position, chunk in
            zeros.prefix(min(chunk, size - Int(position)))
        }
        let zip = try #require(archive.data)
        #expect(zip.count < 16 << 20)
        #expect(throws: ImportFileError.self) { try ImportSet(upload: zip) }
    }
}
