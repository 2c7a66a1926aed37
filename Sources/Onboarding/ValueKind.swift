import Foundation

/// What a column holds: how a cell is read into the canonical text the database gets (ISO
/// dates, `NNN-NNN-NNN CC` SNILS, enumeration values in English), or why it cannot be.
public enum ValueKind: Sendable {
    /// Free text up to a length.
    case text(maxLength: Int)
    /// A number of exactly one of these digit counts (OKTMO, INN, KPP, OGRN).
    case digits([Int])
    /// A calendar day, `YYYY-MM-DD` or `DD.MM.YYYY` (or a spreadsheet's day number);
    /// `past` refuses days after today.
    case date(past: Bool)
    /// A SNILS with a correct control number.
    case snils
    /// A whole number in a range.
    case integer(ClosedRange<Int>)
    /// A decimal number in a range.
    case decimal(ClosedRange<Double>)
    /// One of a set of values, each with the other spellings accepted for it (Russian ones).
    case choice([(value: String, aliases: [String])])
    /// Yes or no.
    case flag
    /// An academic year's name, `YYYY/YYYY` of two consecutive years.
    case yearName
    /// A country (ОКСМ alpha-3, RUS …); with `stateless`, also a person without citizenship.
    case country(stateless: Bool)

    /// Reads one non-empty cell.
    func read(_ cell: String, today: Date) -> Result<String, CellProblem> {
        switch self {
        case .text(let maxLength):
            return cell.count <= maxLength ? .success(cell) : .failure(.init("longer than \(maxLength) characters"))
        case .digits(let counts):
            guard cell.allSatisfy({ $0.isASCII && $0.isNumber }), counts.contains(cell.count) else {
                return .failure(.init("must be \(counts.map(String.init).joined(separator: " or ")) digits"))
            }
            return .success(cell)
        case .date(let past):
            guard let day = CalendarDay(cell) else { return .failure(.init("not a date (YYYY-MM-DD or DD.MM.YYYY)")) }
            if past, day.text > CalendarDay(today).text { return .failure(.init("a date in the future")) }
            return .success(day.text)
        case .snils:
            guard let snils = SNILS(cell) else { return .failure(.init("a SNILS has 11 digits (NNN-NNN-NNN CC)")) }
            guard snils.isValid else { return .failure(.init("the SNILS's control number does not match its digits")) }
            return .success(snils.text)
        case .integer(let range):
            guard let value = Self.number(cell), value == value.rounded(), range.contains(Int(value)) else {
                return .failure(.init("must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
            }
            return .success(String(Int(value)))
        case .decimal(let range):
            guard let value = Self.number(cell), range.contains(value) else {
                return .failure(.init("must be a number from \(range.lowerBound) to \(range.upperBound)"))
            }
            return .success(Self.decimalText(value))
        case .choice(let options):
            let folded = Header.fold(cell)
            for option in options where Header.fold(option.value) == folded || option.aliases.map(Header.fold).contains(folded) {
                return .success(option.value)
            }
            return .failure(.init("must be one of: " + options.map(\.value).joined(separator: ", ")))
        case .flag:
            switch Header.fold(cell) {
            case "true", "yes", "1", "да", "истина": return .success("true")
            case "false", "no", "0", "нет", "ложь": return .success("false")
            default: return .failure(.init("must be yes or no (true/false, да/нет)"))
            }
        case .yearName:
            let parts = cell.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 2, cell.count == 9, parts[1] == parts[0] + 1 else {
                return .failure(.init("an academic year is written YYYY/YYYY, e.g. 2025/2026"))
            }
            return .success(cell)
        case .country(let stateless):
            if stateless, ["stateless", "без гражданства", "лбг"].contains(Header.fold(cell)) { return .success("stateless") }
            if ["россия", "рф"].contains(Header.fold(cell)) { return .success("RUS") }
            guard cell.count == 3, cell.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                return .failure(.init("a country is its ОКСМ alpha-3 code (RUS, KAZ …)" + (stateless ? " or «без гражданства»" : "")))
            }
            return .success(cell.uppercased())
        }
    }

    /// A number written with a point or a comma.
    static func number(_ cell: String) -> Double? {
        Double(cell.replacingOccurrences(of: ",", with: ".").replacingOccurrences(of: " ", with: ""))
    }

    /// The shortest decimal text of a value with at most two places (as the database keeps rates and hours).
    static func decimalText(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

/// Why a cell cannot be read.
public struct CellProblem: Error, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}
