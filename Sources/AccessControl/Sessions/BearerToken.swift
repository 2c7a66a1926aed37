import Crypto
import Foundation

/// An opaque 256-bit random bearer token. Only its SHA-256 is stored; the prefix tells user
/// sessions (`eduql_u_`) from integration tokens (`eduql_c_`).
public struct BearerToken: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case session = "eduql_u_"
        case client = "eduql_c_"
    }

    public let kind: Kind
    public let value: String

    /// A new random token of `kind`.
    public static func generate(_ kind: Kind) -> BearerToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return BearerToken(kind: kind, value: kind.rawValue + text)
    }

    /// Parses a presented token; nil when it has neither prefix or a wrong length.
    public init?(presented: String) {
        guard presented.count == 51, presented.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }),
              let kind = [Kind.session, .client].first(where: { presented.hasPrefix($0.rawValue) })
        else { return nil }
        self.init(kind: kind, value: presented)
    }

    private init(kind: Kind, value: String) {
        self.kind = kind
        self.value = value
    }

    /// What the database stores and looks up (binds as bytea).
    public var sha256: Data { Data(SHA256.hash(data: Data(self.value.utf8))) }
}
