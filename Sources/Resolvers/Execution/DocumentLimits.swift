import GraphQL

/// Size checks on a document before any work that grows with it: bytes on the raw text, then,
/// on the parsed document, lexical tokens (counted from the lexer's own token list) and the
/// number of fields once every fragment spread is expanded.
enum DocumentLimits {
    /// The raw text, before parsing: its size, and its opening brackets. GraphQL's parser
    /// descends once per nesting level, so deep enough nesting exhausts its stack and ends the
    /// process; every bracket counts, in strings and comments too, so that no nesting the parser
    /// could see is missed.
    static func checkText(_ text: String, _ limits: QueryLimits) throws {
        guard text.utf8.count <= limits.maxDocumentBytes else {
            throw QueryError.validation("The document is larger than \(limits.maxDocumentBytes) bytes.", line: nil, column: nil)
        }
        var brackets = 0
        for byte in text.utf8 where byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "(") {
            brackets += 1
        }
        guard brackets <= limits.maxBrackets else {
            throw QueryError.validation("The document has more than \(limits.maxBrackets) opening brackets.", line: nil, column: nil)
        }
    }

    /// Tokens and expanded fields of a parsed document, before validation.
    static func check(_ document: Document, _ limits: QueryLimits) throws {
        guard Self.tokenCount(document) <= limits.maxTokens else {
            throw QueryError.validation("The document has more than \(limits.maxTokens) tokens.", line: nil, column: nil)
        }
        var expansion = FragmentExpansion(document: document, limit: limits.maxExpandedFields)
        for case let operation as OperationDefinition in document.definitions {
            let fields = expansion.fieldCount(operation.selectionSet)
            guard fields <= limits.maxExpandedFields else {
                throw QueryError.validation(
                    "The operation selects more than \(limits.maxExpandedFields) fields once its fragments are expanded.",
                    line: nil, column: nil)
            }
        }
    }

    /// The lexical tokens of the document as GraphQL's lexer produced them (the parser links
    /// every token, comments included): punctuators, names, numbers and strings.
    static func tokenCount(_ document: Document) -> Int {
        var count = 0
        var token = document.loc?.startToken
        while let current = token {
            switch current.kind {
            case .sof, .eof, .comment: break
            default: count += 1
            }
            token = current.next
        }
        return count
    }
}

/// Counts the fields an operation selects with every fragment spread expanded, each
/// fragment's count computed once; counts saturate just above the limit.
struct FragmentExpansion {
    private let fragments: [String: FragmentDefinition]
    private let limit: Int
    private var counted: [String: Int] = [:]
    private var expanding: Set<String> = []

    init(document: Document, limit: Int) {
        self.fragments = Dictionary(document.definitions.compactMap { $0 as? FragmentDefinition }.map { ($0.name.value, $0) }) { a, _ in a }
        self.limit = limit
    }

    /// Fields of `selectionSet`, nested ones included, at most `limit + 1`.
    mutating func fieldCount(_ selectionSet: SelectionSet) -> Int {
        var total = 0
        for selection in selectionSet.selections {
            let count: Int =
                switch selection {
                case let field as Field: 1 + (field.selectionSet.map { self.fieldCount($0) } ?? 0)
                case let inline as InlineFragment: self.fieldCount(inline.selectionSet)
                case let spread as FragmentSpread: self.fragmentCount(spread.name.value)
                default: 0
                }
            total = min(total + count, self.limit + 1)
        }
        return total
    }

    private mutating func fragmentCount(_ name: String) -> Int {
        if let count = self.counted[name] { return count }
        // An unknown fragment or a cycle is left to validation, which refuses both.
        guard let fragment = self.fragments[name], self.expanding.insert(name).inserted else { return 0 }
        let count = self.fieldCount(fragment.selectionSet)
        self.expanding.remove(name)
        self.counted[name] = count
        return count
    }
}
