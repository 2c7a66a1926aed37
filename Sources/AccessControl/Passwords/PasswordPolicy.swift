import Foundation

/// What a new password must satisfy: a minimum length (per region, at least 8), not the
/// login, not one of the bundled common passwords, and not longer than the hasher accepts.
public struct PasswordPolicy: Sendable {
    public enum Violation: String, Sendable, Equatable {
        case tooShort = "PASSWORD_TOO_SHORT"
        case tooLong = "PASSWORD_TOO_LONG"
        case sameAsLogin = "PASSWORD_SAME_AS_LOGIN"
        case common = "PASSWORD_TOO_COMMON"
    }

    public var minimumLength: Int
    public var maximumBytes: Int

    public init(minimumLength: Int = 8, maximumBytes: Int = 1_024) {
        self.minimumLength = max(8, minimumLength)
        self.maximumBytes = maximumBytes
    }

    /// The first rule `password` breaks for the account `login`, or nil.
    public func violation(of password: String, login: String) -> Violation? {
        if password.utf8.count > self.maximumBytes { return .tooLong }
        if password.count < self.minimumLength { return .tooShort }
        let folded = password.lowercased()
        if folded == login.lowercased() { return .sameAsLogin }
        if Self.common.contains(folded) { return .common }
        return nil
    }

    /// The bundled list of common passwords, lowercased.
    static let common: Set<String> = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { fatalError("common-passwords.txt is missing from the EduQLAccessControl bundle") }
        return Set(text.split(whereSeparator: \.isNewline).map { $0.lowercased() })
    }()
}
