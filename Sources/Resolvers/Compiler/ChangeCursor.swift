import Foundation

/// A position in the change feed: the transaction id and sequence number of a change (or of
/// the feed's horizon), as an opaque base64 `Cursor`.
struct ChangeCursor: Sendable, Equatable {
    /// The transaction id, as PostgreSQL prints an `xid8`.
    var transaction: String
    var sequence: Int

    /// The cursor a client was given, or nil when `text` is none.
    init?(_ text: String) {
        guard text.count <= 64, let data = Data(base64Encoded: text), let plain = String(data: data, encoding: .utf8) else { return nil }
        let parts = plain.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "change", !parts[1].isEmpty, parts[1].count <= 20, parts[1].allSatisfy(\.isASCIIDigit),
              UInt64(parts[1]) != nil, let sequence = Int(parts[2]), sequence >= 0, parts[2].allSatisfy(\.isASCIIDigit) else { return nil }
        self.transaction = String(parts[1])
        self.sequence = sequence
    }

    /// The SQL that prints the cursor of the position (`transaction`, `sequence`), both SQL expressions.
    static func sql(transaction: String, sequence: String) -> String {
        "encode(convert_to('change:' || (\(transaction))::text || ':' || (\(sequence))::text, 'UTF8'), 'base64')"
    }
}
