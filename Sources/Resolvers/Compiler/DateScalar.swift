import Foundation

extension Character {
    var isASCIIDigit: Bool { self.isASCII && self.isNumber }
}

/// Checks of the `Date` and `DateTime` scalars: ISO-8601, within what PostgreSQL's `date` and
/// `timestamptz` accept (years 0001–9999; PostgreSQL has no year 0).
enum DateScalar {
    /// Today, `YYYY-MM-DD`, in UTC.
    static var today: String {
        Date.ISO8601FormatStyle().year().month().day().format(Date())
    }

    /// Days from one valid date to another (negative when `to` is earlier).
    static func days(from: String, to: String) -> Int {
        Calendar(identifier: .gregorian).dateComponents([.day], from: parse(from), to: parse(to)).day ?? 0
    }

    private static func parse(_ date: String) -> Date {
        (try? Date.ISO8601FormatStyle().year().month().day().parse(date)) ?? Date(timeIntervalSince1970: 0)
    }

    static func isValidDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              parts[0].count == 4, parts[1].count == 2, parts[2].count == 2, (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, every field in range.
    static func isValidDateTime(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count >= 20, isValidDate(String(characters[0..<10])), characters[10] == "T" || characters[10] == "t" else { return false }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= characters.count, characters[range].allSatisfy(\.isASCIIDigit) else { return nil }
            return Int(String(characters[range]))
        }
        guard let hour = number(11..<13), characters[13] == ":", let minute = number(14..<16), characters[16] == ":",
              let second = number(17..<19), hour < 24, minute < 60, second < 60 else { return false }
        var index = 19
        if index < characters.count, characters[index] == "." {
            index += 1
            let digits = characters[index...].prefix { $0.isASCIIDigit }.count
            guard (1...9).contains(digits) else { return false }
            index += digits
        }
        guard index < characters.count else { return false }
        if characters[index] == "Z" || characters[index] == "z" { return index + 1 == characters.count }
        guard characters[index] == "+" || characters[index] == "-", characters.count == index + 6,
              let offsetHours = number((index + 1)..<(index + 3)), characters[index + 3] == ":",
              let offsetMinutes = number((index + 4)..<(index + 6)) else { return false }
        return offsetHours <= 15 && offsetMinutes < 60
    }
}
