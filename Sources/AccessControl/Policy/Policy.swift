/// What one principal may read, as data: per GraphQL type the readable fields, per table the
/// rows. The engine prunes the role's schema with ``types`` and prints ``rows`` into every
/// relation it compiles; a type or table absent here is not readable at all.
public struct Policy: Sendable {
    /// Names the role schema this policy yields (one per role, one per integration grant).
    public var key: String
    public var types: [String: FieldSet]
    public var rows: [Table: RowPredicate]
    /// The rows of each table an aggregate may count (dashboards count what they may not list,
    /// such as a region's current marks); a table absent here counts as in ``rows``.
    public var aggregateRows: [Table: RowPredicate]
    /// For integration clients whose grant names documents: the only trusted documents it may
    /// run, by id (`sha256:…`); such a client sends no text at all.
    public var trustedDocuments: Set<String>?
    /// What the principal may write, per table (``WriteRule``); a table absent here is not writable.
    public var writes: [Table: WriteRule]
    /// What the principal may import, export and roll over in bulk (``OnboardingRights``).
    public var onboarding: OnboardingRights
    /// Tables read only as the answer of the principal's own writes (a journal vendor's marks):
    /// never listed in its change feed.
    public var answersOnly: Set<Table> = []
    /// Mutations this policy refuses with a reason (`FORBIDDEN`) rather than not knowing them
    /// (an integration grant's writes it does not name).
    public var refusedMutations: [String: String] = [:]

    public init(key: String, types: [String: FieldSet], rows: [Table: RowPredicate], aggregateRows: [Table: RowPredicate] = [:],
                trustedDocuments: Set<String>? = nil, writes: [Table: WriteRule] = [:], onboarding: OnboardingRights = .none) {
        self.key = key
        self.types = types
        // A mark's history is read as the mark is: the same columns, the same predicate.
        var rows = rows
        rows[.markHistory] = rows[.marks]
        self.rows = rows
        self.aggregateRows = aggregateRows
        self.trustedDocuments = trustedDocuments
        self.writes = writes
        self.onboarding = onboarding
    }

    /// Whether `type.field` is readable.
    public func allows(_ type: String, _ field: String) -> Bool {
        self.types[type]?.contains(field) ?? false
    }

    /// The rows of `table` this policy reads, as SQL over `alias`; `false` when none.
    public func predicate(_ table: Table, alias: String) -> String {
        self.rows[table]?.sql(alias: alias) ?? "false"
    }

    /// Whether an aggregate of this policy counts any rows of `table`.
    public func counts(_ table: Table) -> Bool {
        (self.aggregateRows[table] ?? self.rows[table]) != nil
    }

    /// The rows of `table` an aggregate of this policy counts, as SQL over `alias`; `false` when none.
    public func aggregatePredicate(_ table: Table, alias: String) -> String {
        (self.aggregateRows[table] ?? self.rows[table])?.sql(alias: alias) ?? "false"
    }
}

extension Policy {
    /// The policy of a user acting in one role.
    public static func of(_ role: Role) -> Policy {
        switch role {
        case .regionAdmin: .regionAdmin
        case .mouoAdmin: .mouoAdmin
        case .schoolAdmin: .schoolAdmin
        case .teacher: .teacher
        case .homeroomTeacher: .homeroomTeacher
        case .parent: .parent
        case .student: .student
        }
    }
}
