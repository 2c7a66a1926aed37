import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// Closes one academic year and opens the next, one organization at a time
/// (`eduql.rollover_organization`, one transaction each, under the caller's tenancy): classes
/// of grade N become new classes of grade N + 1 in the new year, learners move into them, the
/// last grade graduates with a movement and the order's number, repeaters stay in their grade,
/// kindergarten groups move up by age and release the children leaving for school.
public struct Rollover: Sendable {
    public struct Options: Sendable, Codable {
        /// The year closed and the year opened, by name (`2025/2026`).
        public var fromYear: String
        public var toYear: String
        /// The order (приказ) the graduations and promotions are made by.
        public var orderNumber: String
        public var copyAssignments = false
        public var copyTimetable = false
        /// Why the year is closed with final marks missing; nil refuses then.
        public var override: String?

        public init(fromYear: String, toYear: String, orderNumber: String, copyAssignments: Bool = false, copyTimetable: Bool = false,
                    override: String? = nil) {
            self.fromYear = fromYear
            self.toYear = toYear
            self.orderNumber = orderNumber
            self.copyAssignments = copyAssignments
            self.copyTimetable = copyTimetable
            self.override = override
        }
    }

    /// What the rollover did to one organization, or why it did nothing there.
    public struct Outcome: Sendable, Codable, Equatable {
        public var organizationID: Int
        public var promoted = 0
        public var repeated = 0
        public var graduated = 0
        public var released = 0
        public var classesCreated = 0
        public var problem: String?

        public init(organizationID: Int, promoted: Int = 0, repeated: Int = 0, graduated: Int = 0, released: Int = 0, classesCreated: Int = 0,
                    problem: String? = nil) {
            (self.organizationID, self.promoted, self.repeated, self.graduated, self.released) = (organizationID, promoted, repeated, graduated, released)
            self.classesCreated = classesCreated
            self.problem = problem
        }
    }

    /// Where one learner goes: the class now, what becomes of them, the class next year.
    public struct Placement: Sendable, Codable, Equatable {
        public var learnerID: Int
        public var learner: String
        public var organizationID: Int
        public var fromClass: String
        public var action: String
        public var toClass: String?
    }

    /// Why a rollover cannot start.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public var options: Options

    public init(_ options: Options) {
        self.options = options
    }

    /// The active organizations of the caller's scope (narrowed to a municipality or one
    /// organization) that have classes or groups in the year closed.
    public func organizations(municipalityID: Int?, organizationID: Int?, on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        let (from, _) = try await self.years(on: connection, logger: logger)
        let rows = try await connection.guardedQuery("""
            SELECT o.id FROM eduql.organizations o
            WHERE o.status = 'active' AND o.region_id = eduql.current_region_id()
              AND (\(municipalityID)::bigint IS NULL OR o.municipality_id = \(municipalityID))
              AND (\(organizationID)::bigint IS NULL OR o.id = \(organizationID))
              AND EXISTS (SELECT 1 FROM eduql.classes k WHERE k.organization_id = o.id AND k.academic_year_id = \(from))
            ORDER BY o.id
            """, logger: logger)
        return try await rows.decode(Int.self).all()
    }

    /// The ids of the two years, or a refusal naming the one missing.
    func years(on connection: PostgresConnection, logger: Logger) async throws -> (Int, Int) {
        let rows = try await connection.guardedQuery("""
            SELECT (SELECT id FROM eduql.academic_years WHERE region_id = eduql.current_region_id() AND name = \(self.options.fromYear)),
                   (SELECT id FROM eduql.academic_years WHERE region_id = eduql.current_region_id() AND name = \(self.options.toYear))
            """, logger: logger)
        guard let (from, to) = try await rows.decode((Int?, Int?).self).all().first, let from else {
            throw Refusal(description: "no academic year \(self.options.fromYear) in the region")
        }
        guard let to else { throw Refusal(description: "no academic year \(self.options.toYear) in the region: create it first") }
        return (from, to)
    }

    /// Every learner's next class in one organization, without changing anything.
    public func preview(organizationID: Int, on connection: PostgresConnection, logger: Logger) async throws -> [Placement] {
        let (from, _) = try await self.years(on: connection, logger: logger)
        let rows = try await connection.guardedQuery("""
            SELECT p.learner_id, concat_ws(' ', l.last_name, l.first_name, l.middle_name), \(organizationID)::bigint, k.name, p.action, p.to_name
            FROM eduql.rollover_plan(\(organizationID), \(from)) p
            JOIN eduql.learners l ON l.id = p.learner_id JOIN eduql.classes k ON k.id = p.from_class_id
            ORDER BY k.name, l.last_name, l.first_name, l.id
            """, logger: logger)
        return try await rows.decode((Int, String, Int, String, String, String?).self).all().map {
            Placement(learnerID: $0.0, learner: $0.1, organizationID: $0.2, fromClass: $0.3, action: $0.4, toClass: $0.5)
        }
    }

    /// Rolls one organization over inside the caller's transaction; a refusal of the records
    /// (missing final marks, years in the wrong order) is the outcome's problem.
    public func run(organizationID: Int, on connection: PostgresConnection, logger: Logger) async throws -> Outcome {
        let (from, to) = try await self.years(on: connection, logger: logger)
        let options = self.options
        let rows = try await connection.guardedQuery("""
            SELECT promoted, repeated, graduated, released, classes_created
            FROM eduql.rollover_organization(\(organizationID), \(from), \(to), \(options.orderNumber), \(options.copyAssignments),
                                             \(options.copyTimetable), \(options.override))
            """, logger: logger)
        guard let counts = try await rows.decode((Int, Int, Int, Int, Int).self).all().first else {
            throw Refusal(description: "the rollover of organization \(organizationID) answered nothing")
        }
        return Outcome(organizationID: organizationID, promoted: counts.0, repeated: counts.1, graduated: counts.2, released: counts.3,
                       classesCreated: counts.4)
    }
}

extension AsyncSequence {
    /// Every element, in order.
    func all() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}

extension Rollover {
    /// What an organization's rollover audit event records.
    public func auditDetail(_ outcome: Outcome) -> [String: String] {
        var detail = ["from": self.options.fromYear, "to": self.options.toYear, "order": self.options.orderNumber,
                      "promoted": String(outcome.promoted), "repeated": String(outcome.repeated), "graduated": String(outcome.graduated),
                      "released": String(outcome.released), "classes_created": String(outcome.classesCreated)]
        if let reason = self.options.override { detail["override"] = reason }
        return detail
    }

    /// The records' refusal a database error carries (missing final marks, years out of order), if it is one.
    public static func refusal(_ error: any Error) -> String? {
        let state = sqlState(of: error)
        guard state == .recordsRefuse || state == .recordNotFound else { return nil }
        let info = (error as? PSQLError)?.serverInfo ?? ((error as? PostgresTransactionError)?.closureError as? PSQLError)?.serverInfo
        return info?[.message]
    }
}
