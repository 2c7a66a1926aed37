import EduQLAccessControl
import EduQLSchema
import Foundation
import GraphQL
import PostgresNIO

/// Distribution (комплектование): the run, the offers that lapse, the queue read and the protocol written.
extension RuleWriter {
    /// Days a family has to answer an offered place.
    static let acceptanceDays = 14

    /// `runDistribution`: one run per municipality at a time (an advisory lock held to the
    /// transaction's end), the same key answering the same run.
    func runDistribution(_ input: [String: Map]) async throws -> Written {
        let on = try input.date("on", at: "input.")
        let year = try input.requiredID("academicYearId", at: "input.")
        let key = try input.text("runKey", at: "input.", lengths: 1...100)!
        let runRule = try self.rule(.distributionRuns, .insert)
        let statement = WriteStatement()
        let municipality = try await self.connection.guardedQuery(statement.query("SELECT eduql.current_municipality_id()"),
                                                                  logger: self.logger).collect().first?.decode(Int?.self)
        guard let municipality else { throw WriteRefusal.forbidden("only a municipality distributes its queue") }
        let lock = WriteStatement()
        _ = try await self.connection.guardedQuery(lock.query("""
            SELECT 1 FROM (SELECT pg_advisory_xact_lock(\(Self.distributionLock), \(lock.bind(municipality, "int4")))) l
            """), logger: self.logger).collect()
        let earlier = WriteStatement()
        if let run = try await self.connection.guardedQuery(earlier.query("""
            SELECT id FROM eduql.distribution_runs WHERE municipality_id = \(earlier.bind(municipality, "int8")) AND run_key = \(earlier.bind(key, "text"))
            """), logger: self.logger).collect().first?.decode(Int.self) {
            return Written(type: "DistributionRun", table: .distributionRuns, ids: [run], many: false, learnerIDs: [], rows: 0)
        }
        try await self.expireOffers(municipality: municipality, on: on)
        let (applicants, free) = try await self.queue(municipality: municipality, year: year)
        let lines = QueueDistribution.lines(applicants, free: free, on: on)

        let insert = WriteStatement()
        let source = """
            SELECT m.region_id, m.id AS municipality_id, \(insert.bind(year, "int8")) AS academic_year_id, \(insert.bind(on, "date")) AS run_on, \
            now() AS started_at, clock_timestamp() AS finished_at, \(insert.bind(key, "text")) AS run_key, eduql.current_id('user_id') AS run_by \
            FROM eduql.municipalities m WHERE m.id = \(insert.bind(municipality, "int8"))
            """
        let run = try await self.run(insert.insert(into: .distributionRuns, columns: [
            "region_id", "municipality_id", "academic_year_id", "run_on", "started_at", "finished_at", "run_key", "run_by",
        ], from: source, rule: runRule), "input.academicYearId", notFound: "no such municipality", refused: "not an academic year of your region").ids[0]
        if !lines.isEmpty { try await self.recordProtocol(lines, run: run, on: on) }
        return Written(type: "DistributionRun", table: .distributionRuns, ids: [run], many: false, learnerIDs: [], rows: lines.count)
    }

    /// The advisory lock's first key: distribution, per municipality.
    static let distributionLock = 7_301

    /// Offers past their date return to the queue, with their original registration time.
    func expireOffers(municipality: Int, on: String) async throws {
        let statement = WriteStatement()
        let update = try self.rule(.queueApplications, .update)
        let allocations = try self.rule(.allocations, .update)
        _ = try await self.connection.guardedQuery(statement.query("""
            WITH expired AS (UPDATE eduql.queue_applications w_old SET status = 'queued', status_changed_at = now(), offer_expires_on = NULL \
            WHERE w_old.municipality_id = \(statement.bind(municipality, "int8")) AND w_old.status = 'allocated' \
            AND w_old.offer_expires_on < \(statement.bind(on, "date")) AND \(update.sql(alias: "w_old")) RETURNING w_old.id, w_old.region_id, w_old.municipality_id), \
            answered AS (UPDATE eduql.allocations w_offer SET response = 'expired', responded_at = now() FROM expired e \
            WHERE w_offer.application_id = e.id AND w_offer.outcome = 'allocated' AND w_offer.response IS NULL \
            AND \(allocations.sql(alias: "w_offer")) RETURNING w_offer.id) \
            INSERT INTO eduql.queue_status_history (region_id, municipality_id, application_id, from_status, to_status, changed_at, reason, \
            changed_by, changed_by_name) SELECT e.region_id, e.municipality_id, e.id, 'allocated', 'queued', now(), \
            'Срок ответа на предложенное место истёк', \(Self.changedBy) FROM expired e
            """), logger: self.logger).collect()
    }

    /// The municipality's queued applications and the free places of the year's groups: the
    /// capacity less the enrolled and the offers still open.
    func queue(municipality: Int, year: Int) async throws -> ([QueueDistribution.Applicant], [QueueDistribution.Group: Int]) {
        let statement = WriteStatement()
        let id = statement.bind(municipality, "int8")
        var applicants: [QueueDistribution.Applicant] = []
        let rows = try await self.connection.guardedQuery(statement.query("""
            SELECT q.id, q.priority_rank::int, (extract(epoch FROM q.registered_at) * 1000000)::int8, q.age_group::int, q.desired_start_on::text, \
            ARRAY(SELECT c.organization_id FROM eduql.queue_application_choices c WHERE c.application_id = q.id ORDER BY c.rank) \
            FROM eduql.queue_applications q WHERE q.municipality_id = \(id) AND q.status = 'queued'
            """), logger: self.logger).collect()
        for row in rows {
            let (id, rank, registered, age, start, choices) = try row.decode((Int, Int, Int64, Int, String, [Int]).self)
            applicants.append(.init(id: id, priorityRank: rank, registeredAt: registered, ageGroup: age, desiredStartOn: start, choices: choices))
        }
        let places = WriteStatement()
        var free: [QueueDistribution.Group: Int] = [:]
        for row in try await self.connection.guardedQuery(places.query("""
            SELECT kc.organization_id, kc.age_group::int, (kc.capacity - kc.occupied - (SELECT count(*) FROM eduql.allocations l \
            JOIN eduql.queue_applications q ON q.id = l.application_id JOIN eduql.distribution_runs r ON r.id = l.run_id \
            WHERE l.organization_id = kc.organization_id AND l.age_group = kc.age_group AND r.academic_year_id = kc.academic_year_id \
            AND l.outcome = 'allocated' AND l.response IS NULL AND q.status = 'allocated'))::int \
            FROM eduql.kindergarten_capacities kc WHERE kc.municipality_id = \(places.bind(municipality, "int8")) \
            AND kc.academic_year_id = \(places.bind(year, "int8"))
            """), logger: self.logger).collect() {
            let (organization, age, places) = try row.decode((Int, Int, Int).self)
            free[.init(organization: organization, ageGroup: age)] = max(places, 0)
        }
        return (applicants, free)
    }

    /// Writes a run's protocol: its lines, the offers, and each offer's status change.
    func recordProtocol(_ lines: [QueueDistribution.Line], run: Int, on: String) async throws {
        let rows: [[String: Any]] = lines.enumerated().map { index, line in
            var row: [String: Any] = ["n": index + 1, "application_id": line.applicant.id, "age_group": line.applicant.ageGroup]
            switch line.outcome {
            case .allocated(let organization, let rank):
                row["outcome"] = "allocated"
                row["organization_id"] = organization
                row["choice_rank"] = rank
            case .noFreePlace: row["outcome"] = "no_free_place"
            case .startDateNotReached: row["outcome"] = "start_date_not_reached"
            }
            return row
        }
        let statement = WriteStatement()
        let input = statement.bind(String(decoding: try JSONSerialization.data(withJSONObject: rows), as: UTF8.self), "jsonb")
        let source = """
            SELECT i.n, r.region_id, r.municipality_id, r.id AS run_id, i.application_id, i.outcome, i.organization_id, i.choice_rank, i.age_group, \
            CASE WHEN i.outcome = 'allocated' THEN format('П-%s-%s-%s', r.municipality_id, r.id, i.n) END AS voucher_number \
            FROM jsonb_to_recordset(\(input)) AS i(n int, application_id bigint, outcome text, organization_id bigint, choice_rank smallint, age_group smallint) \
            CROSS JOIN eduql.distribution_runs r WHERE r.id = \(statement.bind(run, "int8"))
            """
        try await self.run(statement.insert(into: .allocations, columns: [
            "region_id", "municipality_id", "run_id", "application_id", "outcome", "organization_id", "choice_rank", "age_group", "voucher_number",
        ], from: source, rule: try self.rule(.allocations, .insert), orderBy: "n"), "input", notFound: "no such run", refused: "not yours to allocate")
        let offered = lines.filter { if case .allocated = $0.outcome { true } else { false } }.map(\.applicant.id)
        guard !offered.isEmpty else { return }
        let update = try self.rule(.queueApplications, .update)
        let offers = WriteStatement()
        let ids = offers.bind(offered, "int8[]")
        let changed = try await self.connection.guardedQuery(offers.query("""
            WITH offered AS (UPDATE eduql.queue_applications w_old SET status = 'allocated', status_changed_at = now(), \
            offer_expires_on = \(offers.bind(on, "date")) + \(Self.acceptanceDays) WHERE w_old.id = ANY(\(ids)) AND w_old.status = 'queued' \
            AND \(update.sql(alias: "w_old")) RETURNING w_old.id, w_old.region_id, w_old.municipality_id), \
            h AS (INSERT INTO eduql.queue_status_history (region_id, municipality_id, application_id, from_status, to_status, changed_at, reason, \
            changed_by, changed_by_name) SELECT f.region_id, f.municipality_id, f.id, 'queued', 'allocated', now(), 'Комплектование', \
            \(Self.changedBy) FROM offered f RETURNING 1) \
            SELECT count(*)::int FROM offered
            """), logger: self.logger).collect().first?.decode(Int.self)
        guard changed == offered.count else { throw WriteRefusal.forbidden("input: an offered application is not yours to change") }
    }
}
