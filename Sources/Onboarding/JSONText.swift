import EduQLAudit

/// JSON text for the rows sent to the database, written directly (string values only, quoted
/// as the audit log quotes them).
enum JSONText {
    static func object(_ pairs: [(String, String?)]) -> String {
        "{" + pairs.map { key, value in JSONWriter.quoted(key) + ":" + (value.map(JSONWriter.quoted) ?? "null") }.joined(separator: ",") + "}"
    }
}
