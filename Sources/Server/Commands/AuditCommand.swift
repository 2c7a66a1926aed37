import ArgumentParser
import EduQLAudit
import Foundation
import Logging

/// `eduql audit verify|prune`: checks the audit chain, drops partitions past the retention.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify or prune the audit log.", subcommands: [Verify.self, Prune.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the hash chain and name the first broken link.",
            discussion: "A walk of the whole chain is recorded, and administrators see it as the chain's verification status.")

        @Option(help: "First sequence number to check (default: the first kept).")
        var from: Int?
        @Option(help: "Last sequence number to check (default: the head).")
        var to: Int?

        func run() async throws {
            let command = try await CommandContext.load()
            let logger = command.logger
            let database = try await command.database()
            let result = try await database.owner.withConnection(logger: logger) { connection in
                let chain = AuditChain(logger: logger)
                return if self.from == nil && self.to == nil {
                    try await chain.check(on: connection, full: true)
                } else {
                    try await chain.verify(on: connection, from: self.from, to: self.to)
                }
            }
            if let broken = result.brokenSequence {
                print("BROKEN at event \(broken): \(result.reason ?? "") (\(result.checked) events checked before it)")
                throw ExitCode(1)
            }
            print("intact: \(result.checked) events checked")
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop whole monthly partitions before a date, keeping the chain verifiable.")

        @Option(help: "Drop the partitions that end on or before this date (YYYY-MM-DD).")
        var before: String
        @Option(help: "Months the log must keep; at least 3.")
        var retentionMonths: Int = 12

        func run() async throws {
            guard let date = try? Date.ISO8601FormatStyle().year().month().day().parse(self.before) else {
                throw ValidationError("--before must be a date, YYYY-MM-DD")
            }
            let command = try await CommandContext.load()
            let logger = command.logger
            let database = try await command.database()
            do {
                let dropped = try await database.owner.withConnection(logger: logger) { connection in
                    try await AuditChain(logger: logger).prune(on: connection, before: date, retentionMonths: self.retentionMonths)
                }
                print(dropped.isEmpty ? "nothing to prune" : "dropped: " + dropped.joined(separator: ", "))
            } catch let refused as AuditChain.PruneRefused {
                throw ValidationError(refused.description)
            }
        }
    }
}
