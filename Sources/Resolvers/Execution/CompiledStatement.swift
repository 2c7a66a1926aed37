import PostgresNIO

/// One root field compiled: SQL text with a slot for every value, the same for every request
/// of its plan; binding a request's inputs gives the ``Statement`` to run.
struct CompiledStatement: Sendable {
    let key: String
    let sql: String
    let slots: [SQLBuilder.Slot]
    /// Whether the text names every parameter's type, so it can be prepared.
    let preparable: Bool

    /// The statement with this request's values.
    func bound(_ inputs: PlanInputs) throws -> Statement {
        let parameters = try self.slots.map { try $0(inputs) }
        var bindings = PostgresBindings(capacity: parameters.count)
        for parameter in parameters { bindings.append(parameter) }
        return Statement(key: self.key, sql: self.sql, bindings: bindings, parameters: parameters, preparable: self.preparable)
    }
}
