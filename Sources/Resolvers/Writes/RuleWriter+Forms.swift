import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// Statistical forms: an organization computes its form from the register (`eduql.compute_form`:
/// a snapshot of the cells and the failed control ratios) and submits it; the municipality
/// returns it with a comment or accepts it. Every step is a row of the report's history, and
/// the report's change is in the change feed.
extension RuleWriter {
    /// `computeStatisticalForm`: the edition in force for the year (the newest not after it),
    /// the organization of a kind the form is for, and the caller's rule for a new report.
    func computeStatisticalForm(_ arguments: [String: Map]) async throws -> Written {
        let organization = try arguments.requiredID("organizationId", at: "")
        guard let form = try arguments.text("form", at: "", lengths: 1...16) else { throw WriteRefusal.invalid("form is required") }
        let year = try arguments.integer("year", at: "", in: 2000...2100) ?? 0
        guard year >= 2000, String(year) <= String(Self.today.prefix(4)) else { throw WriteRefusal.invalid("year must be a year from 2000 to this one") }
        let statement = WriteStatement()
        let definition = try await self.connection.guardedQuery(statement.query("""
            SELECT d.edition, make_date(\(statement.bind(year, "int4")), (d.definition#>>'{reportingDate,month}')::int, \
            (d.definition#>>'{reportingDate,day}')::int)::text, o.kind = ANY(ARRAY(SELECT jsonb_array_elements_text(d.definition->'organizationKinds'))) \
            FROM eduql.form_definitions d LEFT JOIN eduql.organizations o ON o.id = \(statement.bind(organization, "int8")) \
            WHERE d.form = \(statement.bind(form, "text")) \
            ORDER BY (d.edition <= \(statement.bind(String(year), "text"))) DESC, CASE WHEN d.edition <= \(statement.bind(String(year), "text")) \
            THEN d.edition END DESC, d.edition LIMIT 1
            """), logger: self.logger).collect().first?.decode((String, String, Bool?).self)
        guard let (edition, reportingDate, kindFits) = definition else { throw WriteRefusal.invalid("form: no such form (OO-1, 85-K)") }
        // Before its reporting date a form is a preview on today's register; computed again after it, the form itself.
        // The caller's rule for a report of this organization, checked on the row it would be.
        let check = WriteStatement()
        let allowed = try await self.connection.guardedQuery(check.query("""
            SELECT coalesce(\(try self.rule(.formReports, .insert).sql(alias: "t")), false) FROM (SELECT o.id AS organization_id, o.municipality_id, \
            o.region_id FROM eduql.organizations o WHERE o.id = \(check.bind(organization, "int8")) AND \(self.policy.predicate(.organizations, alias: "o"))) t
            """), logger: self.logger).collect().first?.decode(Bool.self)
        guard allowed == true else { throw WriteRefusal.forbidden("organizationId: not yours to report for") }
        guard kindFits == true else { throw WriteRefusal.invalid("form: \(form) is not filed by an organization of this kind") }
        let state = WriteStatement()
        let status = try await self.connection.guardedQuery(state.query("""
            SELECT r.status FROM eduql.form_reports r WHERE r.organization_id = \(state.bind(organization, "int8")) \
            AND r.form = \(state.bind(form, "text")) AND r.reporting_date = \(state.bind(reportingDate, "date"))
            """), logger: self.logger).collect().first?.decode(String.self)
        if let status, status == "submitted" || status == "accepted" {
            throw WriteRefusal.invalid("the form was \(status); it is computed again only once the municipality returns it")
        }
        let compute = WriteStatement()
        let report = try await self.connection.guardedQuery(compute.query("""
            SELECT eduql.compute_form(\(compute.bind(form, "text")), \(compute.bind(edition, "text")), \(compute.bind(organization, "int8")), \
            \(compute.bind(reportingDate, "date")))
            """), logger: self.logger).collect().first?.decode(Int.self)
        guard let report else { throw WriteRefusal.forbidden("organizationId: not yours to report for") }
        return Written(type: "StatisticalReport", table: .formReports, ids: [report], many: false, learnerIDs: [], rows: 1)
    }

    /// `submitStatisticalForm`: a computed (or returned and computed again) form whose control ratios all hold.
    func submitStatisticalForm(_ arguments: [String: Map]) async throws -> Written {
        let report = try arguments.requiredID("reportId", at: "")
        let statement = WriteStatement()
        let problems = try await self.connection.guardedQuery(statement.query("""
            SELECT coalesce(string_agg(p->>'ratio', '; '), '') FROM eduql.form_reports r, jsonb_array_elements(r.problems) p \
            WHERE r.id = \(statement.bind(report, "int8")) AND \(self.policy.predicate(.formReports, alias: "r"))
            """), logger: self.logger).collect().first?.decode(String.self) ?? ""
        guard problems.isEmpty else { throw WriteRefusal.invalid("reportId: control ratios fail — correct the data and compute again: \(problems)") }
        return try await self.step(report, to: "submitted", from: ["computed"], comment: nil,
                                   refused: "not yours to submit — no computed form of your organization")
    }

    /// `returnStatisticalForm`: back to its organization, with what to correct.
    func returnStatisticalForm(_ arguments: [String: Map]) async throws -> Written {
        let report = try arguments.requiredID("reportId", at: "")
        let comment = try arguments.text("comment", at: "", lengths: 1...2000)
        return try await self.step(report, to: "returned", from: ["submitted"], comment: comment,
                                   refused: "not yours to return — no submitted form of your municipality")
    }

    /// `acceptStatisticalForm`: from now on it counts in the consolidated forms.
    func acceptStatisticalForm(_ arguments: [String: Map]) async throws -> Written {
        let report = try arguments.requiredID("reportId", at: "")
        return try await self.step(report, to: "accepted", from: ["submitted"], comment: nil,
                                   refused: "not yours to accept — no submitted form of your municipality")
    }

    /// Moves a report from one of `from` to `status` under the caller's rule, and records the step.
    func step(_ report: Int, to status: String, from: [String], comment: String?, refused: String) async throws -> Written {
        guard let rule = self.policy.writeRule(.formReports), let filter = rule.rows(.update), let check = rule.updateCheck else {
            throw WriteRefusal.forbidden("you may not change statistical forms")
        }
        let update = WriteStatement()
        let changes = "jsonb_build_object('status', \(update.bind(status, "text")), 'comment', \(update.bind(comment, "text")), 'status_changed_at', now())"
        let query = update.update(.formReports, where: "w_old.id = \(update.bind(report, "int8")) AND w_old.status = ANY(\(update.bind(from, "text[]")))",
                                  set: changes, columns: ["status", "comment", "status_changed_at"], rule: filter, check: check)
        try await self.run(query, "reportId", notFound: refused, refused: refused)
        let history = WriteStatement()
        let source = """
            SELECT r.id AS report_id, r.region_id, r.municipality_id, r.organization_id, r.status, \(history.bind(comment, "text")) AS comment, \
            \(Self.changedBy) FROM eduql.form_reports r WHERE r.id = \(history.bind(report, "int8"))
            """
        let record = history.insert(into: .formReportHistory, columns: ["report_id", "region_id", "municipality_id", "organization_id", "status",
                                                                        "comment", "changed_by", "changed_by_name"],
                                    from: source, rule: try self.rule(.formReportHistory, .insert))
        try await self.run(record, "reportId", notFound: refused, refused: refused)
        return Written(type: "StatisticalReport", table: .formReports, ids: [report], many: false, learnerIDs: [], rows: 2)
    }
}
