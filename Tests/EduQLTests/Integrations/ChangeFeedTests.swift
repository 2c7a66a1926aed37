import EduQLSchema
import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// The change feed: every insert, update and deletion of the captured tables, in transaction
/// order, within the caller's policy; never a change skipped when transactions commit out of
/// order, never one twice; pruned changes answer CURSOR_EXPIRED.
@Suite("Change feed", .timeLimit(.minutes(5)))
struct ChangeFeedTests {
    let logger = Logger(label: "eduql-tests")

    static let feed = """
        query Feed($after: Cursor, $first: Int, $types: [ChangeType!]) {
          changes(after: $after, first: $first, types: $types) {
            endCursor hasMore horizon
            changes { cursor type operation id learnerId changedAt mark { id value } learner { id } }
          }
        }
        """

    /// One page of the feed.
    func page(_ api: TestAPI, _ token: String, after: String?, first: Int = 50, types: [String]? = nil,
              sourceLocation: SourceLocation = #_sourceLocation) async throws -> (changes: [[String: Any]], end: String, more: Bool, horizon: String) {
        var variables: [String: Any] = ["first": first, "after": after ?? NSNull()]
        if let types { variables["types"] = types }
        let reply = try await api.graphql(Self.feed, variables: variables, token: token)
        let page = try #require(reply.data?["changes"] as? [String: Any], "\(reply.text)", sourceLocation: sourceLocation)
        return (page["changes"] as? [[String: Any]] ?? [], page["endCursor"] as? String ?? "", page["hasMore"] as? Bool ?? false,
                page["horizon"] as? String ?? "")
    }

    /// Every change after `after` readable now, page by page; and the cursor to continue from.
    func drain(_ api: TestAPI, _ token: String, after: String?, first: Int = 50, types: [String]? = nil) async throws -> ([[String: Any]], String) {
        var all: [[String: Any]] = []
        var cursor = after
        for _ in 0..<10_000 {
            let page = try await self.page(api, token, after: cursor, first: first, types: types)
            all += page.changes
            cursor = page.end
            if !page.more { break }
        }
        return (all, cursor ?? "")
    }

    /// The school of the demo school admin, and a mark of it to copy.
    func school(_ database: ClusterConnections) async throws -> (organization: Int, otherOrganization: Int) {
        try await database.owner.withConnection(logger: self.logger) { connection in
            let own = try await connection.scalar("""
                SELECT ra.organization_id::int FROM eduql.role_assignments ra JOIN eduql.users u ON u.id = ra.user_id
                WHERE u.login = 'school.admin' AND ra.role = 'school_admin'
                """, as: Int.self)
            let other = try await connection.scalar("""
                SELECT min(organization_id)::int FROM eduql.marks WHERE organization_id <> \(own) AND region_id = 1
                """, as: Int.self)
            return (own, other)
        }
    }

    /// Inserts a current mark in the `classIndex`-th class of `organization` (a copy of one of
    /// its marks), returning its id. Writers in different classes do not wait for each other
    /// on the dashboards' rollup rows.
    static func insertMark(_ organization: Int, value: Int = 4, classIndex: Int = 0, on connection: PostgresConnection) async throws -> Int {
        try await connection.scalar(PostgresQuery(unsafeSQL: """
            INSERT INTO eduql.marks (region_id, municipality_id, organization_id, learner_id, class_id, subject_id, term_id, lesson_id, value, kind, weight, given_on)
            SELECT region_id, municipality_id, organization_id, learner_id, class_id, subject_id, term_id, lesson_id, \(value), kind, weight, given_on
            FROM eduql.marks WHERE organization_id = \(organization) AND kind = 'current'
              AND class_id = (SELECT DISTINCT class_id FROM eduql.marks WHERE organization_id = \(organization) AND kind = 'current'
                              ORDER BY class_id OFFSET \(classIndex) LIMIT 1)
            ORDER BY id LIMIT 1 RETURNING id
            """), as: Int.self)
    }

    @Test("inserts, updates and deletions come in order, with the row as it is now and tombstones for deletions")
    func order() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (school, _) = try await self.school(database)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("school.admin")
            let start = try await self.page(api, token, after: nil, first: 0).horizon
            #expect(!start.isEmpty)
            let (kept, removed, learner) = try await database.owner.withConnection(logger: self.logger) { connection in
                let kept = try await Self.insertMark(school, value: 2, on: connection)
                let removed = try await Self.insertMark(school, value: 3, on: connection)
                try await connection.query("UPDATE eduql.marks SET value = 5 WHERE id = \(kept)", logger: self.logger)
                try await connection.query("DELETE FROM eduql.marks WHERE id = \(removed)", logger: self.logger)
                let learner = try await connection.scalar("""
                    UPDATE eduql.learners SET middle_name = coalesce(middle_name, '') || 'а'
                    WHERE id = (SELECT min(id) FROM eduql.learners WHERE organization_id = \(school)) RETURNING id::int
                    """, as: Int.self)
                return (kept, removed, learner)
            }
            let (changes, end) = try await self.drain(api, token, after: start, first: 2)
            let seen = changes.map { "\($0["type"] as? String ?? "") \($0["operation"] as? String ?? "") \($0["id"] as? String ?? "")" }
            // The insert of a row deleted since is not listed (the row is gone, the caller cannot be
            // shown it was ever its to see); its deletion is.
            #expect(seen == ["MARK INSERT \(kept)", "MARK UPDATE \(kept)", "MARK DELETE \(removed)", "LEARNER UPDATE \(learner)"])
            try #require(changes.count == 4)
            // The row as it is now; none for a deleted one.
            #expect(changes[0].at("mark.value") as? Int == 5)
            #expect(changes[2]["mark"] is NSNull)
            #expect(changes[3].at("learner.id") as? String == String(learner))
            // Cursors only grow, and the end continues with nothing more.
            #expect(Set(changes.compactMap { $0["cursor"] as? String }).count == changes.count)
            #expect(try await self.page(api, token, after: end).changes.isEmpty)
            // A type filter.
            let marksOnly = try await self.drain(api, token, after: start, types: ["LEARNER"]).0
            #expect(marksOnly.map { $0["id"] as? String } == [String(learner)])
            // first: 0 moves nothing.
            let standing = try await self.page(api, token, after: start, first: 0)
            #expect(standing.changes.isEmpty && standing.more && standing.end == start)
            // From the start, the demo data's own inserts come first: the seed went through the capture too.
            let oldest = try await self.page(api, token, after: nil, first: 5)
            #expect(oldest.changes.count == 5 && oldest.more)
            #expect(oldest.changes.allSatisfy { $0["operation"] as? String == "INSERT" })
        }
    }

    @Test("a transaction that commits after a later one still appears: nothing is skipped, nothing repeated")
    func outOfOrderCommits() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (school, _) = try await self.school(database)
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("school.admin")
            var cursor = try await self.page(api, token, after: nil, first: 0).horizon
            var seen: [Int] = []
            try await database.owner.withConnection(logger: self.logger) { early in
                try await database.owner.withConnection(logger: self.logger) { late in
                    // The early transaction takes its id first but writes last; the late one writes first and commits first.
                    try await early.query("BEGIN", logger: self.logger)
                    _ = try await early.query("SELECT pg_current_xact_id()", logger: self.logger).collect()
                    try await late.query("BEGIN", logger: self.logger)
                    let first = try await Self.insertMark(school, classIndex: 1, on: late)
                    let second = try await Self.insertMark(school, classIndex: 2, on: early)
                    try await early.query("COMMIT", logger: self.logger)
                    // The late transaction is still open: its change, numbered before, is not shown yet; the early one's is.
                    let (now, next) = try await self.drain(api, token, after: cursor)
                    seen += now.compactMap { ($0["id"] as? String).flatMap(Int.init) }
                    #expect(seen == [second])
                    cursor = next
                    try await late.query("COMMIT", logger: self.logger)
                    let (then, after) = try await self.drain(api, token, after: cursor)
                    seen += then.compactMap { ($0["id"] as? String).flatMap(Int.init) }
                    #expect(seen == [second, first])
                    cursor = after
                }
            }
        }
    }

    @Test("under concurrent writers committing out of order, a reader polling all along sees every change exactly once")
    func concurrentWriters() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (school, _) = try await self.school(database)
        let writers = 6, marksEach = 8
        let done = Done()
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("school.admin")
            let start = try await self.page(api, token, after: nil, first: 0).horizon
            // The reader polls with small pages while the writers run, and once more when they are done.
            let reader = Task { () -> (cursors: [String], ids: [Int], polls: Int) in
                var cursor = start
                var cursors: [String] = []
                var ids: [Int] = []
                var polls = 0
                while true {
                    let finished = await done.value
                    let page = try await self.page(api, token, after: cursor, first: 3, types: ["MARK"])
                    polls += 1
                    cursors += page.changes.compactMap { $0["cursor"] as? String }
                    ids += page.changes.compactMap { ($0["id"] as? String).flatMap(Int.init) }
                    cursor = page.end
                    if finished && !page.more { return (cursors, ids, polls) }
                }
            }
            let written = try await withThrowingTaskGroup(of: [Int].self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        try await database.owner.withConnection(logger: self.logger) { connection in
                            var ids: [Int] = []
                            for round in 0..<marksEach {
                                // Each transaction takes its id, waits, writes, waits again: they interleave and commit out of order.
                                try await connection.query("BEGIN", logger: self.logger)
                                _ = try await connection.query("SELECT pg_current_xact_id()", logger: self.logger).collect()
                                try await Task.sleep(for: .milliseconds((writer * 7 + round * 13) % 40))
                                ids.append(try await Self.insertMark(school, classIndex: writer, on: connection))
                                try await Task.sleep(for: .milliseconds((writer * 11 + round * 5) % 30))
                                try await connection.query("COMMIT", logger: self.logger)
                            }
                            return ids
                        }
                    }
                }
                var all: [Int] = []
                for try await ids in group { all += ids }
                return all
            }
            await done.set()
            let (cursors, ids, polls) = try await reader.value
            #expect(polls > 3)
            #expect(written.count == writers * marksEach)
            #expect(Set(cursors).count == cursors.count, "a change was read twice")
            #expect(ids.sorted() == written.sorted(), "changes were skipped or repeated")
        }
    }

    /// Whether the writers are done.
    actor Done {
        var value = false
        func set() { self.value = true }
    }
}
