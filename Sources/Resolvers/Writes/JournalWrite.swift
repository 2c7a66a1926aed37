import EduQLAccessControl
import Foundation
import GraphQL
import PostgresNIO

/// One journal mutation (`recordMarks`, `recordAttendance`, `setLessonTopic`, `setHomework`)
/// compiled: a single statement that writes every input row under the caller's ``WriteRule``
/// or none of them, and reports the first input row the rule refused. Its text is the same for
/// every request under one policy (the rows come as one JSON parameter), so marks and
/// attendance are prepared once per connection and only bound after that. It runs inside the operation's transaction, after
/// `act_as` has set the tenancy, so row-level security checks the same rows underneath.
public struct JournalWrite: Sendable {
    public typealias Refusal = WriteRefusal

    /// What the statement wrote.
    public struct Outcome: Sendable {
        /// Ids of the rows written (marks), or nothing for a table keyed otherwise.
        public var ids: [Int]
        /// The learners whose rows were written or removed.
        public var learnerIDs: [Int]
        public var rows: Int
    }

    public let table: Table
    public let lessonID: Int
    public let statement: Statement
    /// The input's name, for messages (`marks`, `records`).
    let inputName: String

    /// The outcome of the statement's one row (the first row refused, the ids written, the
    /// learners written, each as text: read alike whether the statement was prepared or not),
    /// or the refusal of the first row the rule refused.
    public func outcome(of row: PostgresRow) throws -> Outcome {
        let (first, written, writtenLearners) = try row.decode((String?, String, String).self)
        let refused = first.flatMap { Int($0) }
        let (ids, learners) = (Self.ids(written), Self.ids(writtenLearners))
        if refused != nil, self.table == .lessons || self.table == .homework {
            throw Refusal(code: "FORBIDDEN", message: "lessonId: not yours to write — not one of your own lessons within its edit window")
        }
        if let refused {
            throw Refusal(code: "FORBIDDEN", message: "\(self.inputName)[\(refused)]: not yours to write — the lesson is not one of your "
                + "own within its edit window, or the learner was not enrolled in its class on its date")
        }
        return Outcome(ids: ids, learnerIDs: Array(Set(learners)).sorted(), rows: max(ids.count, learners.count))
    }

    /// The ids of a `bigint[]` printed as text (`{3,5,8}`).
    static func ids(_ array: String) -> [Int] {
        array.dropFirst().dropLast().split(separator: ",").compactMap { Int($0) }
    }
}

extension GraphQLEngine {
    /// The writing statement of a journal mutation under `policy`'s write rules.
    public func journalWrite(_ mutation: MutationField, policy: Policy) throws -> JournalWrite {
        let table: Table = switch mutation.name {
        case "recordMarks": .marks
        case "recordAttendance": .attendance
        case "setLessonTopic": .lessons
        default: .homework
        }
        guard let rule = policy.writable(table, table == .lessons ? .update : .insert) else {
            throw JournalWrite.Refusal(code: "FORBIDDEN", message: "\(mutation.name) is not among your permissions")
        }
        guard let lesson = try mutation.arguments.id("lessonId") else {
            throw JournalWrite.Refusal(code: "BAD_USER_INPUT", message: "lessonId is required")
        }
        if table == .lessons || table == .homework {
            return try Self.lessonWrite(mutation, table: table, lesson: lesson, rule: rule)
        }
        let name = table == .marks ? "marks" : "records"
        let rows = try JournalInput.rows(mutation.arguments[name], name: name, table: table, columns: policy.writeRule(table)?.columns ?? [])
        // Typed as the text casts them ($1::text, $2::int8), so the prepared statement reads them alike.
        let parameters = [SQLBuilder.data(JournalInput.json(rows)), SQLBuilder.data(lesson)]
        var bindings = PostgresBindings(capacity: parameters.count)
        for parameter in parameters { bindings.append(parameter) }
        let allowed = rule.sql(alias: "t")
        let sql = table == .marks ? Self.marksSQL(allowed) : Self.attendanceSQL(allowed)
        return JournalWrite(table: table, lessonID: lesson,
                            statement: Statement(key: mutation.key, sql: sql, bindings: bindings, parameters: parameters, preparable: true),
                            inputName: name)
    }

    /// A lesson's topic, or its homework: one row, written if the rule lets it.
    static func lessonWrite(_ mutation: MutationField, table: Table, lesson: Int, rule: RowPredicate) throws -> JournalWrite {
        var bindings = PostgresBindings()
        bindings.append(lesson)
        let allowed = rule.sql(alias: "t")
        let sql: String
        if table == .lessons {
            guard let topic = mutation.arguments["topic"]?.text, (1...500).contains(topic.count) else {
                throw JournalWrite.Refusal(code: "BAD_USER_INPUT", message: "topic must have 1 to 500 characters")
            }
            bindings.append(topic)
            sql = """
                WITH t AS (SELECT l.* FROM eduql.lessons l WHERE l.id = $1::bigint), \
                checked AS (SELECT t.id, coalesce(\(allowed), false) AS allowed FROM t), \
                written AS (UPDATE eduql.lessons l SET topic = $2::text FROM checked c WHERE l.id = c.id AND c.allowed RETURNING l.id) \
                SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM written) THEN 0 END::text, ARRAY(SELECT id FROM written)::text, '{}'
                """
        } else {
            guard let assignment = mutation.arguments["assignment"]?.text, (1...4000).contains(assignment.count) else {
                throw JournalWrite.Refusal(code: "BAD_USER_INPUT", message: "assignment must have 1 to 4000 characters")
            }
            let due = try mutation.arguments["dueOn"].flatMap { value -> String? in
                guard value != .null else { return nil }
                guard let text = try ArgumentConversion.date(value, "dueOn") else { return nil }
                return text
            }
            bindings.append(assignment)
            bindings.append(due)
            sql = """
                WITH t AS (SELECT l.id AS lesson_id, l.region_id, l.municipality_id, l.organization_id FROM eduql.lessons l WHERE l.id = $1::bigint), \
                checked AS (SELECT t.*, coalesce(\(allowed), false) AS allowed FROM t), \
                written AS (INSERT INTO eduql.homework (lesson_id, region_id, municipality_id, organization_id, assignment, due_on) \
                SELECT lesson_id, region_id, municipality_id, organization_id, $2::text, $3::date FROM checked WHERE allowed \
                ON CONFLICT (lesson_id, region_id) DO UPDATE SET assignment = excluded.assignment, due_on = excluded.due_on RETURNING lesson_id) \
                SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM written) THEN 0 END::text, ARRAY(SELECT lesson_id FROM written)::text, '{}'
                """
        }
        // Not prepared: a topic or homework is written far less often than marks.
        return JournalWrite(table: table, lessonID: lesson,
                            statement: Statement(key: mutation.key, sql: sql, bindings: bindings, parameters: [], preparable: false),
                            inputName: "lessonId")
    }

    /// Marks of one lesson: each input row joined with the lesson (its class, subject, term,
    /// date and place), checked by the rule, inserted only if every row passes.
    static func marksSQL(_ allowed: String) -> String {
        """
        WITH input AS (SELECT i.* FROM eduql.input_rows($1::text::jsonb) r, jsonb_to_record(r) AS i(n int, learner_id bigint, value smallint, kind text, weight smallint)), \
        t AS (SELECT i.n, l.region_id, l.municipality_id, l.organization_id, i.learner_id, l.class_id, l.subject_id, l.term_id, \
        l.id AS lesson_id, i.value, i.kind, i.weight, l.held_on AS given_on FROM input i LEFT JOIN eduql.lessons l ON l.id = $2::int8), \
        checked AS (SELECT t.*, coalesce(t.lesson_id IS NOT NULL AND (\(allowed)), false) AS allowed FROM t), \
        written AS (INSERT INTO eduql.marks (region_id, municipality_id, organization_id, learner_id, class_id, subject_id, term_id, \
        lesson_id, value, kind, weight, given_on) SELECT region_id, municipality_id, organization_id, learner_id, class_id, subject_id, \
        term_id, lesson_id, value, kind, weight, given_on FROM checked WHERE NOT EXISTS (SELECT 1 FROM checked WHERE NOT allowed) \
        ORDER BY n RETURNING id, learner_id) \
        SELECT (SELECT min(n) FROM checked WHERE NOT allowed)::text, ARRAY(SELECT id FROM written ORDER BY id)::text, \
        ARRAY(SELECT learner_id FROM written)::text
        """
    }

    /// Attendance of one lesson: a code sets the learner's record, none removes it (present);
    /// all rows or none.
    static func attendanceSQL(_ allowed: String) -> String {
        """
        WITH input AS (SELECT i.* FROM eduql.input_rows($1::text::jsonb) r, jsonb_to_record(r) AS i(n int, learner_id bigint, code text)), \
        t AS (SELECT i.n, l.id AS lesson_id, i.learner_id, l.region_id, l.municipality_id, l.organization_id, i.code \
        FROM input i LEFT JOIN eduql.lessons l ON l.id = $2::int8), \
        checked AS (SELECT t.*, coalesce(t.lesson_id IS NOT NULL AND (\(allowed)), false) AS allowed FROM t), \
        go AS (SELECT NOT EXISTS (SELECT 1 FROM checked WHERE NOT allowed) AS ok), \
        removed AS (DELETE FROM eduql.attendance a USING checked c WHERE (SELECT ok FROM go) AND c.code IS NULL \
        AND a.lesson_id = c.lesson_id AND a.learner_id = c.learner_id RETURNING a.learner_id), \
        written AS (INSERT INTO eduql.attendance (lesson_id, learner_id, region_id, municipality_id, organization_id, code) \
        SELECT lesson_id, learner_id, region_id, municipality_id, organization_id, code FROM checked \
        WHERE (SELECT ok FROM go) AND code IS NOT NULL ORDER BY learner_id \
        ON CONFLICT (lesson_id, learner_id, region_id) DO UPDATE SET code = excluded.code RETURNING learner_id) \
        SELECT (SELECT min(n) FROM checked WHERE NOT allowed)::text, '{}', \
        ARRAY(SELECT learner_id FROM written UNION ALL SELECT learner_id FROM removed)::text
        """
    }
}
