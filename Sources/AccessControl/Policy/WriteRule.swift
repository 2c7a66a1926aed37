/// What a role may write to one table, as data beside its read rows: which rows (a predicate
/// over the row as it would be written, `{t}`; for an update the row before and after) and
/// which columns the caller may set. The engine prints the predicate into the writing
/// statement; row-level security keeps the tenancy underneath.
public struct WriteRule: Sendable {
    /// The rows that may be written.
    public var rows: RowPredicate
    /// The columns the caller's input may set; the others come from the row's context.
    public var columns: Set<String>

    public init(rows: RowPredicate, columns: Set<String>) {
        self.rows = rows
        self.columns = columns
    }
}

extension Policy {
    /// The rule for writing `table`, if the policy may write it at all.
    public func writeRule(_ table: Table) -> WriteRule? {
        self.writes[table]
    }
}
