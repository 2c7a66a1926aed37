import GraphQL
import OrderedCollections

/// The most rows an operation may read, estimated before any SQL runs: every object it selects
/// counts once for each row of every list above it; the lists of a page (a connection's
/// `edges`) count its `first` (bound per request, so one compiled plan serves every page
/// size), any other list ``listRows``.
struct CostEstimate: Sendable {
    /// Rows assumed for a list that has no page size (a class's learners, a lesson's marks). 20.
    static let listRows = 20
    /// Rows assumed for a page whose size is null (the compiler's default, at most this). 100.
    static let unsizedPage = 100

    /// One selected object field: how many rows each of its parent's rows makes, and its own
    /// object fields.
    struct Node: Sendable {
        var factor: Factor
        var children: [Node]
    }

    enum Factor: Sendable {
        case constant(Int)
        case page(Parameter<Int>)
    }

    var roots: [Node] = []

    /// The estimate for the root fields `fields` of `root`, by the role schema's field types.
    init(_ fields: [SelectedField], on root: GraphQLObjectType, objectFields: [String: GraphQLFieldMap]) {
        self.roots = Self.nodes(fields, on: root.name, page: nil, objectFields: objectFields)
    }

    init() {}

    /// `page`: the page size of the parent, a connection or page whose lists hold its rows.
    private static func nodes(_ fields: [SelectedField], on type: String, page: Parameter<Int>?,
                              objectFields: [String: GraphQLFieldMap]) -> [Node] {
        fields.compactMap { field -> Node? in
            guard let definition = objectFields[type]?[field.name] else { return nil }
            var (named, list): (any GraphQLType, Bool) = (definition.type, false)
            while true {
                if let nonNull = named as? GraphQLNonNull { named = nonNull.ofType } else if let wrapped = named as? GraphQLList {
                    list = true
                    named = wrapped.ofType
                } else { break }
            }
            guard let object = named as? GraphQLObjectType else { return nil }
            // A page size given as null reads the compiler's default page: count the largest.
            let pages = definition.args["first"] != nil
            let given: Parameter<Int>? = (try? field.arguments.int("first")) ?? nil
            let first: Parameter<Int>? = given ?? (pages ? .constant(Self.unsizedPage) : nil)
            let factor: Factor =
                if !list { .constant(1) }
                else if let size = page ?? first { .page(size) }
                else { .constant(Self.listRows) }
            return Node(factor: factor, children: Self.nodes(field.selections, on: object.name, page: list ? nil : first,
                                                             objectFields: objectFields))
        }
    }

    /// The estimate for this request's page sizes, saturating rather than overflowing.
    func rows(_ inputs: PlanInputs) throws -> Int {
        func total(_ nodes: [Node]) throws -> Int {
            try nodes.reduce(0) { sum, node in
                let factor = switch node.factor {
                case .constant(let value): value
                case .page(let page): max(0, try page.derive(inputs))
                }
                let (below, overflow) = factor.multipliedReportingOverflow(by: 1 + (try total(node.children)))
                return overflow ? Int.max / 2 : min(Int.max / 2, sum + below)
            }
        }
        return try total(self.roots)
    }
}
