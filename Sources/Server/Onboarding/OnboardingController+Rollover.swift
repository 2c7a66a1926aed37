import EduQLAccessControl
import EduQLAudit
import EduQLOnboarding
import EduQLSchema
import Foundation
import Hummingbird
import Logging
import NIOFoundationCompat
import PostgresNIO

extension OnboardingController {
    /// `POST /onboarding/rollover`: the options, optionally narrowed to a municipality or an
    /// organization of the caller's scope, and `preview`.
    struct RolloverRequest: Decodable {
        var fromYear: String
        var toYear: String
        var orderNumber: String
        var copyAssignments: Bool?
        var copyTimetable: Bool?
        var override: String?
        var municipalityId: Int?
        var organizationId: Int?
        var preview: Bool?
    }

    struct RolloverAnswer: Encodable {
        var preview: [Rollover.Placement]?
        var organizations: [Rollover.Outcome]?
    }

    func rollover(_ request: Request, context: EduQLRequestContext) async throws -> Response {
        let (_, caller) = try self.caller(context) { $0.rollover }
        let body = try await request.body.collect(upTo: 64 * 1024)
        let input: RolloverRequest
        do {
            input = try JSONDecoder().decode(RolloverRequest.self, from: Data(buffer: body))
        } catch {
            throw APIError.badRequest("the body must be JSON with fromYear, toYear and orderNumber", code: "BAD_USER_INPUT")
        }
        guard !input.orderNumber.trimmingCharacters(in: .whitespaces).isEmpty, input.orderNumber.count <= 100,
              (input.override ?? "x").trimmingCharacters(in: .whitespaces).count >= 1, (input.override?.count ?? 0) <= 500 else {
            throw APIError.badRequest("orderNumber (and override, when given) must be non-empty text", code: "BAD_USER_INPUT")
        }
        let rollover = Rollover(.init(fromYear: input.fromYear, toYear: input.toYear, orderNumber: input.orderNumber,
                                      copyAssignments: input.copyAssignments ?? false, copyTimetable: input.copyTimetable ?? false,
                                      override: input.override))
        let limit = self.jobs.configuration.transactionLimit
        do {
            let organizations = try await self.acting(caller.actingAs, within: limit) { connection in
                try await self.requireInScope(municipality: input.municipalityId, organization: input.organizationId, on: connection)
                return try await rollover.organizations(municipalityID: input.municipalityId, organizationID: input.organizationId, on: connection,
                                                 logger: self.logger)
            }
            if input.preview == true {
                var placements: [Rollover.Placement] = []
                for id in organizations {
                    placements += try await self.acting(caller.actingAs, within: limit) { connection in
                        try await rollover.preview(organizationID: id, on: connection, logger: self.logger)
                    }
                }
                return try Self.json(RolloverAnswer(preview: placements))
            }
            var outcomes: [Rollover.Outcome] = []
            for id in organizations {
                var base = AuditEvent(kind: .admin, action: "rollover", outcome: .ok, requestID: context.id + "-\(id)")
                caller.principal.describe(into: &base)
                base.organizationID = id
                let event = base
                do {
                    let outcome = try await self.acting(caller.actingAs, within: limit) { connection in
                        let outcome = try await rollover.run(organizationID: id, on: connection, logger: self.logger)
                        var event = event
                        event.detail = rollover.auditDetail(outcome)
                        try await event.append(on: connection, logger: self.logger)
                        return outcome
                    }
                    outcomes.append(outcome)
                } catch {
                    guard let message = Rollover.refusal(error) else { throw error }
                    outcomes.append(Rollover.Outcome(organizationID: id, problem: message))
                }
            }
            AuditRecord.current?.update { event in
                event.detail["organizations"] = String(outcomes.count)
                event.detail["refused"] = String(outcomes.filter { $0.problem != nil }.count)
            }
            return try Self.json(RolloverAnswer(organizations: outcomes))
        } catch let refusal as Rollover.Refusal {
            throw APIError.badRequest(refusal.description, code: "BAD_USER_INPUT")
        }
    }
}
