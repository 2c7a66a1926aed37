/// Every object the engine prints from a learner's personal data starts with a hidden member
/// `"$l" : <learner id>` (a key no GraphQL name can spell). The runner strips the markers from
/// the JSON text in one pass and keeps the ids for the audit log.
enum LearnerMarkers {
    static let key = "$l"

    /// The types whose objects carry a learner's personal data, and that learner's id over `{t}`.
    static let learnerOf: [String: SQLTemplate] = [
        "Learner": "{t}.id", "Diary": "{t}.id", "DiaryLesson": "{t}.diary_learner_id", "Mark": "{t}.learner_id",
        "Attendance": "{t}.learner_id", "Enrollment": "{t}.learner_id", "Movement": "{t}.learner_id",
        "GuardianLink": "{t}.learner_id", "QueueApplication": "{t}.learner_id", "QueuePosition": "{t}.learner_id",
    ]

    /// `json` without markers, the distinct learner ids they named, and how many there were.
    static func strip(_ json: String) -> (json: String, learners: Set<Int>, rows: Int) {
        let marker = Array("\"\(key)\" : ".utf8)
        let bytes = Array(json.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var learners: Set<Int> = []
        var rows = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "{"), index + 1 + marker.count <= bytes.count,
               bytes[(index + 1)..<(index + 1 + marker.count)].elementsEqual(marker) {
                output.append(bytes[index])
                var cursor = index + 1 + marker.count
                var value = 0
                var digits = 0
                while cursor < bytes.count, bytes[cursor] >= UInt8(ascii: "0"), bytes[cursor] <= UInt8(ascii: "9") {
                    value = value * 10 + Int(bytes[cursor] - UInt8(ascii: "0"))
                    digits += 1
                    cursor += 1
                }
                if digits == 0, bytes[cursor...].starts(with: Array("null".utf8)) { cursor += 4 }
                if digits > 0 { learners.insert(value) }
                rows += 1
                if bytes[cursor...].starts(with: [UInt8(ascii: ","), UInt8(ascii: " ")]) { cursor += 2 }
                index = cursor
                continue
            }
            output.append(bytes[index])
            index += 1
        }
        return (String(decoding: output, as: UTF8.self), learners, rows)
    }
}
