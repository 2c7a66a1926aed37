import ArgumentParser
import EduQLAudit
import EduQLOnboarding
import EduQLSchema
import Foundation
import Logging
import PostgresNIO

/// `eduql rollover --region <id> --from 2025/2026 --to 2026/2027 --order N [--preview]`: closes
/// a year and opens the next, one transaction per organization.
struct RolloverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollover", abstract: "Roll the academic year over: promote learners, graduate the last grade, move kindergarten groups up."
    )

    @Option(help: "The region's id.") var region: Int
    @Option(help: "Only this municipality's organizations.") var municipality: Int?
    @Option(help: "Only this organization.") var organization: Int?
    @Option(help: "The year closed (YYYY/YYYY).") var from: String
    @Option(help: "The year opened (YYYY/YYYY); it must exist.") var to: String
    @Option(help: "The number of the order the learners move by.") var order: String
    @Flag(help: "Copy the teaching assignments into the new classes.") var copyAssignments = false
    @Flag(help: "Copy the weekly timetable into the new classes.") var copyTimetable = false
    @Option(help: "Roll over although final marks are missing, for this reason.") var override: String?
    @Flag(help: "Print each learner's next class and change nothing.") var preview = false

    func run() async throws {
        let command = try await CommandContext.load()
        let logger = command.logger
        let database = try await command.database()
        let rollover = Rollover(.init(fromYear: self.from, toYear: self.to, orderNumber: self.order, copyAssignments: self.copyAssignments,
                                      copyTimetable: self.copyTimetable, override: self.override))
        let (region, municipality, organization, preview) = (self.region, self.municipality, self.organization, self.preview)
        let failed = try await database.owner.withConnection(logger: logger) { connection in
            let organizations = try await connection.transaction(logger: logger) { connection in
                try await OperatorTenancy.set(region: region, on: connection, logger: logger)
                return try await rollover.organizations(municipalityID: municipality, organizationID: organization, on: connection, logger: logger)
            }
            var failed = 0
            for id in organizations {
                do {
                    try await connection.transaction(logger: logger) { connection in
                        try await OperatorTenancy.set(region: region, on: connection, logger: logger)
                        if preview {
                            for placement in try await rollover.preview(organizationID: id, on: connection, logger: logger) {
                                print("\(id)\t\(placement.fromClass)\t\(placement.learner)\t\(placement.action)\t\(placement.toClass ?? "")")
                            }
                            return
                        }
                        let outcome = try await rollover.run(organizationID: id, on: connection, logger: logger)
                        var event = OperatorTenancy.event("rollover", region: region)
                        event.organizationID = id
                        event.detail = rollover.auditDetail(outcome)
                        try await event.append(on: connection, logger: logger)
                        print("organization \(id): \(outcome.promoted) promoted, \(outcome.repeated) repeating, \(outcome.graduated) graduated, "
                              + "\(outcome.released) released, \(outcome.classesCreated) classes created")
                    }
                } catch let error as Rollover.Refusal {
                    print("organization \(id): \(error.description)")
                    failed += 1
                } catch {
                    guard let message = Rollover.refusal(error) else { throw error }
                    print("organization \(id): \(message)")
                    failed += 1
                }
            }
            return failed
        }
        if failed > 0 { throw ExitCode(2) }
    }
}
