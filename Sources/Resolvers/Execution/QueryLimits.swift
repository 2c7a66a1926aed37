import GraphQL

/// Limits on what one GraphQL request may ask, checked before any SQL runs.
public struct QueryLimits: Sendable {
    /// Largest document accepted, in bytes. Default 32 KiB.
    public var maxDocumentBytes: Int = 32 * 1024
    /// Most lexical tokens in a document. Default 2,000.
    public var maxTokens: Int = 2_000
    /// Most opening brackets (`{`, `[`, `(`) in a document's text, strings and comments
    /// included, checked before parsing: a bound on nesting the parser's stack can always
    /// hold. Default 1,000.
    public var maxBrackets: Int = 1_000
    /// Most fields an operation selects once its fragment spreads are expanded. Default 2,000.
    public var maxExpandedFields: Int = 2_000
    /// Deepest nesting of fields (introspection excepted). Default 10.
    public var maxDepth: Int = 10
    /// Most aliased fields in an operation. Default 30.
    public var maxAliases: Int = 30
    /// Most root fields in an operation. Default 10.
    public var maxRootFields: Int = 10
    /// Largest `first` of a connection. Default 100; at most 500.
    public var maxPageSize: Int = 100 {
        didSet { self.maxPageSize = min(max(self.maxPageSize, 1), 500) }
    }
    /// Most rows an operation may read by its estimate (``CostEstimate``): page sizes multiplied
    /// through nested lists. Default 20,000, from `EDUQL_MAX_COST`.
    public var maxCost: Int = 20_000
    /// Longest `from`…`to` span of a diary or journal, in days. Default 93 (a quarter).
    public var maxDiaryDays: Int = 93
    /// Groups of fewer learners have their aggregates withheld. Default 5.
    public var privacyThreshold: Int = 5
    /// Longest a statement may run, in milliseconds. Default 5,000.
    public var statementTimeoutMilliseconds: Int = 5_000

    public init() {}
}
