import Foundation
import JWTKit

/// What ЕСИА (Госуслуги) needs beyond OpenID Connect, as the operator configures it: its
/// address (there is no discovery document or JWKS), the certificates it signs ID tokens with,
/// and how EduQL signs its `client_secret` (a GOST R 34.10-2012 signature made outside the
/// process, as regions do it with CryptoPro).
public struct ESIAProfile: Sendable, Codable, Equatable {
    /// ЕСИА's address: `https://esia.gosuslugi.ru`, or `https://esia-portal1.test.gosuslugi.ru` for its test environment.
    public var base: String
    /// The certificates (PEM text, or the path of a PEM file) whose keys sign ЕСИА's ID tokens:
    /// the current one, and the next one while ЕСИА rotates it (about yearly).
    public var certificates: [String]
    /// `client_certificate_hash`: the GOST R 34.11-2012 hash of EduQL's own certificate, in hex,
    /// as ЕСИА's registration of the system gives it.
    public var clientCertificateHash: String
    /// Who signs `client_secret`.
    public var signer: Signer

    /// The external signer: a command that reads the message on its standard input and writes
    /// the signature, base64, on its standard output (`{"command": ["/usr/local/bin/sign", "…"]}`),
    /// or a local HTTP service that answers a POSTed message with it (`{"url": "http://127.0.0.1:8081/sign"}`).
    public enum Signer: Sendable, Codable, Equatable {
        case command([String])
        case url(String)

        enum CodingKeys: String, CodingKey { case command, url }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let command = try container.decodeIfPresent([String].self, forKey: .command) {
                self = .command(command)
            } else {
                self = .url(try container.decode(String.self, forKey: .url))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .command(let command): try container.encode(command, forKey: .command)
            case .url(let url): try container.encode(url, forKey: .url)
            }
        }
    }

    public init(base: String, certificates: [String], clientCertificateHash: String, signer: Signer) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.certificates = certificates
        self.clientCertificateHash = clientCertificateHash
        self.signer = signer
    }

    /// ЕСИА's issuer in its ID tokens (http, with the trailing slash).
    public static let issuer = "http://esia.gosuslugi.ru/"
    /// The scopes a sign-in asks for: the person's name, birth date and SNILS, to match the register.
    public static let scopes = ["openid", "fullname", "birthdate", "snils"]

    var authorizationEndpoint: String { self.base + "/aas/oauth2/v2/ac" }
    var tokenEndpoint: String { self.base + "/aas/oauth2/v3/te" }
    func personEndpoint(_ oid: String) -> String { self.base + "/rs/prns/" + oid }
    var logoutEndpoint: String { self.base + "/idp/ext/Logout" }

    /// The public keys of the configured certificates, in their order.
    func keys() throws -> [Insecure.RSA.PublicKey] {
        try self.certificates.map { entry in
            let pem = entry.hasPrefix("-----BEGIN") ? entry : try String(contentsOfFile: entry, encoding: .utf8)
            return try Insecure.RSA.PublicKey(certificatePEM: pem)
        }
    }

    /// Why this profile cannot be used, or nil.
    var problem: String? {
        guard let url = URL(string: self.base), let scheme = url.scheme, let host = url.host, url.query == nil, url.path.isEmpty else {
            return "esia.base must be an absolute URL without path or query"
        }
        if scheme != "https" && !(scheme == "http" && ["127.0.0.1", "localhost", "::1"].contains(host)) {
            return "esia.base must be https (http only on loopback)"
        }
        if self.certificates.isEmpty { return "esia.certificates must name ЕСИА's signing certificate" }
        do { _ = try self.keys() } catch { return "esia.certificates: one is not a readable PEM certificate with an RSA key" }
        if self.clientCertificateHash.range(of: "^[0-9A-Fa-f]{64}$", options: .regularExpression) == nil {
            return "esia.clientCertificateHash must be the certificate's GOST R 34.11-2012 (256-bit) hash in hex"
        }
        switch self.signer {
        case .command(let command):
            guard let executable = command.first, executable.hasPrefix("/") else { return "esia.signer.command must start with an absolute path" }
        case .url(let text):
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else { return "esia.signer.url must be an http(s) URL" }
        }
        return nil
    }
}
