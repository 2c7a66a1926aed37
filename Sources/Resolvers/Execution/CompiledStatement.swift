import EduQLSchema
import PostgresNIO

/// One root field compiled: SQL text with a slot for every value, the same for every request
/// of its plan; binding a request's inputs gives the ``Statement`` to run.
struct CompiledStatement: Sendable {
    let key: String
    let sql: String
    let slots: [SQLBuilder.Slot]
    /// Whether the text names every parameter's type, so it can be prepared.
    let preparable: Bool
    /// Whether the answer may be shared among principals of the same role, scope and person
    /// links (``SharedAnswers``); the first `preambleSlots` values name the principal itself.
    var shareable = false
    var preambleSlots = 0

    /// The statement with this request's values.
    func bound(_ inputs: PlanInputs) throws -> Statement {
        let parameters = try self.slots.map { try $0(inputs) }
        var bindings = PostgresBindings(capacity: parameters.count)
        for parameter in parameters { bindings.append(parameter) }
        var statement = Statement(key: self.key, sql: self.sql, bindings: bindings, parameters: parameters, preparable: self.preparable)
        if self.shareable {
            // The text and every value but the principal's own (its token): equal keys, equal answers
            // for principals whose tenancy settings are equal.
            var key = self.sql
            for parameter in parameters.dropFirst(self.preambleSlots) {
                key += "\u{0}\(parameter.type.rawValue):" + (parameter.value.map { Array($0.readableBytesView).hexadecimal } ?? "null")
            }
            statement.sharingKey = key
        }
        return statement
    }
}
