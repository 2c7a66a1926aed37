import Foundation
import Logging
import PostgresNIO

/// Generates a deterministic, realistic data set inside PostgreSQL, set-based.
///
/// Everything random is drawn from `hashint8extended(key, seed)`, never from `random()`, so the
/// same seed gives the same rows whatever the plan or order of execution. Identifiers are
/// computed from their parents' (a learner is `class * 32 + seat`, a lesson
/// `class * 4096 + day * 8 + period`), so no step needs a sort to number its rows.
/// Runs as the schema owner, in one transaction: a failed seed leaves nothing behind.
public struct Seeder: Sendable {
    public var scale: SeedScale
    public var seed: Int

    public init(scale: SeedScale, seed: Int = 1) {
        self.scale = scale
        self.seed = seed
    }

    /// A database that already has regions is not seeded again.
    public struct AlreadySeeded: Error, CustomStringConvertible {
        public var description: String { "the database already has data; seed a fresh database" }
    }

    /// Runs every step, reporting each with its duration, folds the pending rollup rows, then
    /// analyzes the tables.
    public func run(on connection: PostgresConnection, logger: Logger, progress: @Sendable (String) -> Void = { _ in }) async throws {
        let existing = try await connection.query("SELECT count(*) FROM eduql.regions", logger: logger).collect()
        guard try existing.first?.decode(Int.self) == 0 else { throw AlreadySeeded() }
        let steps = self.steps
        let started = ContinuousClock.now
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.execute("SET LOCAL synchronous_commit = off", logger: logger)
            try await connection.execute("SET LOCAL maintenance_work_mem = '512MB'", logger: logger)
            try await connection.execute("SET LOCAL work_mem = '256MB'", logger: logger)
            for (index, step) in steps.enumerated() {
                let stepStarted = ContinuousClock.now
                for statement in step.statements {
                    try await connection.execute(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                progress("[\(index + 1)/\(steps.count)] \(step.label) — \(Self.format(ContinuousClock.now - stepStarted))")
            }
        }
        // The rows the journal's triggers left pending, folded into the stored rollups, which the
        // organization rollups then sum: a seeded database starts compact.
        try await connection.execute("SELECT eduql.fold_pending_rollups(true), eduql.refresh_coarse_rollups()", logger: logger)
        try await connection.execute("ANALYZE", logger: logger)
        progress("seeded '\(self.scale.name)' with seed \(self.seed) in \(Self.format(ContinuousClock.now - started))")
    }

    struct Step {
        var label: String
        var statements: [String]
    }

    /// All steps in order. SQL is assembled from integers and fixed vocabulary only.
    var steps: [Step] {
        [self.pauseCapture, self.functions, self.regions, self.calendar, self.organizations, self.staffAndClasses, self.learners,
         self.relaxJournalTables, self.lessons, self.marksAndAttendance, self.transfers, self.finalMarks, self.restoreJournalTables,
         self.benefitCategories, self.queue, self.distribution, self.identities, self.resumeCapture]
    }

    /// The seed is the data's first state, not a change of it: the change feed's capture
    /// (migration 0022) is off while it is written, inside the seed's transaction, and an
    /// integration starts from a full export. Tens of millions of marks are not logged twice.
    var pauseCapture: Step { Self.capture("DISABLE") }
    var resumeCapture: Step { Self.capture("ENABLE") }

    static func capture(_ toggle: String) -> Step {
        Step(label: "change capture: \(toggle.lowercased())d", statements: ["""
            DO $$ DECLARE t record; BEGIN
                FOR t IN SELECT tgrelid::regclass AS rel, tgname FROM pg_trigger WHERE tgname LIKE '%\\_capture\\_%' AND NOT tgisinternal LOOP
                    EXECUTE format('ALTER TABLE %s \(toggle) TRIGGER %I', t.rel, t.tgname);
                END LOOP;
            END $$
            """])
    }

    static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.1f s", seconds)
    }
}
