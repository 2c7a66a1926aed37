import Foundation

/// CSV as an import reads it and spreadsheets open it: UTF-8 with a byte-order mark, `;`
/// between cells, a cell quoted when it holds `;`, `"`, or a line break.
public struct CSVWriter: Sendable {
    public private(set) var data = Data([0xEF, 0xBB, 0xBF])

    public init() {}

    public mutating func row(_ cells: [String]) {
        let line = cells.map { cell in
            cell.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }.joined(separator: ";")
        self.data.append(contentsOf: Array((line + "\r\n").utf8))
    }
}
