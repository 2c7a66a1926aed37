import GraphQL

/// One field of a response, after fragments are expanded, `@skip`/`@include` applied, fields of
/// the same response key merged, and arguments coerced (defaults filled in).
struct SelectedField: Sendable {
    /// The response key: the alias, or the field name.
    var key: String
    var name: String
    var arguments: Arguments
    var selections: [SelectedField]
    /// Where the field is written, for error locations.
    var line: Int?
    var column: Int?

    /// The nesting depth below this field (a leaf has depth 1).
    var depth: Int { 1 + (self.selections.map(\.depth).max() ?? 0) }

    /// The number of aliased fields at and below this one.
    var aliasCount: Int { (self.key != self.name ? 1 : 0) + self.selections.reduce(0) { $0 + $1.aliasCount } }
}
