import Foundation

/// A calendar day without a time zone, as the records keep it (`YYYY-MM-DD`).
struct CalendarDay: Sendable, Comparable {
    let year: Int
    let month: Int
    let day: Int

    /// Reads `YYYY-MM-DD`, `DD.MM.YYYY` or a spreadsheet's day number (days since 1899-12-30).
    init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        // A day number from 10000 (1927-05-18) on: a bare year such as 2016 is no date.
        if let serial = Double(text), serial >= 10_000, serial < 200_000, !text.contains("-") {
            self.init(Date(timeIntervalSince1970: (serial.rounded(.down) - 25_569) * 86_400))
            return
        }
        let iso = text.split(separator: "-", omittingEmptySubsequences: false)
        let russian = text.split(separator: ".", omittingEmptySubsequences: false)
        let parts: [Substring]
        if iso.count == 3, iso[0].count == 4 {
            parts = iso
        } else if russian.count == 3, russian[2].count == 4 {
            parts = [russian[2], russian[1], russian[0]]
        } else {
            return nil
        }
        guard parts[1].count <= 2, parts[2].count <= 2, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              year >= 1900, year <= 2200, (1...12).contains(month), day >= 1, day <= Self.days(in: month, of: year) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day `date` falls on, in UTC.
    init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    var text: String {
        String(format: "%04d-%02d-%02d", self.year, self.month, self.day)
    }

    static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool { lhs.text < rhs.text }

    static func days(in month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
