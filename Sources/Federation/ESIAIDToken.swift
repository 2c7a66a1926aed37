import Foundation
import JWTKit

/// The claims of ЕСИА's ID token EduQL reads: OpenID Connect's, except that `sub` (the person's
/// oid) is a JSON number, and `urn:esia:sbj` says what the subject is.
struct ESIAIDToken: JWTPayload {
    var iss: String
    var sub: Subject
    var aud: AudienceClaim
    var exp: Double
    var iat: Double
    var nonce: String?
    var sid: String?
    var subject: SubjectInfo?

    /// A number in ЕСИА's tokens; a string of digits is taken too.
    struct Subject: Codable, Equatable {
        var oid: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(UInt64.self) {
                self.oid = String(number)
            } else {
                let text = try container.decode(String.self)
                guard !text.isEmpty, text.count <= 20, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an oid")
                }
                self.oid = text
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(self.oid)
        }
    }

    /// `urn:esia:sbj`: the subject's type (`P`, a person), whether the account is confirmed, its oid.
    struct SubjectInfo: Codable, Equatable {
        var type: String?
        var trusted: Bool?
        var oid: Subject?

        enum CodingKeys: String, CodingKey { case type = "urn:esia:sbj_typ", trusted = "urn:esia:sbj_is_tru", oid = "urn:esia:sbj_oid" }
    }

    enum CodingKeys: String, CodingKey { case iss, sub, aud, exp, iat, nonce, sid = "urn:esia:sid", subject = "urn:esia:sbj" }

    /// Checked by ``ESIATokenVerifier``.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// The same claims as an ``IDToken`` (the oid as the subject).
    var idToken: IDToken {
        IDToken(iss: self.iss, sub: self.sub.oid, aud: self.aud, exp: self.exp, iat: self.iat, azp: nil, nonce: self.nonce, sid: self.sid)
    }
}

/// The person ЕСИА holds for an oid (`GET /rs/prns/{oid}`), as far as EduQL matches it with
/// the register.
struct ESIAPerson: Decodable {
    var lastName: String?
    var firstName: String?
    var birthDate: String?
    /// A confirmed account (identity checked in person or by a qualified signature): only then is its SNILS believed.
    var trusted: Bool?
    var snils: String?

    /// The birth date as `yyyy-MM-dd` (ЕСИА writes `dd.MM.yyyy`).
    var isoBirthDate: String? {
        guard let parts = self.birthDate?.split(separator: "."), parts.count == 3, parts[0].count == 2, parts[1].count == 2, parts[2].count == 4,
              parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { return nil }
        return "\(parts[2])-\(parts[1])-\(parts[0])"
    }
}
