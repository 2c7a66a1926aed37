/// One section of a form as a table: its columns, and its rows with a value under each column.
public struct FormSheet: Sendable, Equatable {
    /// A row or column: its number in the edition and its label.
    public struct Line: Sendable, Equatable, Decodable {
        public var number: String
        public var label: String
    }

    /// A row with its values, in the order of the columns (zero where nothing was counted).
    public struct Row: Sendable, Equatable {
        public var line: Line
        public var values: [Double]
    }

    public var number: String
    public var title: String
    public var columns: [Line]
    public var rows: [Row]
}
