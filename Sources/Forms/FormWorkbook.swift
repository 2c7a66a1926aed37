import Foundation
import ZIPFoundation

/// A form as an XLSX workbook in the form's own layout: a sheet per section, headed by the form,
/// its edition, whose it is with its codes and as of when; the table with the label in column 1,
/// the row's number in column 2 and the edition's numbered columns from 3 on, under a line of
/// the column numbers.
public enum FormWorkbook {
    public static func xlsx(_ document: FormDocument) throws -> Data {
        let archive = try Archive(accessMode: .create)
        func add(_ path: String, _ text: String) throws {
            let data = Data(("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" + text).utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        let sheets = document.sheets.enumerated()
        try add("[Content_Types].xml", """
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            \(sheets.map { index, _ in "<Override PartName=\"/xl/worksheets/sheet\(index + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" }.joined())\
            </Types>
            """)
        try add("_rels/.rels", """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
            </Relationships>
            """)
        try add("xl/workbook.xml", """
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <sheets>\(sheets.map { index, sheet in "<sheet name=\"\(Self.escape(Self.sheetName(sheet)))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>" }.joined())</sheets>\
            </workbook>
            """)
        try add("xl/_rels/workbook.xml.rels", """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            \(sheets.map { index, _ in "<Relationship Id=\"rId\(index + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\(index + 1).xml\"/>" }.joined())\
            <Relationship Id="rId\(document.sheets.count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            </Relationships>
            """)
        try add("xl/styles.xml", """
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <fonts count="2"><font><sz val="11"/><name val="Liberation Sans"/></font><font><b/><sz val="11"/><name val="Liberation Sans"/></font></fonts>\
            <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
            <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
            <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
            <cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
            <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center" vertical="top" wrapText="1"/></xf>\
            <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment horizontal="center"/></xf></cellXfs>\
            </styleSheet>
            """)
        for (index, sheet) in sheets {
            try add("xl/worksheets/sheet\(index + 1).xml", Self.worksheet(sheet, of: document))
        }
        return archive.data ?? Data()
    }

    /// How a report's status reads on the form.
    static let statuses = ["computed": "рассчитана", "submitted": "представлена", "returned": "возвращена на исправление",
                           "accepted": "принята", "consolidated": "свод"]

    /// A sheet's name: "Раздел N", at most 31 characters, none of `[]:*?/\`.
    static func sheetName(_ sheet: FormSheet) -> String {
        String(("Раздел " + sheet.number).filter { !"[]:*?/\\".contains($0) }.prefix(31))
    }

    /// A cell: text in a style (``Style``), or a number.
    enum Cell {
        case text(String, Style = .plain)
        case number(Double)
    }

    /// The styles of `xl/styles.xml`, by their index there.
    enum Style: Int {
        case plain = 0, bold = 1, heading = 2, centered = 3
    }

    static func worksheet(_ sheet: FormSheet, of document: FormDocument) -> String {
        var lines: [[Cell]] = [
            [.text("Форма № \(document.form) (редакция \(document.edition))", .bold)],
            [.text(document.title)],
            [.text(([document.subject] + document.codes.map { "\($0.name) \($0.value)" }).joined(separator: ", "))],
            [.text("По состоянию на \(document.reportingDate); \(Self.statuses[document.status] ?? document.status)")],
            [.text("Раздел \(sheet.number). \(sheet.title)", .bold)],
            [.text("Наименование показателя", .heading), .text("№ строки", .heading)] + sheet.columns.map { .text($0.label, .heading) },
            [.text("1", .centered), .text("2", .centered)] + sheet.columns.map { .text($0.number, .centered) },
        ]
        lines += sheet.rows.map { row in [.text(row.line.label), .text(row.line.number, .centered)] + row.values.map { .number($0) } }
        let rows = lines.enumerated().map { index, cells in
            // The column headings wrap: their row is made tall enough for three lines.
            "<row r=\"\(index + 1)\"\(index == 5 ? " ht=\"48\" customHeight=\"1\"" : "")>" + cells.enumerated().map { column, cell in
                let reference = Self.column(column) + String(index + 1)
                switch cell {
                case .text(let text, let style):
                    let styled = style == .plain ? "" : " s=\"\(style.rawValue)\""
                    return "<c r=\"\(reference)\" t=\"inlineStr\"\(styled)><is><t xml:space=\"preserve\">\(Self.escape(text))</t></is></c>"
                case .number(let value):
                    let text = value.rounded() == value ? String(Int64(value)) : String(value)
                    return "<c r=\"\(reference)\"><v>\(text)</v></c>"
                }
            }.joined() + "</row>"
        }
        return """
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>\
            <cols><col min="1" max="1" width="50" customWidth="1"/><col min="2" max="2" width="9" customWidth="1"/>\
            <col min="3" max="\(sheet.columns.count + 2)" width="12" customWidth="1"/></cols>\
            <sheetData>\(rows.joined())</sheetData>\
            <pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>\
            <pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>
            """
    }

    /// A column's letters: 0 → A, 25 → Z, 26 → AA.
    static func column(_ index: Int) -> String {
        var index = index
        var letters = ""
        repeat {
            letters = String(UnicodeScalar(UInt8(65 + index % 26))) + letters
            index = index / 26 - 1
        } while index >= 0
        return letters
    }

    /// Text as XML character data: `&`, `<`, `>`, `"` escaped, control characters dropped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default: if scalar.value >= 0x20 { escaped.unicodeScalars.append(scalar) }
            }
        }
        return escaped
    }
}
