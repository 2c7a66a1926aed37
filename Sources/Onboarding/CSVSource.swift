import CSV
import Foundation

/// A CSV file as the common exports write it: UTF-8 with or without a byte-order mark,
/// separated by `;` or `,` (whichever the header line uses more of), quoted as RFC 4180 says.
struct CSVSource: Sendable {
    enum Origin: Sendable {
        case file(URL)
        case data(Data)
    }

    let origin: Origin
    let delimiter: UnicodeScalar

    init(_ origin: Origin, file: String) throws {
        self.origin = origin
        let head: Data
        switch origin {
        case .data(let data): head = data.prefix(64 * 1024)
        case .file(let url):
            guard let handle = try? FileHandle(forReadingFrom: url) else { throw ImportFileError(file: file, message: "cannot be opened") }
            head = (try? handle.read(upToCount: 64 * 1024)) ?? Data()
            try? handle.close()
        }
        // The head may end inside a character: up to three bytes of it may be cut off.
        guard (0...min(3, head.count)).contains(where: { String(data: head.dropLast($0), encoding: .utf8) != nil }) else {
            throw ImportFileError(file: file, message: "is not UTF-8 text (save the file as CSV UTF-8)")
        }
        let line = head.prefix { $0 != 0x0A }
        let semicolons = line.filter { $0 == UInt8(ascii: ";") }.count
        let commas = line.filter { $0 == UInt8(ascii: ",") }.count
        self.delimiter = semicolons > commas ? ";" : ","
    }

    func rows() throws -> TableRows {
        let stream: InputStream? = switch self.origin {
        case .file(let url): InputStream(url: url)
        case .data(let data): InputStream(data: data)
        }
        guard let stream else { throw CellProblem("cannot be read") }
        let reader = try CSVReader(stream: stream, hasHeaderRow: false, trimFields: true, delimiter: self.delimiter)
        // The reader stops at bytes that are not UTF-8 and keeps the error (at the end of the
        // stream it keeps `cannotReadFile`, which is no failure).
        return TableRows(next: { reader.next() }, failure: {
            switch reader.error {
            case CSVError.unicodeDecoding?: "is not valid UTF-8 from here on (save the file as CSV UTF-8)"
            case CSVError.streamErrorHasOccurred?: "cannot be read to its end"
            default: nil
            }
        })
    }
}
