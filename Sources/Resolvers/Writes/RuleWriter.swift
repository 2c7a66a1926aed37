import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import Logging
import PostgresNIO

/// Runs the statements of one mutation field under the caller's write rules, on the
/// operation's connection inside its transaction: mark corrections and final marks
/// (`RuleWriter+Marks`), admissions, moves and leaving (`RuleWriter+Contingent`), transfers
/// between organizations (`RuleWriter+Transfers`), and the kindergarten queue: applications
/// (`+Queue`), a parent's answers (`+Offers`), the municipality's decisions (`+QueueReview`)
/// and distribution (`+Distribution`). A refusal throws, and the operation's
/// transaction rolls back whatever the field or the fields before it wrote.
public struct RuleWriter: Sendable {
    let policy: Policy
    let connection: PostgresConnection
    let logger: Logger

    public init(policy: Policy, connection: PostgresConnection, logger: Logger) {
        self.policy = policy
        self.connection = connection
        self.logger = logger
    }

    /// The acting account, as the history tables record who made a change: its id
    /// (`changed_by`) and display name (`changed_by_name`); for an integration's write, the
    /// client's name (the person it wrote for is in the audit event).
    static let changedBy = """
        eduql.current_id('user_id') AS changed_by, \
        coalesce((SELECT u.display_name FROM eduql.users u WHERE u.id = eduql.current_id('user_id')), \
        (SELECT c.name FROM eduql.integration_clients c WHERE c.id = eduql.current_id('client_id'))) AS changed_by_name
        """

    /// Mutation fields this writer performs.
    public static let fields: Set<String> = [
        "correctMark", "deleteMark", "recordFinalMarks", "admitLearner", "updateLearner", "transferToClass", "transferToOrganization",
        "confirmTransfer", "declineTransfer", "acceptTransfer", "expelLearner", "graduateLearner",
        "fileQueueApplication", "changeQueueChoices", "withdrawQueueApplication", "respondToOffer",
        "reviewQueueApplication", "decideBenefit", "transferQueueApplication", "runDistribution",
        "createMunicipality", "createOrganization", "updateOrganization", "reorganizeOrganization", "liquidateOrganization",
        "openAcademicYear", "setOrganizationTerms", "createSubject", "setCurriculum", "createClass", "createGroup", "updateClass",
        "hireStaff", "updateStaff", "dismissStaff", "assignTeaching", "endTeaching", "setBellSchedule", "setTimetable", "generateLessons",
        "moveLesson", "cancelLesson", "substituteTeacher", "linkGuardian", "unlinkGuardian",
        "computeStatisticalForm", "submitStatisticalForm", "returnStatisticalForm", "acceptStatisticalForm",
    ]

    /// Performs one mutation field.
    public func perform(_ mutation: MutationField) async throws -> Written {
        let arguments = mutation.arguments
        switch mutation.name {
        case "correctMark": return try await self.correctMark(arguments)
        case "deleteMark": return try await self.deleteMark(arguments)
        case "recordFinalMarks": return try await self.recordFinalMarks(arguments)
        case "admitLearner": return try await self.admitLearner(try Self.input(arguments))
        case "updateLearner": return try await self.updateLearner(arguments)
        case "transferToClass": return try await self.transferToClass(try Self.input(arguments))
        case "expelLearner": return try await self.leave(try Self.input(arguments), status: "expelled")
        case "graduateLearner": return try await self.leave(try Self.input(arguments), status: "graduated")
        case "transferToOrganization": return try await self.requestTransfer(try Self.input(arguments))
        case "confirmTransfer": return try await self.decideTransfer(arguments, confirm: true)
        case "declineTransfer": return try await self.decideTransfer(arguments, confirm: false)
        case "acceptTransfer": return try await self.acceptTransfer(arguments)
        case "fileQueueApplication": return try await self.fileQueueApplication(try Self.input(arguments))
        case "changeQueueChoices": return try await self.changeQueueChoices(arguments)
        case "withdrawQueueApplication": return try await self.withdrawQueueApplication(arguments)
        case "respondToOffer": return try await self.respondToOffer(arguments)
        case "reviewQueueApplication": return try await self.reviewQueueApplication(arguments)
        case "decideBenefit": return try await self.decideBenefit(arguments)
        case "transferQueueApplication": return try await self.transferQueueApplication(arguments)
        case "runDistribution": return try await self.runDistribution(try Self.input(arguments))
        case "computeStatisticalForm": return try await self.computeStatisticalForm(arguments)
        case "submitStatisticalForm": return try await self.submitStatisticalForm(arguments)
        case "returnStatisticalForm": return try await self.returnStatisticalForm(arguments)
        case "acceptStatisticalForm": return try await self.acceptStatisticalForm(arguments)
        case "createMunicipality": return try await self.createMunicipality(try Self.input(arguments))
        case "createOrganization": return try await self.createOrganization(try Self.input(arguments))
        case "updateOrganization": return try await self.updateOrganization(arguments)
        case "reorganizeOrganization": return try await self.reorganizeOrganization(try Self.input(arguments))
        case "liquidateOrganization": return try await self.liquidateOrganization(try Self.input(arguments))
        case "openAcademicYear": return try await self.openAcademicYear(try Self.input(arguments))
        case "setOrganizationTerms": return try await self.setOrganizationTerms(try Self.input(arguments))
        case "createSubject": return try await self.createSubject(try Self.input(arguments))
        case "setCurriculum": return try await self.setCurriculum(try Self.input(arguments))
        case "createClass": return try await self.createClass(try Self.input(arguments))
        case "createGroup": return try await self.createGroup(try Self.input(arguments))
        case "updateClass": return try await self.updateClass(arguments)
        case "hireStaff": return try await self.hireStaff(try Self.input(arguments))
        case "updateStaff": return try await self.updateStaff(arguments)
        case "dismissStaff": return try await self.dismissStaff(try Self.input(arguments))
        case "assignTeaching": return try await self.assignTeaching(try Self.input(arguments))
        case "endTeaching": return try await self.endTeaching(arguments)
        case "setBellSchedule": return try await self.setBellSchedule(try Self.input(arguments))
        case "setTimetable": return try await self.setTimetable(try Self.input(arguments))
        case "generateLessons": return try await self.generateLessons(try Self.input(arguments))
        case "moveLesson": return try await self.moveLesson(arguments)
        case "cancelLesson": return try await self.cancelLesson(arguments)
        case "substituteTeacher": return try await self.substituteTeacher(arguments)
        case "linkGuardian": return try await self.linkGuardian(try Self.input(arguments))
        case "unlinkGuardian": return try await self.unlinkGuardian(arguments)
        default: throw WriteRefusal.invalid("Unknown mutation \(mutation.name).")
        }
    }

    /// The rule of `action` on `table`; FORBIDDEN when the caller may not write it at all.
    func rule(_ table: Table, _ action: WriteRule.Action) throws -> RowPredicate {
        guard let rule = self.policy.writable(table, action) else {
            throw WriteRefusal.forbidden("you may not \(action) \(table.rawValue)")
        }
        return rule
    }

    /// Runs a checked statement: what it wrote; FORBIDDEN naming `path` when it found nothing
    /// to write under the caller's tenancy (whether a row exists elsewhere is not told) or the
    /// rule refused a row.
    @discardableResult
    func run(_ query: PostgresQuery, _ path: String, notFound: String, refused: String, conflictsSkipped: Bool = false) async throws -> CheckedRows {
        guard let row = try await self.connection.guardedQuery(query, logger: self.logger).collect().first else {
            throw WriteRefusal.forbidden("\(path): \(notFound)")
        }
        let checked = try CheckedRows(row)
        if checked.found == 0 { throw WriteRefusal.forbidden("\(path): \(notFound)") }
        // Nothing written although nothing was refused: only rows skipped as conflicts may do that.
        if checked.refused > 0 || (checked.ids.isEmpty && !conflictsSkipped) { throw WriteRefusal.forbidden("\(path): \(refused)") }
        return checked
    }

    static func input(_ arguments: [String: Map]) throws -> [String: Map] {
        guard let input = arguments.object("input") else { throw WriteRefusal.invalid("input is required") }
        return input
    }
}

/// Checked reads of input values: each names its path in the refusal.
extension Dictionary where Key == String, Value == Map {
    func requiredID(_ name: String, at path: String) throws -> Int {
        guard let text = self[name]?.text else { throw WriteRefusal.invalid("\(path)\(name) is required") }
        guard let id = Int(text), id > 0 else { throw WriteRefusal.invalid("\(path)\(name) is not a valid id") }
        return id
    }

    func optionalID(_ name: String, at path: String) throws -> Int? {
        guard let value = self[name], value != .null else { return nil }
        return try self.requiredID(name, at: path)
    }

    func date(_ name: String, at path: String) throws -> String {
        guard let text = self[name]?.text else { throw WriteRefusal.invalid("\(path)\(name) is required") }
        guard DateScalar.isValidDate(text) else { throw WriteRefusal.invalid("\(path)\(name) is not an ISO-8601 date (YYYY-MM-DD)") }
        return text
    }

    /// Text of `lengths` characters, trimmed; nil when absent and not required.
    func text(_ name: String, at path: String, lengths: ClosedRange<Int>, required: Bool = true) throws -> String? {
        guard let value = self[name], value != .null else {
            if required { throw WriteRefusal.invalid("\(path)\(name) is required") }
            return nil
        }
        guard let text = value.text?.trimmingCharacters(in: .whitespacesAndNewlines), lengths.contains(text.count),
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw WriteRefusal.invalid("\(path)\(name) must have \(lengths.lowerBound) to \(lengths.upperBound) characters, none of them control characters")
        }
        return text
    }

    func integer(_ name: String, at path: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = self[name], value != .null else { return nil }
        guard case .number(let number) = value, range.contains(number.intValue) else {
            throw WriteRefusal.invalid("\(path)\(name) must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number.intValue
    }
}
