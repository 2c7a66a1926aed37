import AsyncHTTPClient
import Foundation

/// Signs the messages ЕСИА asks EduQL to sign (its `client_secret`): a GOST R 34.10-2012
/// signature, made outside this process — swift-crypto has no GOST, and a region's key lives
/// in CryptoPro or in OpenSSL's gost-engine. The one seam tests replace with a fake.
public protocol ClientSecretSigner: Sendable {
    /// The raw signature of `message`.
    func sign(_ message: Data) async throws -> Data
}

extension ESIAProfile.Signer {
    /// The signer this configuration names, its waits bounded by `timeout`.
    func signer(http: HTTPClient, timeout: Duration) -> any ClientSecretSigner {
        switch self {
        case .command(let command): CommandSigner(command: command, timeout: timeout)
        case .url(let url): HTTPSigner(url: url, http: http, timeout: timeout)
        }
    }
}

/// A signer's answer, base64 (standard or URL-safe, padded or not) around its raw signature.
func signature(fromBase64 text: String) -> Data? {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty else { return nil }
    return Base64URL.decode(Substring(trimmed.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")))
}

extension FederationRefusal {
    static let signerFailed = FederationRefusal("SIGNER_FAILED", "the client_secret signer did not sign")
}
