/// The Russian registry numbers a card carries, with their check digits: an organization's INN
/// (10 digits) and OGRN (13), its KPP (9) and OKTMO (8 or 11), and a person's SNILS.
enum RegistryCode {
    static func digits(_ text: String) -> [Int]? {
        let digits = text.compactMap { $0.isASCII ? $0.wholeNumberValue : nil }
        return digits.count == text.count ? digits : nil
    }

    /// An organization's INN: 10 digits, the last a check digit.
    static func isValidINN(_ text: String) -> Bool {
        guard let d = digits(text), d.count == 10 else { return false }
        let weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
        return zip(d, weights).reduce(0) { $0 + $1.0 * $1.1 } % 11 % 10 == d[9]
    }

    /// An OGRN: 13 digits, the last the first twelve's remainder by 11 (its last digit).
    static func isValidOGRN(_ text: String) -> Bool {
        guard let d = digits(text), d.count == 13 else { return false }
        let remainder = d.prefix(12).reduce(0) { ($0 * 10 + $1) % 11 }
        return remainder % 10 == d[12]
    }

    static func isValidKPP(_ text: String) -> Bool { digits(text)?.count == 9 }

    static func isValidOKTMO(_ text: String) -> Bool { [8, 11].contains(digits(text)?.count ?? 0) }

    /// A SNILS written NNN-NNN-NNN NN whose last two digits are its checksum (numbers up to
    /// 001-001-998 carry none).
    static func isValidSNILS(_ text: String) -> Bool {
        guard text.wholeMatch(of: /[0-9]{3}-[0-9]{3}-[0-9]{3} [0-9]{2}/) != nil, let d = digits(text.filter(\.isNumber)) else { return false }
        let number = d.prefix(9).reduce(0) { $0 * 10 + $1 }
        if number <= 1_001_998 { return true }
        let sum = zip(d.prefix(9), (1...9).reversed()).reduce(0) { $0 + $1.0 * $1.1 }
        let check = sum < 100 ? sum : (sum % 101 == 100 ? 0 : sum % 101)
        return check == d[9] * 10 + d[10]
    }
}
