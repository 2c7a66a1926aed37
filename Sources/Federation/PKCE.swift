import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636) with S256: a random verifier kept on the server and
/// its challenge sent with the authorization request.
public struct PKCE: Sendable, Equatable {
    public let verifier: String

    public init(verifier: String) { self.verifier = verifier }

    /// A new verifier of 32 random bytes (43 characters).
    public static func generate() -> PKCE { PKCE(verifier: Base64URL.random(bytes: 32)) }

    public var challenge: String { Base64URL.encode(Data(SHA256.hash(data: Data(self.verifier.utf8)))) }
}

/// Unpadded base64url (RFC 4648 §5), as OAuth and JOSE write it.
public enum Base64URL {
    public static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    /// `bytes` random bytes, encoded.
    public static func random(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return encode(Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }
}
