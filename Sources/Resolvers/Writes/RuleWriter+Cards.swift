import EduQLAccessControl
import EduQLSchema
import GraphQL

/// Corrections of a card (a learner's, a staff member's): the fields the input names change on
/// one row, under the caller's update rule of the table.
extension RuleWriter {
    /// Reads `input` into the row's changes with `card`, and writes them on the row `arguments[idName]`.
    func updateCard(
        _ table: Table, _ arguments: [String: Map], idName: String, type: String, ofLearner: Bool = false,
        notFound: String, refused: String, card: ([String: Map], inout RowValues) throws -> Void
    ) async throws -> Written {
        let id = try arguments.requiredID(idName, at: "")
        guard let input = arguments.object("input") else { throw WriteRefusal.invalid("input is required") }
        let statement = WriteStatement()
        var row = RowValues(statement)
        try card(input, &row)
        guard !row.columns.isEmpty else { throw WriteRefusal.invalid("input: name at least one field to change") }
        let rule = try self.rule(table, .update)
        let query = statement.update(table, where: "w_old.id = \(statement.bind(id, "int8"))", set: try statement.bind(json: row.changes),
                                     columns: row.columns, rule: rule, check: self.policy.writeRule(table)?.updateCheck ?? rule,
                                     learner: ofLearner ? "x.id" : "NULL::bigint")
        try await self.run(query, idName, notFound: notFound, refused: refused)
        return Written(type: type, table: table, ids: [id], many: false, learnerIDs: ofLearner ? [id] : [], rows: 1)
    }
}
