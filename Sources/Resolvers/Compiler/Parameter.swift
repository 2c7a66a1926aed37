import EduQLAccessControl
import Foundation
import GraphQL

/// What a compiled plan is bound to: one request's coerced variables and whom it acts for —
/// and, for a mutation's read-back, what its write wrote.
struct PlanInputs: Sendable {
    var variables: [String: Map]
    var actingAs: ActingAs
    var written = WrittenValues()
}

/// What one write wrote, as its read-back statement binds it: the rows' ids, the lesson and
/// learners of a journal write, a one-time password or secret.
struct WrittenValues: Sendable {
    var id = 0
    var ids: [Int] = []
    var lessonID = 0
    var learnerIDs: [Int] = []
    var secret = ""
}

/// A value the compiler binds as a statement parameter, together with how to find it again in
/// another request of the same plan. The compiler prints only the placeholder; the value is
/// derived anew for every request. Reading ``fixed`` instead makes the plan itself depend on
/// the value (the compiler chose SQL by it), recorded in the ``PlanDependencies``.
struct Parameter<Value: Sendable>: Sendable {
    /// This request's value, checked.
    private let current: Value
    /// The value in a request (checked again: a later request's value may be bad input).
    let derive: @Sendable (PlanInputs) throws -> Value
    /// The variables it is read from.
    private let paths: [VariablePath]
    private let dependencies: PlanDependencies?

    private init(current: Value, paths: [VariablePath], dependencies: PlanDependencies?,
                 derive: @escaping @Sendable (PlanInputs) throws -> Value) {
        self.current = current
        self.paths = paths
        self.dependencies = dependencies
        self.derive = derive
    }

    /// A value the same in every request of the document.
    static func constant(_ value: Value) -> Parameter {
        Parameter(current: value, paths: [], dependencies: nil) { _ in value }
    }

    /// A value taken from the request's principal rather than its variables.
    static func request(_ current: Value, _ read: @escaping @Sendable (PlanInputs) throws -> Value) -> Parameter {
        Parameter(current: current, paths: [], dependencies: nil, derive: read)
    }

    /// An argument's value converted by `convert`; nil when it converts to nothing in this request.
    static func argument(_ value: ArgumentValue, dependencies: PlanDependencies,
                         convert: @escaping @Sendable (Map) throws -> Value?) throws -> Parameter? {
        guard let current = try convert(value.resolve(dependencies.variables)) else { return nil }
        let paths = value.paths
        guard !paths.isEmpty else { return .constant(current) }
        return Parameter(current: current, paths: paths, dependencies: dependencies) { inputs in
            // The plan's variable shape matches, so the value is present; a wrong type is still refused.
            guard let value = try convert(value.resolve(inputs.variables)) else {
                throw QueryError.badInput("\(paths.map(\.description).joined(separator: ", ")) has no usable value")
            }
            return value
        }
    }

    /// The value, making the plan depend on it: the compiler may choose SQL by it.
    var fixed: Value {
        self.dependencies?.fix(self.paths)
        return self.current
    }

    /// The value converted by `transform` (a check that throws is made now and in every request).
    func map<T: Sendable>(_ transform: @escaping @Sendable (Value) throws -> T) throws -> Parameter<T> {
        let derive = self.derive
        return Parameter<T>(current: try transform(self.current), paths: self.paths, dependencies: self.dependencies) { inputs in
            try transform(try derive(inputs))
        }
    }

    /// This value and `other`, together.
    func and<Other: Sendable>(_ other: Parameter<Other>) -> Parameter<(Value, Other)> {
        let (derive, deriveOther) = (self.derive, other.derive)
        return Parameter<(Value, Other)>(current: (self.current, other.current), paths: self.paths + other.paths,
                                          dependencies: self.dependencies ?? other.dependencies) {
            (try derive($0), try deriveOther($0))
        }
    }
}
