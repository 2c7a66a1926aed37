/// A person's insurance number (СНИЛС) in its written form `NNN-NNN-NNN CC`, checked against
/// its control number: the digits weighted 9 down to 1, summed, taken modulo 101 (100 and 101
/// read as 00). Numbers up to 001-001-998 were issued before the control number existed.
public struct SNILS: Sendable, Hashable {
    public let text: String

    /// Reads `NNN-NNN-NNN CC` or the eleven digits alone; nil when malformed.
    public init?(_ input: String) {
        let digits = input.filter { !" -".contains($0) }
        guard digits.count == 11, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let d = digits.map { Int(String($0))! }
        self.text = "\(d[0])\(d[1])\(d[2])-\(d[3])\(d[4])\(d[5])-\(d[6])\(d[7])\(d[8]) \(d[9])\(d[10])"
        self.number = d[0..<9].reduce(0) { $0 * 10 + $1 }
        self.control = d[9] * 10 + d[10]
    }

    private let number: Int
    private let control: Int

    /// Whether the control number agrees with the first nine digits.
    public var isValid: Bool {
        guard self.number > 1_001_998 else { return true }
        let digits = String(self.number).leftPadded(to: 9).map { Int(String($0))! }
        let sum = zip(digits, (1...9).reversed()).reduce(0) { $0 + $1.0 * $1.1 }
        let expected = sum < 100 ? sum : (sum % 101 == 100 ? 0 : sum % 101)
        return expected == self.control
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - self.count)) + self
    }
}
