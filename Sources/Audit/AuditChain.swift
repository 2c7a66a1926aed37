import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// Checks and trims the audit chain, as the schema owner.
public struct AuditChain: Sendable {
    /// What a walk of the chain found.
    public struct Verification: Sendable, Equatable {
        /// Events whose link held.
        public var checked: Int
        /// The first broken link, if any.
        public var brokenSequence: Int?
        public var reason: String?

        public var isIntact: Bool { self.brokenSequence == nil }
    }

    /// Why pruning was refused.
    public struct PruneRefused: Error, CustomStringConvertible {
        public var description: String
    }

    /// The least retention the regulations allow, in months.
    public static let minimumRetentionMonths = 3

    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Walks the chain from sequence number `from` to `to` (nil: the ends).
    public func verify(on connection: PostgresConnection, from: Int? = nil, to: Int? = nil) async throws -> Verification {
        let row = try await connection.guardedQuery("SELECT checked, broken_seq, reason FROM eduql.audit_verify(\(from), \(to))",
                                             logger: self.logger).collect().first!
        let (checked, broken, reason) = try row.decode((Int, Int?, String?).self)
        return Verification(checked: checked, brokenSequence: broken, reason: reason)
    }

    /// Walks the chain and records the walk (see `eduql.audit_check`): the whole chain when
    /// `full`, otherwise what is new since the last walk (a break found before stands).
    public func check(on connection: PostgresConnection, full: Bool) async throws -> Verification {
        let row = try await connection.guardedQuery("SELECT checked, broken_seq, reason FROM eduql.audit_check(\(full))",
                                             logger: self.logger).collect().first!
        let (checked, broken, reason) = try row.decode((Int, Int?, String?).self)
        return Verification(checked: checked, brokenSequence: broken, reason: reason)
    }

    /// Drops the monthly partitions that end on or before `before`, which must lie at least
    /// `retentionMonths` (default 12, at least 3) before this month; returns the partitions dropped.
    public func prune(on connection: PostgresConnection, before: Date, retentionMonths: Int = 12) async throws -> [String] {
        guard retentionMonths >= Self.minimumRetentionMonths else {
            throw PruneRefused(description: "audit records must be kept at least \(Self.minimumRetentionMonths) months")
        }
        let day = before.formatted(Date.ISO8601FormatStyle().year().month().day())
        do {
            return try await connection.guardedQuery("SELECT partition FROM eduql.audit_prune(\(day)::date, \(retentionMonths)::integer)",
                                              logger: self.logger).collect().map { try $0.decode(String.self) }
        } catch let error as PSQLError where sqlState(of: error) == .checkViolation {
            throw PruneRefused(description: error.serverInfo?[.message] ?? "refused")
        }
    }
}
