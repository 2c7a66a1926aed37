import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// An XLSX workbook (Office Open XML, a ZIP of XML parts), read with ZIPFoundation and
/// Foundation's XML parser: each worksheet's cells as text, by row. Shared strings, inline
/// strings, numbers and booleans are read; a formula gives its cached value. A part that is
/// not well-formed XML refuses the workbook rather than giving some of its rows.
struct Workbook {
    /// The worksheets in workbook order: name and rows (missing cells are empty strings).
    let sheets: [(name: String, rows: [[String]])]

    init(data: Data, file: String, budget: inout Int) throws {
        let archive: Archive
        do {
            archive = try Archive(data: data, accessMode: .read)
        } catch {
            throw ImportFileError(file: file, message: "is not an XLSX workbook (not a ZIP archive)")
        }
        func part(_ path: String) throws -> Data? {
            guard let entry = archive[path] else { return nil }
            return try archive.contents(of: entry, budget: &budget, file: file)
        }
        func parsed<T>(_ value: T?, _ path: String) throws -> T {
            guard let value else { throw ImportFileError(file: file, message: "has a malformed part \(path)") }
            return value
        }
        guard let workbook = try part("xl/workbook.xml") else { throw ImportFileError(file: file, message: "has no xl/workbook.xml") }
        let relations = try part("xl/_rels/workbook.xml.rels").map { try parsed(XMLElements($0, named: "Relationship"), "xl/_rels/workbook.xml.rels") } ?? []
        let strings = try part("xl/sharedStrings.xml").map { try parsed(SharedStrings.read($0), "xl/sharedStrings.xml") } ?? []
        var sheets: [(String, [[String]])] = []
        for sheet in try parsed(XMLElements(workbook, named: "sheet"), "xl/workbook.xml") {
            guard let name = sheet["name"], let id = sheet["r:id"],
                  let target = relations.first(where: { $0["Id"] == id })?["Target"] else { continue }
            let path = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
            guard let xml = try part(path) else { throw ImportFileError(file: file, message: "lacks the part of sheet \(name)") }
            sheets.append((name, try parsed(WorksheetRows.read(xml, strings: strings), path)))
        }
        self.sheets = sheets
    }
}

/// The attributes of every element of one name in an XML document.
private func XMLElements(_ data: Data, named name: String) -> [[String: String]]? {
    final class Collector: NSObject, XMLParserDelegate {
        let name: String
        var found: [[String: String]] = []
        init(_ name: String) { self.name = name }
        func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String]) {
            if element == self.name { self.found.append(attributes) }
        }
    }
    let collector = Collector(name)
    let parser = XMLParser(data: data)
    parser.delegate = collector
    return parser.parse() ? collector.found : nil
}

/// `xl/sharedStrings.xml`: the workbook's strings, by index (rich text runs joined).
private enum SharedStrings {
    static func read(_ data: Data) -> [String]? {
        final class Collector: NSObject, XMLParserDelegate {
            var strings: [String] = []
            var current = ""
            var inText = false
            func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String]) {
                if element == "si" { self.current = "" }
                if element == "t" { self.inText = true }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) {
                if self.inText { self.current += string }
            }
            func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
                if element == "t" { self.inText = false }
                if element == "si" { self.strings.append(self.current) }
            }
        }
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = collector
        return parser.parse() ? collector.strings : nil
    }
}

/// One worksheet's rows, each as wide as the cells it has, placed by their `r` reference.
private enum WorksheetRows {
    static func read(_ data: Data, strings: [String]) -> [[String]]? {
        final class Collector: NSObject, XMLParserDelegate {
            let strings: [String]
            var rows: [Int: [Int: String]] = [:]
            var row = 0
            var column = 0
            var type = "n"
            var value = ""
            var inValue = false
            init(strings: [String]) { self.strings = strings }
            func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String]) {
                switch element {
                case "row":
                    self.row = attributes["r"].flatMap(Int.init) ?? self.row + 1
                    self.column = 0
                case "c":
                    self.column = attributes["r"].map(Self.columnIndex) ?? self.column + 1
                    self.type = attributes["t"] ?? "n"
                    self.value = ""
                case "v", "t": self.inValue = true
                default: break
                }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) {
                if self.inValue { self.value += string }
            }
            func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
                switch element {
                case "v", "t": self.inValue = false
                case "c":
                    let text: String = switch self.type {
                    case "s": Int(self.value).flatMap { $0 < self.strings.count ? self.strings[$0] : nil } ?? ""
                    case "b": self.value == "1" ? "true" : "false"
                    default: self.value
                    }
                    self.rows[self.row, default: [:]][self.column] = text
                default: break
                }
            }
            /// `B12` → 2.
            static func columnIndex(_ reference: String) -> Int {
                reference.unicodeScalars.prefix { $0.properties.isAlphabetic }.reduce(0) { $0 * 26 + Int($1.value) - 64 }
            }
        }
        let collector = Collector(strings: strings)
        let parser = XMLParser(data: data)
        parser.delegate = collector
        guard parser.parse() else { return nil }
        guard let last = collector.rows.keys.max() else { return [] }
        return (1...last).map { number in
            let cells = collector.rows[number] ?? [:]
            let width = cells.keys.max() ?? 0
            return width == 0 ? [] : (1...width).map { cells[$0] ?? "" }
        }
    }
}
