import EduQLAccessControl

/// Why a mutation field wrote nothing: input it cannot take (`BAD_USER_INPUT`), or rows the
/// caller's write rules refuse (`FORBIDDEN`), naming the input field.
public struct WriteRefusal: Error, Sendable {
    public var code: String
    public var message: String

    static func invalid(_ message: String) -> WriteRefusal { WriteRefusal(code: "BAD_USER_INPUT", message: message) }
    static func forbidden(_ message: String) -> WriteRefusal { WriteRefusal(code: "FORBIDDEN", message: message) }
}

/// What a mutation field wrote, and what to read back: rows of `type` from `table` by id.
public struct Written: Sendable {
    public var type: String
    public var table: Table
    public var ids: [Int]
    /// Whether the field answers a list.
    public var many: Bool
    /// The learners whose rows were written.
    public var learnerIDs: [Int]
    public var rows: Int

    public init(type: String, table: Table, ids: [Int], many: Bool, learnerIDs: [Int], rows: Int) {
        self.type = type
        self.table = table
        self.ids = ids
        self.many = many
        self.learnerIDs = learnerIDs
        self.rows = rows
    }
}
