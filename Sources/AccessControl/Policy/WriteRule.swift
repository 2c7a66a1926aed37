/// What a role may write to one table, as data beside its read rows (like Hasura's insert,
/// update and delete permissions): for each action, which rows — a predicate over the row
/// (`{t}`): the new row of an insert, the old row of an update or delete — then which rows an
/// update may leave behind (``updatedRows``, by default the same predicate), and which columns
/// the caller's input may set. The engine prints the predicate into the writing
/// statement; row-level security keeps the tenancy underneath.
public struct WriteRule: Sendable {
    /// A kind of write.
    public enum Action: Sendable, Hashable {
        case insert, update, delete
    }

    /// The rows each action may write; an action absent here is not allowed.
    public var rows: [Action: RowPredicate]
    /// The rows an update may leave behind, checked on the new row; nil: the update's own predicate.
    public var updatedRows: RowPredicate?
    /// The columns the caller's input may set; the others come from the row's context.
    public var columns: Set<String>

    public init(_ actions: Set<Action>, rows: RowPredicate, columns: Set<String> = []) {
        self.rows = Dictionary(uniqueKeysWithValues: actions.map { ($0, rows) })
        self.columns = columns
    }

    public init(rows: [Action: RowPredicate], updatedRows: RowPredicate? = nil, columns: Set<String> = []) {
        self.rows = rows
        self.updatedRows = updatedRows
        self.columns = columns
    }

    /// The predicate the new row of an update must meet, if updates are allowed.
    public var updateCheck: RowPredicate? {
        self.rows[.update].map { self.updatedRows ?? $0 }
    }

    /// The rows `action` may write, if it may write any.
    public func rows(_ action: Action) -> RowPredicate? {
        self.rows[action]
    }
}

extension Policy {
    /// The rows of `table` that `action` may write under this policy, if any.
    public func writable(_ table: Table, _ action: WriteRule.Action) -> RowPredicate? {
        self.writes[table]?.rows(action)
    }

    /// The rule for writing `table`, if the policy may write it at all.
    public func writeRule(_ table: Table) -> WriteRule? {
        self.writes[table]
    }
}
