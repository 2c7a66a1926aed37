import EduQLSchema
import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

/// Complementary suppression: with tiny groups made on purpose (a school with 3 learners in a
/// grade, a class of 4), no combination of the region's, the municipality's and the school's
/// `stats` answers — every grouping, grade and organization-kind filter, year, per-grade
/// contingent — lets a withheld group be derived. Every measure is a sum over classes, so a
/// group's value is derivable exactly when its classes' indicator vector is a linear
/// combination of the published groups' vectors; the test checks that for each withheld group.
@Suite("Complementary suppression", .timeLimit(.minutes(4)))
struct SuppressionTests {
    let logger = Logger(label: "eduql-tests")

    /// One class with learners, as the model of the test sees it.
    struct Atom: Sendable {
        var id, region, municipality, organization, year: String
        var kind: String
        var grade: Int?
        var learners: Int
    }

    /// A group of an answer: which classes it sums, and what it published.
    struct Cell: Sendable {
        var classes: Set<String>
        var learners: Int?
        var suppressed: Bool
        var label: String
    }

    @Test("no combination of the callers' stats answers reveals a group below the threshold")
    func noDifferencing() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (school, municipality, tinyGrade, tinyClass) = try await self.makeTinyGroups(database)
        let atoms = try await self.atoms(database)
        let years = Set(atoms.map(\.year)).sorted()
        let grades = Set(atoms.compactMap(\.grade)).sorted()

        let cells = try await TestAPI.run(database) { api in
            var cells: [Cell] = []
            for (login, inScope) in [("region.admin", { (_: Atom) in true }), ("mouo.admin", { $0.municipality == municipality }),
                                     ("school.admin", { $0.organization == school })] as [(String, (Atom) -> Bool)] {
                let token = try await api.demoToken(login)
                var filters: [(text: String, matches: (Atom) -> Bool)] = [("", { _ in true })]
                for grade in grades { filters.append(("grade: \(grade)", { $0.grade == grade })) }
                for kind in ["SCHOOL", "KINDERGARTEN"] {
                    filters.append(("organizationKind: \(kind)", { $0.kind == kind.lowercased() }))
                    for grade in grades { filters.append(("organizationKind: \(kind), grade: \(grade)", { $0.kind == kind.lowercased() && $0.grade == grade })) }
                }
                for year in years { filters.append(("academicYearId: \(year)", { $0.year == year })) }
                for grouping in ["REGION", "MUNICIPALITY", "ORGANIZATION", "CLASS"] {
                    for filter in filters {
                        let query = "{ stats(groupBy: \(grouping), filter: { \(filter.text) }) { group { id } learners suppressed suppressionReason contingent { grade learners suppressed } } }"
                        let reply = try await api.graphql(query, token: token)
                        let rows = try #require(reply.data?["stats"] as? [[String: Any]], "\(login) \(query): \(reply.text)")
                        for row in rows {
                            let id = try #require(row.at("group.id") as? String)
                            let members = atoms.filter { inScope($0) && filter.matches($0) && Self.key(grouping, $0) == id }
                            let label = "\(login) \(grouping) \(id) {\(filter.text)}"
                            let suppressed = try #require(row["suppressed"] as? Bool)
                            cells.append(Cell(classes: Set(members.map(\.id)), learners: row["learners"] as? Int, suppressed: suppressed, label: label))
                            #expect(suppressed == (row["suppressionReason"] is String), "\(label) gives a reason exactly when withheld")
                            for entry in (row["contingent"] as? [[String: Any]]) ?? [] {
                                let grade = entry["grade"] as? Int
                                let sub = members.filter { $0.grade == grade }
                                cells.append(Cell(classes: Set(sub.map(\.id)), learners: entry["learners"] as? Int,
                                                  suppressed: try #require(entry["suppressed"] as? Bool), label: "\(label) grade \(grade.map(String.init) ?? "none")"))
                            }
                        }
                    }
                }
            }
            return cells
        }

        // Published numbers are the raw sums, and never below the threshold.
        let learners = Dictionary(uniqueKeysWithValues: atoms.map { ($0.id, $0.learners) })
        for cell in cells where !cell.suppressed {
            let sum = cell.classes.reduce(0) { $0 + learners[$1]! }
            #expect(cell.learners == sum, "\(cell.label): \(String(describing: cell.learners)) published, \(sum) enrolled")
            #expect(sum >= 5, "\(cell.label) published \(sum) learners")
        }
        // The tiny groups exist, and are withheld.
        let tiny = cells.filter { $0.classes == [tinyClass] }
        #expect(!tiny.isEmpty && tiny.allSatisfy(\.suppressed), "the class of 4 is answered, withheld")
        let tinyGradeCells = cells.filter { $0.classes == tinyGrade }
        #expect(!tinyGradeCells.isEmpty && tinyGradeCells.allSatisfy(\.suppressed), "the school's grade of 3 is answered, withheld")

        // No withheld group is a combination of published ones.
        let index = Dictionary(uniqueKeysWithValues: atoms.map(\.id).sorted().enumerated().map { ($1, $0) })
        var span = Span(width: index.count)
        var seen: Set<Set<String>> = []
        for cell in cells where !cell.suppressed && seen.insert(cell.classes).inserted {
            span.add(cell.classes.map { index[$0]! })
        }
        var withheld: Set<Set<String>> = []
        for cell in cells where cell.suppressed && !cell.classes.isEmpty && withheld.insert(cell.classes).inserted {
            #expect(!span.contains(cell.classes.map { index[$0]! }), "\(cell.label) can be derived from published groups")
        }
        #expect(withheld.count > 2, "groups were withheld")
        // The regional dashboard keeps its municipalities: the blocks stay inside them.
        #expect(cells.filter { $0.label.hasPrefix("region.admin MUNICIPALITY") && $0.label.hasSuffix("{}") }.allSatisfy { !$0.suppressed })
    }

    @Test("the same groups are withheld in every term, and each term's measures only where the whole group is published")
    func sameInEveryTerm() async throws {
        let database = try await TestCluster.shared.database(.demo)
        _ = try await self.makeTinyGroups(database)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("region.admin")
            for grouping in ["ORGANIZATION", "CLASS"] {
                let whole = try await api.graphql("{ stats(groupBy: \(grouping)) { group { id } suppressed } }", token: token)
                let terms = try await api.graphql("{ stats(groupBy: \(grouping), byTerm: true) { group { id } term { id } suppressed averageMark } }", token: token)
                let withheld = Dictionary(uniqueKeysWithValues: try #require(whole.data?["stats"] as? [[String: Any]]).map {
                    ($0.at("group.id") as! String, $0["suppressed"] as! Bool)
                })
                let rows = try #require(terms.data?["stats"] as? [[String: Any]])
                #expect(withheld.values.contains(true) && rows.contains { $0["term"] is [String: Any] })
                for row in rows {
                    let id = row.at("group.id") as! String
                    #expect(row["suppressed"] as? Bool == withheld[id], "\(grouping) \(id)")
                    if withheld[id] == true { #expect(row["averageMark"] is NSNull) }
                }
            }
        }
    }

    /// The group `atom` belongs to under `grouping`.
    static func key(_ grouping: String, _ atom: Atom) -> String {
        switch grouping {
        case "MUNICIPALITY": atom.municipality
        case "ORGANIZATION": atom.organization
        case "CLASS": atom.id
        default: atom.region
        }
    }

    /// Leaves 3 learners in the lowest grade of the demo school admin's school, and 4 in one class
    /// of another school of its municipality (the rest leave); returns the school, the
    /// municipality, the tiny grade's classes with learners, and the tiny class.
    func makeTinyGroups(_ database: ClusterConnections) async throws -> (String, String, Set<String>, String) {
        try await database.owner.withConnection(logger: self.logger) { connection in
            let school = try await connection.scalar("""
                SELECT a.organization_id::text FROM eduql.role_assignments a JOIN eduql.users u ON u.id = a.user_id WHERE u.login = 'school.admin'
                """, as: String.self)
            let municipality = try await connection.scalar("SELECT municipality_id::text FROM eduql.organizations WHERE id = \(school)::bigint", as: String.self)
            let mouo = try await connection.scalar("""
                SELECT a.municipality_id::text FROM eduql.role_assignments a JOIN eduql.users u ON u.id = a.user_id WHERE u.login = 'mouo.admin'
                """, as: String.self)
            try #require(mouo == municipality, "the demo's municipality admin oversees the demo school")
            let other = try await connection.scalar("""
                SELECT min(id)::text FROM eduql.organizations WHERE municipality_id = \(municipality)::bigint AND kind = 'school' AND id <> \(school)::bigint
                """, as: String.self)
            let grade = try await connection.scalar("SELECT min(grade)::int FROM eduql.classes WHERE organization_id = \(school)::bigint", as: Int.self)
            let tinyGrade = try await connection.scalar("""
                SELECT min(id)::text FROM eduql.classes WHERE organization_id = \(school)::bigint AND grade = \(grade)
                """, as: String.self)
            let tinyClass = try await connection.scalar("SELECT min(id)::text FROM eduql.classes WHERE organization_id = \(other)::bigint", as: String.self)
            // Everyone of the school's grade leaves but three of its first class; everyone of the other school's first class but four.
            try await connection.execute(PostgresQuery(unsafeSQL: """
                UPDATE eduql.enrollments SET status = 'expelled', left_on = enrolled_on + 30
                WHERE status = 'active' AND (
                    (class_id IN (SELECT id FROM eduql.classes WHERE organization_id = \(school) AND grade = \(grade))
                     AND id NOT IN (SELECT id FROM eduql.enrollments WHERE class_id = \(tinyGrade) AND status = 'active' ORDER BY id LIMIT 3))
                    OR (class_id = \(tinyClass) AND id NOT IN (SELECT id FROM eduql.enrollments WHERE class_id = \(tinyClass) AND status = 'active' ORDER BY id LIMIT 4)))
                """), logger: self.logger)
            return (school, municipality, [tinyGrade], tinyClass)
        }
    }

    /// Every class of region 1 with learners now, from the raw tables.
    func atoms(_ database: ClusterConnections) async throws -> [Atom] {
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.query("""
                SELECT k.id::text, k.region_id::text, k.municipality_id::text, k.organization_id::text, k.academic_year_id::text, o.kind,
                       k.grade::int, count(*)::int
                FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.organizations o ON o.id = k.organization_id
                WHERE e.status = 'active' AND k.region_id = 1 GROUP BY k.id, k.region_id, o.kind
                """, logger: self.logger).collect().map { row in
                let (id, region, municipality, organization, year, kind, grade, learners) =
                    try row.decode((String, String, String, String, String, String, Int?, Int).self)
                return Atom(id: id, region: region, municipality: municipality, organization: organization, year: year,
                            kind: kind, grade: grade, learners: learners)
            }
        }
    }
}

/// The span of 0/1 vectors over the integers modulo a large prime, kept in reduced row echelon
/// form. A vector outside this span is outside the rational span too, so "not contained" is a
/// sound verdict that a group cannot be derived.
struct Span {
    static let prime: Int64 = 2_147_483_647
    let width: Int
    private var rows: [(pivot: Int, values: [Int64])] = []

    init(width: Int) {
        self.width = width
    }

    /// Adds the vector with ones at `ones`.
    mutating func add(_ ones: [Int]) {
        var vector = self.reduce(ones)
        guard let pivot = vector.firstIndex(where: { $0 != 0 }) else { return }
        let inverse = Self.power(vector[pivot], Self.prime - 2)
        vector = vector.map { $0 * inverse % Self.prime }
        for index in self.rows.indices where self.rows[index].values[pivot] != 0 {
            let factor = self.rows[index].values[pivot]
            self.rows[index].values = zip(self.rows[index].values, vector).map { (($0 - factor * $1) % Self.prime + Self.prime) % Self.prime }
        }
        self.rows.append((pivot, vector))
    }

    /// Whether the vector with ones at `ones` lies in the span.
    func contains(_ ones: [Int]) -> Bool {
        self.reduce(ones).allSatisfy { $0 == 0 }
    }

    private func reduce(_ ones: [Int]) -> [Int64] {
        var vector = [Int64](repeating: 0, count: self.width)
        for one in ones { vector[one] = 1 }
        for row in self.rows where vector[row.pivot] != 0 {
            let factor = vector[row.pivot]
            vector = zip(vector, row.values).map { (($0 - factor * $1) % Self.prime + Self.prime) % Self.prime }
        }
        return vector
    }

    private static func power(_ base: Int64, _ exponent: Int64) -> Int64 {
        var result: Int64 = 1, base = base % prime, exponent = exponent
        while exponent > 0 {
            if exponent & 1 == 1 { result = result * base % prime }
            base = base * base % prime
            exponent >>= 1
        }
        return result
    }
}
