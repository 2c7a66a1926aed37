import Foundation

/// A boolean SQL expression over one row of a table, as policy data.
///
/// `{t}` stands for the row's alias; `{region}`, `{municipality}`, `{organization}`, `{class}`,
/// `{staff}`, `{guardian}`, `{learner}`, `{client}`, `{grantMunicipalities}` and `{grantOrganizations}` for
/// what the database itself set for the acting principal (see `eduql.act_as`), never values
/// from Swift. The engine prints the predicate into every relation it reads from the table.
/// The template is split once, when the predicate is made (``TemplatePlaces``), into text and
/// the places of the row's alias: printing it for an alias only joins the parts. A place the
/// predicate cannot fill stops the process when the policy is built.
public struct RowPredicate: Sendable, Hashable, ExpressibleByStringInterpolation {
    public let template: String
    /// The SQL around each place of the alias, the settings already spelled out.
    private let parts: [String]

    public init(_ template: String) {
        self.template = template
        do {
            self.parts = try Self.parts(of: template)
        } catch {
            preconditionFailure("the row predicate: \(error)")
        }
    }

    /// The SQL around each place of the row's alias, the settings spelled out.
    static func parts(of template: String) throws(TemplatePlaces.UnknownPlace) -> [String] {
        var parts = [""]
        for piece in TemplatePlaces.pieces(of: template) {
            switch piece {
            case .text(let text): parts[parts.count - 1] += text
            case .place("t"): parts.append("")
            case .place(let name):
                guard let expression = Self.settings[String(name)] else { throw TemplatePlaces.UnknownPlace(name, in: template) }
                parts[parts.count - 1] += expression
            }
        }
        return parts
    }

    public init(stringLiteral value: String) { self.init(value) }
    public init(stringInterpolation: DefaultStringInterpolation) { self.init(String(stringInterpolation: stringInterpolation)) }

    public static func == (a: RowPredicate, b: RowPredicate) -> Bool { a.template == b.template }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.template) }

    /// Every row the tenancy lets through.
    public static let all: RowPredicate = "true"

    /// Both predicates.
    public func and(_ other: RowPredicate) -> RowPredicate {
        if self == .all { return other }
        if other == .all { return self }
        return RowPredicate("(\(self.template)) AND (\(other.template))")
    }

    /// Either predicate.
    public func or(_ other: RowPredicate) -> RowPredicate {
        if self == .all || other == .all { return .all }
        return RowPredicate("(\(self.template)) OR (\(other.template))")
    }

    /// The SQL for a row aliased `alias`. The alias must not be one the predicate's own
    /// subqueries name a table by, or the row would be shadowed there.
    public func sql(alias: String) -> String {
        assert(!self.innerAliases.contains(alias), "the alias \(alias) is shadowed inside the predicate \(self.template)")
        return self.parts.joined(separator: alias)
    }

    /// The aliases the predicate's subqueries name their tables by (`eduql.lessons l` → `l`).
    var innerAliases: Set<String> {
        let words = self.template.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" || $0 == "," })
        return Set(zip(words, words.dropFirst()).compactMap { table, alias in
            table.hasPrefix("eduql.") && !table.contains("(") && !Self.keywords.contains(alias.uppercased()) ? String(alias) : nil
        })
    }

    static let keywords: Set<String> = ["WHERE", "JOIN", "ON", "AND", "OR", "LEFT", "INNER", "CROSS", "GROUP", "ORDER", "LIMIT", "AS", "USING"]

    /// What each place but `{t}` stands for: what the database set for the acting principal.
    static let settings: [String: String] = [
        "region": "(SELECT eduql.current_region_id())",
        "municipality": "(SELECT eduql.current_municipality_id())",
        "organization": "(SELECT eduql.current_organization_id())",
        "class": "(SELECT eduql.current_id('class_id'))",
        "staff": "(SELECT eduql.current_id('staff_id'))",
        "guardian": "(SELECT eduql.current_id('guardian_id'))",
        "learner": "(SELECT eduql.current_id('learner_id'))",
        "client": "(SELECT eduql.current_id('client_id'))",
        "grantMunicipalities": "(SELECT eduql.current_ids('grant_municipalities'))",
        "grantOrganizations": "(SELECT eduql.current_ids('grant_organizations'))",
    ]
}
