import Foundation
import ZIPFoundation

extension Archive {
    /// All the bytes an import unpacks from one upload or file, together; default 1 GiB (a
    /// small ZIP may inflate to far more than it is).
    static let unpackingLimit = 1 << 30

    /// The contents of `entry`, counted against what may still be unpacked.
    func contents(of entry: Entry, budget: inout Int, file: String) throws -> Data {
        guard entry.uncompressedSize <= UInt64(Swift.max(budget, 0)) else {
            throw ImportFileError(file: file, message: "unpacks to more than \(Self.unpackingLimit >> 20) MiB")
        }
        var data = Data()
        var left = budget
        _ = try self.extract(entry) { chunk in
            left -= chunk.count
            guard left >= 0 else { throw ImportFileError(file: file, message: "unpacks to more than \(Self.unpackingLimit >> 20) MiB") }
            data.append(chunk)
        }
        budget = left
        return data
    }
}
