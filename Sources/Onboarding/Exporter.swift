import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// Writes the sheets of an import from the records in a scope — a region, one municipality or
/// one organization (active organizations only) — as CSV files an import reads back: the same
/// columns, source ids where an import gave them (else the row's own, `eduql:<instance>:<id>`),
/// rows in the order of their ids, so exporting twice gives the same bytes. The scope is never
/// wider than the caller's tenancy (a school admin's export is their school's).
public struct Exporter: Sendable {
    public var municipalityID: Int?
    public var organizationID: Int?

    public init(municipalityID: Int? = nil, organizationID: Int? = nil) {
        self.municipalityID = municipalityID
        self.organizationID = organizationID
    }

    /// Every sheet as CSV, by file name (`learners.csv`), under the caller's tenancy, and the
    /// learners whose records it holds (for the audit event).
    public func export(on connection: PostgresConnection, logger: Logger) async throws -> (files: [(file: String, csv: Data)], learnerIDs: [Int]) {
        var files: [(String, Data)] = []
        for sheet in Sheet.all {
            var csv = CSVWriter()
            csv.row(sheet.columns.map(\.name))
            let rows = try await connection.guardedQuery(try self.query(sheet), logger: logger)
            for try await row in rows {
                csv.row(try row.map { try $0.decode(String?.self) ?? "" })
            }
            files.append((sheet.name + ".csv", csv.data))
        }
        let learners = try await connection.guardedQuery(
            try self.statement("SELECT l.id FROM eduql.learners l WHERE l.organization_id IN (\(Self.scope)) ORDER BY l.id"), logger: logger)
        return (files, try await learners.decode(Int.self).all())
    }

    /// The organizations exported: `$1`, `$2` (the municipality and organization asked for, either
    /// null) narrowed to the caller's tenancy, through `arguments` (``statement(_:)``).
    static let m = "(SELECT a.m FROM arguments a)"
    static let o = "(SELECT a.o FROM arguments a)"
    static let scope = """
        SELECT o.id FROM eduql.organizations o WHERE o.region_id = eduql.current_region_id() AND o.status = 'active'
          AND (\(m)::bigint IS NULL OR o.municipality_id = \(m)) AND (\(o)::bigint IS NULL OR o.id = \(o))
        """

    /// `sql` with the scope's arguments bound. A caller whose tenancy is a municipality or an
    /// organization exports that, whatever it asks.
    func statement(_ sql: String) throws -> PostgresQuery {
        var bindings = PostgresBindings()
        try bindings.append(self.municipalityID)
        try bindings.append(self.organizationID)
        return PostgresQuery(unsafeSQL: """
            WITH arguments AS (SELECT coalesce($1::bigint, eduql.current_municipality_id()) AS m,
                                      coalesce($2::bigint, eduql.current_organization_id()) AS o) \(sql)
            """, binds: bindings)
    }

    /// The statement that reads one sheet: one text column per sheet column, in its order.
    func query(_ sheet: Sheet) throws -> PostgresQuery {
        let (m, o, scope) = (Self.m, Self.o, Self.scope)
        let key = { (entity: String, column: String) in "eduql.export_key('\(entity)', \(column))" }
        let day = { (column: String) in "to_char(\(column), 'YYYY-MM-DD')" }
        let sql: String
        switch sheet.name {
        case "municipalities":
            sql = """
                SELECT m.oktmo, m.name, m.kind FROM eduql.municipalities m WHERE m.region_id = eduql.current_region_id()
                  AND ((\(m)::bigint IS NULL AND \(o)::bigint IS NULL) OR m.id IN (SELECT o.municipality_id FROM eduql.organizations o WHERE o.id IN (\(scope))))
                ORDER BY m.oktmo
                """
        case "years":
            sql = "SELECT y.name, \(day("y.starts_on")), \(day("y.ends_on")) FROM eduql.academic_years y WHERE y.region_id = eduql.current_region_id() ORDER BY y.name"
        case "subjects":
            sql = "SELECT s.name, s.short_name FROM eduql.subjects s WHERE s.region_id = eduql.current_region_id() AND s.organization_id IS NULL ORDER BY s.name"
        case "organizations":
            sql = """
                SELECT \(key("organization", "o.id")), m.oktmo, o.kind, o.full_name, o.short_name, o.inn, o.kpp, o.ogrn, o.address, o.head_name,
                       o.phone, o.email, o.settlement, CASE WHEN o.parent_organization_id IS NOT NULL THEN \(key("organization", "o.parent_organization_id")) END
                FROM eduql.organizations o JOIN eduql.municipalities m ON m.id = o.municipality_id WHERE o.id IN (\(scope)) ORDER BY 1
                """
        case "staff":
            sql = """
                SELECT \(key("staff", "s.id")), \(key("organization", "s.organization_id")), s.last_name, s.first_name, s.middle_name, s.gender,
                       \(day("s.birth_date")), s.snils, s.position, s.education_level, s.qualification_category, \(day("s.experience_since")),
                       trim_scale(s.rate)::text, s.employment, \(day("s.hired_on")), \(day("s.dismissed_on")), s.email, s.phone, s.post_category
                FROM eduql.staff s WHERE s.organization_id IN (\(scope)) ORDER BY 1
                """
        case "classes":
            sql = """
                SELECT \(key("class", "k.id")), \(key("organization", "k.organization_id")), y.name, k.kind, k.name, k.grade::text, k.letter,
                       k.shift::text, k.programme, k.adapted_variant, k.profile, k.age_group::text, k.age_to::text, k.orientation,
                       k.compensating_kind, k.short_stay::text, k.capacity::text,
                       CASE WHEN k.homeroom_teacher_id IS NOT NULL THEN \(key("staff", "k.homeroom_teacher_id")) END,
                       k.adapted_years::text, k.additional_year::text, k.combined_class
                FROM eduql.classes k JOIN eduql.academic_years y ON y.id = k.academic_year_id WHERE k.organization_id IN (\(scope)) ORDER BY 1
                """
        case "learners":
            sql = """
                SELECT \(key("learner", "l.id")), \(key("organization", "l.organization_id")), l.last_name, l.first_name, l.middle_name, l.gender,
                       \(day("l.birth_date")), l.snils, l.address, l.health_group::text, l.citizenship, l.second_citizenship,
                       l.health_limitation, l.disabled::text
                FROM eduql.learners l WHERE l.organization_id IN (\(scope)) ORDER BY 1
                """
        case "guardians":
            sql = """
                SELECT \(key("guardian", "g.id")), g.last_name, g.first_name, g.middle_name, \(day("g.birth_date")), g.phone, g.email, g.snils, g.address
                FROM eduql.guardians g WHERE g.region_id = eduql.current_region_id()
                  AND ((\(m)::bigint IS NULL AND \(o)::bigint IS NULL) OR g.id IN (
                      SELECT gl.guardian_id FROM eduql.guardian_learners gl JOIN eduql.learners l ON l.id = gl.learner_id WHERE l.organization_id IN (\(scope))))
                ORDER BY 1
                """
        case "guardian_links":
            sql = """
                SELECT \(key("guardian", "gl.guardian_id")), \(key("learner", "gl.learner_id")), gl.relation, \(day("gl.consent_on"))
                FROM eduql.guardian_learners gl JOIN eduql.learners l ON l.id = gl.learner_id WHERE l.organization_id IN (\(scope)) ORDER BY 1, 2
                """
        case "enrollments":
            sql = """
                SELECT \(key("enrollment", "e.id")), \(key("learner", "e.learner_id")), \(key("class", "e.class_id")), \(day("e.enrolled_on")),
                       \(day("e.left_on")), e.status, e.repeats_grade::text
                FROM eduql.enrollments e JOIN eduql.learners l ON l.id = e.learner_id
                WHERE e.organization_id IN (\(scope)) AND l.organization_id IN (\(scope)) ORDER BY 1
                """
        case "teaching_assignments":
            sql = """
                SELECT \(key("teaching_assignment", "t.id")), \(key("staff", "t.staff_id")), \(key("class", "t.class_id")), s.name,
                       trim_scale(t.weekly_hours)::text, \(day("t.starts_on")), \(day("t.ends_on"))
                FROM eduql.teaching_assignments t JOIN eduql.subjects s ON s.id = t.subject_id WHERE t.organization_id IN (\(scope)) ORDER BY 1
                """
        default:
            sql = """
                SELECT \(key("class", "t.class_id")), t.weekday::text, t.period::text, s.name, \(key("staff", "t.teacher_id")), t.room
                FROM eduql.timetable_entries t JOIN eduql.subjects s ON s.id = t.subject_id WHERE t.organization_id IN (\(scope))
                ORDER BY 1, t.weekday, t.period
                """
        }
        return try self.statement(sql)
    }
}
