import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// A learner's card, entered on admission and corrected later, with what the statistical forms
/// count of it: citizenship, an impairment (ОВЗ) and a disabled child's status.
extension RuleWriter {
    static let healthLimitations: Set<String> = [
        "deaf", "hard_of_hearing", "blind", "low_vision", "speech", "severe_speech", "musculoskeletal", "delayed_development", "autism",
        "intellectual", "complex", "other",
    ]

    /// The card's fields the input names (every one when `creating`), checked.
    static func learnerCard(_ card: [String: Map], into row: inout RowValues, path: String, creating: Bool) throws {
        func given(_ field: String) -> Bool { creating || card[field] != nil }
        for (field, column, lengths, required) in [("lastName", "last_name", 1...100, true), ("firstName", "first_name", 1...100, true),
                                                   ("middleName", "middle_name", 1...100, false), ("address", "address", 1...500, false)]
        where given(field) {
            row.set(column, try card.text(field, at: path, lengths: lengths, required: required), "text")
        }
        if given("gender") { row.set("gender", try card.enumeration("gender", at: path, in: ["male", "female"], required: true), "text") }
        if given("birthDate") {
            let birth = try card.date("birthDate", at: path)
            guard birth > "1900-01-01", birth <= Self.today else { throw WriteRefusal.invalid("\(path)birthDate must be a past date after 1900") }
            row.set("birth_date", birth, "date")
        }
        if given("snils") {
            let snils = try card.text("snils", at: path, lengths: 14...14, required: false)
            if let snils, snils.wholeMatch(of: /[0-9]{3}-[0-9]{3}-[0-9]{3} [0-9]{2}/) == nil {
                throw WriteRefusal.invalid("\(path)snils must read NNN-NNN-NNN NN")
            }
            row.set("snils", snils, "text")
        }
        if given("healthGroup") { row.set("health_group", try card.integer("healthGroup", at: path, in: 1...5), "int2") }
        let citizenship = try Self.country(card, "citizenship", at: path, stateless: true)
        let second = try Self.country(card, "secondCitizenship", at: path, stateless: false)
        if given("citizenship") {
            guard let value = citizenship ?? (creating ? "RUS" : nil) else { throw WriteRefusal.invalid("\(path)citizenship cannot be cleared") }
            row.set("citizenship", value, "text")
        }
        if given("secondCitizenship") {
            if second == "RUS" { throw WriteRefusal.invalid("\(path)secondCitizenship is another than the Russian one") }
            if second != nil, creating, (citizenship ?? "RUS") != "RUS" {
                throw WriteRefusal.invalid("\(path)secondCitizenship is held beside the Russian one: citizenship is RUS")
            }
            row.set("second_citizenship", second, "text")
        }
        if given("healthLimitation") {
            row.set("health_limitation", try card.enumeration("healthLimitation", at: path, in: Self.healthLimitations), "text")
        }
        if given("disabled") {
            switch card["disabled"] ?? .null {
            case .bool(let disabled): row.set("disabled", disabled, "bool")
            case .null where creating: row.set("disabled", false, "bool")
            default: throw WriteRefusal.invalid("\(path)disabled must be true or false")
            }
        }
    }

    /// A country code (ОКСМ alpha-3, e.g. RUS) or, where allowed, `stateless`; nil when absent.
    static func country(_ card: [String: Map], _ field: String, at path: String, stateless: Bool) throws -> String? {
        guard let text = try card.text(field, at: path, lengths: 3...9, required: false) else { return nil }
        if stateless && text.lowercased() == "stateless" { return "stateless" }
        guard text.wholeMatch(of: /[A-Za-z]{3}/) != nil else {
            throw WriteRefusal.invalid("\(path)\(field) must be an ОКСМ alpha-3 code (RUS, KAZ …)\(stateless ? " or stateless" : "")")
        }
        return text.uppercased()
    }

    /// `updateLearner`: the fields given change, on a learner of the caller's organization.
    func updateLearner(_ arguments: [String: Map]) async throws -> Written {
        try await self.updateCard(.learners, arguments, idName: "learnerId", type: "Learner", ofLearner: true,
                                  notFound: "not a learner you can see", refused: "not a learner of your organization") { input, row in
            try Self.learnerCard(input, into: &row, path: "input.", creating: false)
        }
    }
}
