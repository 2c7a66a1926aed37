@testable import EduQLAccessControl
@testable import EduQLResolvers
import Foundation
import Testing

/// The catalog's and the policies' SQL templates: split once into text and typed places, and
/// printed by joining parts, so an interpolated value is never read as a place.
@Suite("SQL templates")
struct SQLTemplateTests {
    @Test("a place is a name in braces; any other brace is text")
    func pieces() {
        let pieces = TemplatePlaces.pieces(of: "{c}.id = {t}.x AND '{}'::jsonb AND d#>>'{a,b}' AND {rows:lessons:l}{region}")
        #expect(pieces == [
            .place("c"), .text(".id = "), .place("t"), .text(".x AND '{}'::jsonb AND d#>>'{a,b}' AND "),
            .place("rows:lessons:l"), .place("region"),
        ])
        #expect(TemplatePlaces.pieces(of: "no places {") == [.text("no places {")])
        #expect(TemplatePlaces.pieces(of: "") == [])
        #expect(TemplatePlaces.hasPlaces("a {t} b"))
        #expect(!TemplatePlaces.hasPlaces("'{\"status\": \"x\"}'::jsonb"))
    }

    @Test("a catalog template prints its places for the rows, region and policy it is compiled with")
    func printed() throws {
        let user = ActingAs.user(tokenSHA256: Data(repeating: 1, count: 32), assignmentID: 1, idleSeconds: 1800, regionID: 1)
        let compilation = Compilation(policy: .teacher, limits: QueryLimits(), actingAs: user)
        let template: SQLTemplate = "{c}.lesson_id = {t}.id AND {c}.region_id = {region} AND {rows:lessons:l}"
        let sql = compilation.printed(template, parent: "r1", child: "r2")
        let lessons = "(\(compilation.regionCondition(.lessons, alias: "l")) AND (\(Policy.teacher.predicate(.lessons, alias: "l"))))"
        #expect(sql == "r2.lesson_id = r1.id AND r2.region_id = \(compilation.region) AND \(lessons)")
        #expect(compilation.region.hasPrefix("$"), "the region is a bound parameter, not a value in the text")
        #expect(!TemplatePlaces.hasPlaces(sql))
    }

    @Test("an interpolated value is text, never a place; an interpolated template keeps its places")
    func interpolation() {
        let user = ActingAs.user(tokenSHA256: Data(repeating: 1, count: 32), assignmentID: 1, idleSeconds: 1800, regionID: 1)
        let compilation = Compilation(policy: .parent, limits: QueryLimits(), actingAs: user)
        let placeholder = "$7::text"
        let inner: SQLTemplate = "{t}.learner_id"
        let outer: SQLTemplate = "\(inner) = \(placeholder) AND {c}.n = \(3)"
        #expect(compilation.printed(outer, parent: "p", child: "c1") == "p.learner_id = $7::text AND c1.n = 3")
        let joined = [inner, "{c}.id"].joined(separator: " OR ")
        #expect(compilation.printed(joined, parent: "p", child: "c1") == "p.learner_id OR c1.id")
        #expect(compilation.printed(SQLTemplate(verbatim: "eduql.lessons"), parent: "p") == "eduql.lessons")
    }

    @Test("a row predicate fills the principal's settings once and the row's alias when printed")
    func rowPredicate() {
        let predicate: RowPredicate = "{t}.organization_id = {organization} OR {t}.id IN (SELECT x.id FROM eduql.classes x WHERE x.region_id = {region})"
        #expect(predicate.sql(alias: "r9") == """
            r9.organization_id = (SELECT eduql.current_organization_id()) OR r9.id IN \
            (SELECT x.id FROM eduql.classes x WHERE x.region_id = (SELECT eduql.current_region_id()))
            """)
        #expect(predicate.and("{t}.grade = 5").sql(alias: "k").hasSuffix("AND (k.grade = 5)"))
    }

    // The initializers stop the process on these errors (a mistake in the code's own SQL).
    // Exit tests are not used: their monitor waits for any child process, and the suite's
    // servers and fixtures are children too.
    @Test("a place nothing fills is refused where the template is made")
    func unknownPlaces() throws {
        #expect(throws: TemplatePlaces.UnknownPlace("reigon", in: "{c}.id = {reigon}")) { try SQLTemplate.parts(parsing: "{c}.id = {reigon}") }
        for place in ["rows:no_such_table:x", "rows:lessons", "rows:lessons:", "rows:lessons:l:m", "t:c"] {
            #expect(throws: TemplatePlaces.UnknownPlace.self) { try SQLTemplate.parts(parsing: "x AND {\(place)}") }
        }
        #expect(throws: TemplatePlaces.UnknownPlace("teacher", in: "{t}.id = {teacher}")) { try RowPredicate.parts(of: "{t}.id = {teacher}") }
        #expect(throws: TemplatePlaces.UnknownPlace.self) { try RowPredicate.parts(of: "{c}.id = {t}.id") }
        #expect(try RowPredicate.parts(of: "{t}.a = {t}.b") == ["", ".a = ", ".b"])
        #expect(try SQLTemplate.parts(parsing: "{rows:lessons:l}").count == 1)
    }
}
