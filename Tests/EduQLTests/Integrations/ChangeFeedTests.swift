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
            // From the start: the seed is not captured (it is the data's first state), so the oldest
            // change is this test's first.
            let oldest = try await self.page(api, token, after: nil, first: 1)
            #expect(oldest.changes.first?["id"] as? String == String(kept) && oldest.more)
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

    @Test("a client sees the changes of its grant's organizations and of the types its fields name, nothing else")
    func clientScope() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (school, other) = try await self.school(database)
        @Sendable func grant(_ fields: [String]) async throws {
            try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.query("""
                    UPDATE eduql.integration_grants SET documents = '{}', fields = \(fields), organization_ids = ARRAY[\(school)]::bigint[]
                    """, logger: self.logger)
            }
        }
        try await TestAPI.run(database) { api in
            try await grant(["Learner.id", "Mark.id", "Mark.value"])
            let marksAndLearners = try await api.clientToken()
            let start = try await self.page(api, marksAndLearners, after: nil, first: 0).horizon
            let (own, _, ownLearner, _) = try await database.owner.withConnection(logger: self.logger) { connection in
                let own = try await Self.insertMark(school, on: connection)
                let foreign = try await Self.insertMark(other, on: connection)
                var learners: [Int] = []
                for organization in [school, other] {
                    learners.append(try await connection.scalar("""
                        UPDATE eduql.learners SET middle_name = coalesce(middle_name, '') || 'а'
                        WHERE id = (SELECT min(id) FROM eduql.learners WHERE organization_id = \(organization)) RETURNING id::int
                        """, as: Int.self))
                }
                return (own, foreign, learners[0], learners[1])
            }
            let seen = try await self.drain(api, marksAndLearners, after: start).0.map { "\($0["type"] as? String ?? "") \($0["id"] as? String ?? "")" }
            #expect(seen == ["MARK \(own)", "LEARNER \(ownLearner)"])
            // A grant is read live: narrowed to learners, the same feed lists only the learner.
            try await grant(["Learner.id"])
            let learnersOnly = try await api.clientToken()
            let narrower = try await api.graphql("query($after: Cursor) { changes(after: $after) { changes { type id learner { id } } } }",
                                                 variables: ["after": start], token: learnersOnly)
            let listed = (narrower.data?.at("changes.changes") as? [[String: Any]] ?? []).map { "\($0["type"] as? String ?? "") \($0["id"] as? String ?? "")" }
            #expect(listed == ["LEARNER \(ownLearner)"], "\(narrower.text)")
            // Its schema has no marks to show: asking for them is refused, not answered empty.
            let refused = try await api.graphql("{ changes { changes { mark { value } } } }", token: learnersOnly)
            #expect(refused.errorCodes == ["GRAPHQL_VALIDATION_FAILED"])
        }
    }

    @Test("a change is listed only where the policy reads its row: the region reads no current marks; teachers, parents and students have no feed")
    func policyDecides() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (school, _) = try await self.school(database)
        try await TestAPI.run(database) { api in
            let region = try await api.demoToken("region.admin")
            let start = try await self.page(api, region, after: nil, first: 0).horizon
            let learner = try await database.owner.withConnection(logger: self.logger) { connection in
                _ = try await Self.insertMark(school, on: connection)
                return try await connection.scalar("""
                    UPDATE eduql.learners SET middle_name = coalesce(middle_name, '') || 'а'
                    WHERE id = (SELECT min(id) FROM eduql.learners WHERE organization_id = \(school)) RETURNING id::int
                    """, as: Int.self)
            }
            let seen = try await self.drain(api, region, after: start).0.map { "\($0["type"] as? String ?? "") \($0["id"] as? String ?? "")" }
            #expect(seen == ["LEARNER \(learner)"])
            for login in ["teacher", "homeroom", "parent", "student"] {
                let reply = try await api.graphql("{ changes { horizon } }", token: try await api.demoToken(login))
                #expect(reply.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(login): \(reply.text)")
            }
            for bad in ["", "abc", Data("change:1:x".utf8).base64EncodedString(), Data("change:-1:0".utf8).base64EncodedString(),
                        Data("cursor:5".utf8).base64EncodedString()] {
                let reply = try await api.graphql(Self.feed, variables: ["after": bad], token: region)
                #expect(reply.errorCodes == ["BAD_USER_INPUT"], "\(bad): \(reply.text)")
            }
        }
    }

    @Test("a cursor behind the pruned position is CURSOR_EXPIRED; pruning drops whole months past the retention and never less than 3")
    func expiry() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let (school, _) = try await self.school(database)
        try await database.owner.withConnection(logger: self.logger) { _ = try await Self.insertMark(school, on: $0) }
        try await TestAPI.run(database) { api in
            let token = try await api.demoToken("school.admin")
            let oldest = try await self.page(api, token, after: nil, first: 1)
            let old = try #require(oldest.changes.first?["cursor"] as? String)
            let horizon = oldest.horizon
            let plain = String(decoding: try #require(Data(base64Encoded: horizon)), as: UTF8.self)
            let xid = try #require(plain.split(separator: ":").dropFirst().first)
            try await database.owner.withConnection(logger: self.logger) { connection in
                try await connection.query("SELECT eduql.note_change_prune(\(String(xid))::xid8, 0)", logger: self.logger)
            }
            let expired = try await api.graphql(Self.feed, variables: ["after": old], token: token)
            #expect(expired.errorCodes == ["CURSOR_EXPIRED"], "\(expired.text)")
            #expect(expired.data == nil || expired.json["data"] is NSNull)
            // From the horizon, or from the oldest kept, the feed still answers.
            #expect(try await self.page(api, token, after: horizon).changes.isEmpty)
            #expect(try await self.page(api, token, after: nil, first: 1).changes.count == 1)
        }
        let (pruned, kept, moved) = try await database.owner.withConnection(logger: self.logger) { connection in
            // An old month with a change in it, and a change the default partition caught for a month not made yet.
            try await connection.query("SELECT eduql.ensure_change_partition('2025-01-15')", logger: self.logger)
            try await connection.query("""
                INSERT INTO eduql.changes (changed_at, region_id, entity, operation, row_id)
                VALUES ('2025-01-20', 1, 'mark', 'insert', 1), ('2031-06-02', 1, 'mark', 'insert', 2)
                """, logger: self.logger)
            let pruned = try await connection.query("SELECT partition, removed::int FROM eduql.prune_changes(3)", logger: self.logger)
                .collect().map { try $0.decode((String, Int).self) }
            let kept = try await connection.scalar("SELECT count(*)::int FROM eduql.changes WHERE changed_at >= date_trunc('month', now())", as: Int.self)
            try await connection.query("SELECT eduql.ensure_change_partition('2031-06-01')", logger: self.logger)
            let moved = try await connection.scalar("SELECT count(*)::int FROM eduql.changes_2031_06", as: Int.self)
            return (pruned, kept, moved)
        }
        #expect(pruned.map(\.0) == ["changes_2025_01"] && pruned.map(\.1) == [1])
        #expect(kept > 0)
        #expect(moved == 1)
        await #expect(throws: (any Error).self) {
            try await database.owner.withConnection(logger: self.logger) { _ = try await $0.query("SELECT * FROM eduql.prune_changes(2)", logger: self.logger).collect() }
        }
    }

    /// Whether the writers are done.
    actor Done {
        var value = false
        func set() { self.value = true }
    }
}
