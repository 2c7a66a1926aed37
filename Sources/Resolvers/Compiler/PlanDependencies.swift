import GraphQL
import Synchronization

/// What a plan being compiled has come to depend on beyond the shape of its variables: the
/// values of the variables the compiler chose SQL by (an ordering, a grouping, `@include(if:)`).
/// A cached plan is reused only for a request whose variables have the same values there.
final class PlanDependencies: Sendable {
    /// The coerced variables of the request being compiled.
    let variables: [String: Map]
    private let fixed = Mutex<[VariablePath: Map]>([:])

    init(variables: [String: Map]) {
        self.variables = variables
    }

    /// Records that the plan depends on the values at `paths` as they are in this request.
    func fix(_ paths: [VariablePath]) {
        guard !paths.isEmpty else { return }
        self.fixed.withLock { fixed in
            for path in paths { fixed[path] = path.value(in: self.variables) }
        }
    }

    /// Every value the plan depends on.
    var values: [VariablePath: Map] { self.fixed.withLock { $0 } }
}
