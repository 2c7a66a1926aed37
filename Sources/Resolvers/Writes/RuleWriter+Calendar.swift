import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// The calendar and the curriculum: the region's academic years with their terms and
/// holidays, an organization's own terms, the subject directory and electives, and a grade's
/// curriculum.
extension RuleWriter {
    /// The number of terms of each scheme.
    static let termCounts = ["quarter": 4, "trimester": 3, "half": 2]

    /// A term or holiday span read from input: its fields and path.
    struct Span {
        var scheme: String?
        var number: Int?
        var name: String?
        var startsOn: String
        var endsOn: String
        var path: String
    }

    /// Terms of a year: each scheme numbered 1… in order, inside the year, not overlapping.
    static func terms(_ input: [String: Map], at path: String, year: (String, String), required: Bool) throws -> [Span] {
        let terms = try input.objects("terms", at: path, count: (required ? 1 : 0)...12).map { fields, at in
            let scheme = try fields.enumeration("scheme", at: at, in: Set(termCounts.keys), required: true)!
            let number = try fields.integer("number", at: at, in: 1...termCounts[scheme]!)
            guard let number else { throw WriteRefusal.invalid("\(at)number is required") }
            return Span(scheme: scheme, number: number, startsOn: try fields.date("startsOn", at: at), endsOn: try fields.date("endsOn", at: at), path: at)
        }
        for term in terms {
            if term.endsOn < term.startsOn { throw WriteRefusal.invalid("\(term.path)endsOn is before startsOn") }
            if term.startsOn < year.0 || term.endsOn > year.1 { throw WriteRefusal.invalid("\(term.path): outside the academic year \(year.0)…\(year.1)") }
        }
        for (scheme, count) in termCounts {
            let ofScheme = terms.filter { $0.scheme == scheme }.sorted { $0.number! < $1.number! }
            guard !ofScheme.isEmpty else { continue }
            if ofScheme.map(\.number!) != Array(1...count) {
                throw WriteRefusal.invalid("\(path)terms: the \(scheme) terms must be numbered 1 to \(count), each once")
            }
            for (earlier, later) in zip(ofScheme, ofScheme.dropFirst()) where later.startsOn <= earlier.endsOn {
                throw WriteRefusal.invalid("\(later.path)startsOn: overlaps or precedes \(scheme) term \(earlier.number!)")
            }
        }
        return terms
    }

    static func holidays(_ input: [String: Map], at path: String, year: (String, String)) throws -> [Span] {
        try input.objects("holidays", at: path, count: 0...60).map { fields, at in
            let span = Span(name: try fields.text("name", at: at, lengths: 1...200), startsOn: try fields.date("startsOn", at: at),
                            endsOn: try fields.date("endsOn", at: at), path: at)
            if span.endsOn < span.startsOn { throw WriteRefusal.invalid("\(at)endsOn is before startsOn") }
            if span.startsOn < year.0 || span.endsOn > year.1 { throw WriteRefusal.invalid("\(at): outside the academic year \(year.0)…\(year.1)") }
            return span
        }
    }

    /// Inserts terms and holidays of `year` for the region (the caller acts for no organization) or
    /// the caller's organization.
    func insertSpans(terms: [Span], holidays: [Span], year: Int) async throws {
        for (table, span) in terms.map({ (Table.terms, $0) }) + holidays.map({ (Table.holidays, $0) }) {
            let statement = WriteStatement()
            var row = RowValues(statement)
            if table == .terms {
                row.set("scheme", span.scheme, "text")
                row.set("number", span.number, "int2")
            } else {
                row.set("name", span.name, "text")
            }
            row.set("starts_on", span.startsOn, "date")
            row.set("ends_on", span.endsOn, "date")
            let query = statement.insert(into: table, columns: ["region_id", "academic_year_id", "organization_id"] + row.columns,
                                         from: Self.yearRow(row, year: year), rule: try self.rule(table, .insert))
            try await self.run(query, span.path, notFound: "no such academic year", refused: "not yours to set")
        }
    }

    /// The SELECT of a row of academic year `year`, for the caller's organization (none for the region).
    static func yearRow(_ row: RowValues, year: Int) -> String {
        """
        SELECT y.region_id, y.id AS academic_year_id, eduql.current_organization_id() AS organization_id, \(row.selectList()) \
        FROM eduql.academic_years y WHERE y.id = \(row.statement.bind(year, "int8"))
        """
    }

    /// `openAcademicYear`: the region's year, terms and holidays.
    func openAcademicYear(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let name = try input.text("name", at: path, lengths: 9...9)!
        let starts = try input.date("startsOn", at: path), ends = try input.date("endsOn", at: path)
        guard let first = Int(name.prefix(4)), name.wholeMatch(of: /[0-9]{4}\/[0-9]{4}/) != nil, Int(name.suffix(4)) == first + 1 else {
            throw WriteRefusal.invalid("\(path)name must read YYYY/YYYY, the second year after the first")
        }
        guard starts < ends else { throw WriteRefusal.invalid("\(path)endsOn is not after startsOn") }
        guard starts.hasPrefix(String(first)) else { throw WriteRefusal.invalid("\(path)startsOn is not in \(first), as the name says") }
        let terms = try Self.terms(input, at: path, year: (starts, ends), required: true)
        let holidays = try Self.holidays(input, at: path, year: (starts, ends))
        let statement = WriteStatement()
        var row = RowValues(statement)
        row.set("name", name, "text")
        row.set("starts_on", starts, "date")
        row.set("ends_on", ends, "date")
        let query = statement.insert(
            into: .academicYears, columns: ["region_id"] + row.columns,
            from: """
                SELECT eduql.current_region_id() AS region_id, \(row.selectList()) WHERE NOT EXISTS (SELECT 1 FROM eduql.academic_years y \
                WHERE y.region_id = eduql.current_region_id() AND daterange(y.starts_on, y.ends_on, '[]') && \
                daterange(\(statement.bind(starts, "date")), \(statement.bind(ends, "date")), '[]'))
                """,
            rule: try self.rule(.academicYears, .insert))
        let year = try await self.run(query, "input", notFound: "overlaps an academic year the region has", refused: "not yours to open").ids[0]
        try await self.insertSpans(terms: terms, holidays: holidays, year: year)
        return Written(type: "AcademicYear", table: .academicYears, ids: [year], many: false, learnerIDs: [], rows: 1 + terms.count + holidays.count)
    }

    /// `setOrganizationTerms`: the school's own terms and holidays of a year, replacing its earlier ones.
    func setOrganizationTerms(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let year = try input.requiredID("academicYearId", at: path)
        let span = WriteStatement()
        guard let row = try await self.connection.guardedQuery(span.query("""
            SELECT y.starts_on::text, y.ends_on::text FROM eduql.academic_years y \
            WHERE y.id = \(span.bind(year, "int8")) AND \(self.policy.predicate(.academicYears, alias: "y"))
            """), logger: self.logger).collect().first else { throw WriteRefusal.forbidden("input.academicYearId: not an academic year of your region") }
        let bounds = try row.decode((String, String).self)
        let terms = try Self.terms(input, at: path, year: bounds, required: false)
        let holidays = try Self.holidays(input, at: path, year: bounds)
        // Lessons already given keep their terms: a term is replaced only while no lesson or mark names it.
        for table in [Table.terms, .holidays] {
            let statement = WriteStatement()
            let rule = try self.rule(table, .delete)
            let used = table == .terms
                ? " AND NOT EXISTS (SELECT 1 FROM eduql.lessons l WHERE l.term_id = x.id) AND NOT EXISTS (SELECT 1 FROM eduql.marks m WHERE m.term_id = x.id)" : ""
            let query = statement.query("""
                WITH c AS (SELECT x.id, coalesce(\(rule.sql(alias: "x")), false) AS allowed FROM \(table.qualifiedName) x \
                WHERE x.academic_year_id = \(statement.bind(year, "int8")) AND x.organization_id = eduql.current_organization_id()), \
                w AS (DELETE FROM \(table.qualifiedName) x USING c WHERE x.id = c.id AND c.allowed\(used) RETURNING x.id) \
                SELECT (SELECT count(*) FROM c)::int, (SELECT count(*) FROM w)::int
                """)
            let (found, deleted) = try await self.connection.guardedQuery(query, logger: self.logger).collect().first!.decode((Int, Int).self)
            if found != deleted { throw WriteRefusal.invalid("input.terms: the school's terms of this year already have lessons or marks; they stay") }
        }
        try await self.insertSpans(terms: terms, holidays: holidays, year: year)
        return Written(type: "AcademicYear", table: .academicYears, ids: [year], many: false, learnerIDs: [], rows: terms.count + holidays.count)
    }

    /// `createSubject`: the region's directory, or (`elective: true`) the caller's school's elective.
    func createSubject(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let statement = WriteStatement()
        var row = RowValues(statement)
        row.set("name", try input.text("name", at: path, lengths: 1...200), "text")
        row.set("short_name", try input.text("shortName", at: path, lengths: 1...30), "text")
        let elective = input.flag("elective") == true
        let organization = elective ? "eduql.current_organization_id()" : "NULL::bigint"
        let query = statement.insert(into: .subjects, columns: ["region_id", "organization_id"] + row.columns,
                                     from: "SELECT eduql.current_region_id() AS region_id, \(organization) AS organization_id, \(row.selectList())",
                                     rule: try self.rule(.subjects, .insert))
        let id = try await self.run(query, "input", notFound: "no region",
                                    refused: elective ? "only a school administrator adds its school's electives" : "only the region adds to its directory (a school: elective: true)").ids[0]
        return Written(type: "Subject", table: .subjects, ids: [id], many: false, learnerIDs: [], rows: 1)
    }

    /// `setCurriculum`: a grade's subjects and weekly hours, replacing the grade's lines.
    func setCurriculum(_ input: [String: Map]) async throws -> Written {
        let path = "input."
        let year = try input.requiredID("academicYearId", at: path)
        guard let grade = try input.integer("grade", at: path, in: 1...12) else { throw WriteRefusal.invalid("\(path)grade is required") }
        let lines = try input.objects("lines", at: path, count: 1...40).map { fields, at in
            (subject: try fields.requiredID("subjectId", at: at), hours: try fields.number("weeklyHours", at: at, in: 0.5...40) ?? 0, path: at)
        }
        guard Set(lines.map(\.subject)).count == lines.count else { throw WriteRefusal.invalid("\(path)lines names a subject twice") }
        if let missing = lines.first(where: { $0.hours == 0 }) { throw WriteRefusal.invalid("\(missing.path)weeklyHours is required") }
        let delete = WriteStatement()
        let rule = try self.rule(.curriculumLines, .delete)
        let removed = delete.query("""
            WITH c AS (SELECT x.id, coalesce(\(rule.sql(alias: "x")), false) AS allowed FROM eduql.curriculum_lines x \
            WHERE x.organization_id = eduql.current_organization_id() AND x.academic_year_id = \(delete.bind(year, "int8")) \
            AND x.grade = \(delete.bind(grade, "int2"))), \
            w AS (DELETE FROM eduql.curriculum_lines x USING c WHERE x.id = c.id AND NOT EXISTS (SELECT 1 FROM c WHERE NOT allowed) RETURNING x.id) \
            SELECT count(*)::int FROM w
            """)
        _ = try await self.connection.guardedQuery(removed, logger: self.logger).collect()
        let statement = WriteStatement()
        let source = """
            SELECT y.region_id, o.municipality_id, o.id AS organization_id, y.id AS academic_year_id, \(statement.bind(grade, "int2")) AS grade, \
            l.subject_id, l.weekly_hours FROM eduql.academic_years y JOIN eduql.organizations o ON o.id = eduql.current_organization_id() \
            CROSS JOIN unnest(\(statement.bind(lines.map(\.subject), "int8[]")), \(statement.bind(lines.map(\.hours), "float8[]"))) \
            AS l(subject_id, weekly_hours) WHERE y.id = \(statement.bind(year, "int8"))
            """
        let query = statement.insert(into: .curriculumLines,
                                     columns: ["region_id", "municipality_id", "organization_id", "academic_year_id", "grade", "subject_id", "weekly_hours"],
                                     from: source, rule: try self.rule(.curriculumLines, .insert))
        let ids = try await self.run(query, "input", notFound: "not an academic year of your school's region",
                                     refused: "a subject is neither the region's nor your school's elective, or the year is not your region's").ids
        return Written(type: "CurriculumLine", table: .curriculumLines, ids: ids, many: true, learnerIDs: [], rows: ids.count)
    }
}
