import Foundation
import ZIPFoundation

/// The files of one import, as tables in the order they are imported: CSV files named for
/// their sheet (`learners.csv`, `обучающиеся.csv`), XLSX workbooks whose sheets are so named,
/// and ZIP archives of either.
public struct ImportSet: Sendable {
    public var tables: [ImportTable]

    /// The files at `paths` (files, or folders of them), read as they are imported.
    public init(paths: [URL]) throws {
        var tables: [ImportTable] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isFolder) else {
                throw ImportFileError(file: path.lastPathComponent, message: "does not exist")
            }
            let files = isFolder.boolValue
                ? try FileManager.default.contentsOfDirectory(at: path, includingPropertiesForKeys: nil).sorted { $0.path < $1.path }
                : [path]
            for file in files where !file.lastPathComponent.hasPrefix(".") {
                switch file.pathExtension.lowercased() {
                case "csv":
                    tables.append(try Self.csv(.file(file), named: file.lastPathComponent))
                default:
                    var budget = Archive.unpackingLimit
                    tables += try Self.tables(in: try Data(contentsOf: file), named: file.lastPathComponent, budget: &budget)
                }
            }
        }
        self.tables = try Self.ordered(tables)
    }

    /// An uploaded body: a ZIP archive, an XLSX workbook, or one CSV file for `sheet`.
    public init(upload: Data, sheet: String? = nil) throws {
        if let sheet {
            self.tables = try Self.ordered([try Self.csv(.data(upload), named: sheet + ".csv")])
        } else {
            var budget = Archive.unpackingLimit
            self.tables = try Self.ordered(try Self.tables(in: upload, named: "upload", budget: &budget))
        }
    }

    static func csv(_ origin: CSVSource.Origin, named file: String) throws -> ImportTable {
        let stem = (file as NSString).deletingPathExtension
        guard let sheet = Sheet.named(stem) else {
            throw ImportFileError(file: file, message: "names no sheet of an import (" + Sheet.all.map(\.name).joined(separator: ", ") + ")")
        }
        return ImportTable(file: file, sheet: sheet, source: .csv(try CSVSource(origin, file: file)))
    }

    /// The tables of a workbook or of a ZIP archive of CSV files and workbooks, unpacking at
    /// most `budget` bytes (``Archive/unpackingLimit`` for one upload).
    static func tables(in data: Data, named file: String, budget: inout Int) throws -> [ImportTable] {
        guard data.starts(with: [0x50, 0x4B]) else {
            throw ImportFileError(file: file, message: "is neither CSV, XLSX nor ZIP")
        }
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw ImportFileError(file: file, message: "is not a readable ZIP archive or XLSX workbook")
        }
        if archive["xl/workbook.xml"] != nil {
            return try Workbook(data: data, file: file, budget: &budget).sheets.map { sheet in
                guard let kind = Sheet.named(sheet.name) else {
                    throw ImportFileError(file: "\(file) [\(sheet.name)]", message: "names no sheet of an import")
                }
                return ImportTable(file: "\(file) [\(sheet.name)]", sheet: kind, source: .rows(sheet.rows))
            }
        }
        var tables: [ImportTable] = []
        for entry in archive where entry.type == .file {
            let name = (entry.path as NSString).lastPathComponent
            guard !name.hasPrefix("."), !entry.path.hasPrefix("__MACOSX") else { continue }
            let contents = try archive.contents(of: entry, budget: &budget, file: name)
            if name.lowercased().hasSuffix(".csv") {
                tables.append(try Self.csv(.data(contents), named: name))
            } else {
                tables += try Self.tables(in: contents, named: name, budget: &budget)
            }
        }
        return tables
    }

    /// The tables in import order; one table per sheet.
    static func ordered(_ tables: [ImportTable]) throws -> [ImportTable] {
        var seen: [String: String] = [:]
        for table in tables {
            if let other = seen[table.sheet.name] {
                throw ImportFileError(file: table.file, message: "is the \(table.sheet.name) sheet, as \(other) is: give each sheet once")
            }
            seen[table.sheet.name] = table.file
        }
        return Sheet.all.flatMap { sheet in tables.filter { $0.sheet.name == sheet.name } }
    }
}
