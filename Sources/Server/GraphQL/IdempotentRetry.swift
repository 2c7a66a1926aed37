import Crypto
import EduQLAccessControl
import EduQLResolvers
import EduQLSchema
import Foundation
import HTTPTypes
import Logging
import NIOCore
import PostgresNIO

/// A mutation sent with an `Idempotency-Key` header: the same key from the same principal (user
/// and role assignment) within 24 hours answers the first answer again without writing. The key
/// is claimed in the mutation's own transaction, so a retry that meets the first attempt still
/// running waits for it, then finds its answer — or, if it rolled back, writes anew.
struct IdempotentRetry: Sendable {
    /// The header's value: 1–255 visible ASCII characters.
    let key: String
    /// Whose key it is: the user and the role assignment it acts in.
    let principal: String
    /// SHA-256 of the operation and its variables: the same key with another request is refused.
    let request: ByteBuffer

    /// The request header that carries the key.
    static let header = HTTPField.Name("Idempotency-Key")!
    /// The response header that marks an answer given again.
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    /// Why a key cannot be taken.
    enum Refusal: Error {
        /// The header is not 1–255 visible ASCII characters.
        case malformed
        /// The key was used for another request.
        case reused
    }

    init(key: String, user: UserPrincipal, body: GraphQLRequestBody) throws {
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else { throw Refusal.malformed }
        self.key = key
        self.principal = "user:\(user.userID):\(user.assignmentID)"
        var hash = SHA256()
        hash.update(data: Data(body.document.utf8))
        hash.update(data: Data([0]))
        hash.update(data: Data((body.operationName ?? "").utf8))
        hash.update(data: Data([0]))
        // Variables in a canonical form: the same values in another member order are the same request.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        hash.update(data: (try? encoder.encode(body.variables)) ?? Data())
        self.request = ByteBuffer(bytes: Array(hash.finalize()))
    }

    /// Claims the key on the transaction's connection: nil when this request is the first (or
    /// the key expired), or the first answer.
    func claim(on connection: PostgresConnection, logger: Logger) async throws -> String? {
        let claimed = try await connection.guardedQuery("""
            INSERT INTO eduql.idempotent_answers (principal, key, region_id, request)
            VALUES (\(self.principal), \(self.key), eduql.current_region_id(), \(self.request))
            ON CONFLICT (principal, key, region_id) DO UPDATE SET request = excluded.request, answer = NULL, created_at = now()
            WHERE idempotent_answers.created_at < now() - interval '24 hours'
            RETURNING 1
            """, logger: logger).collect()
        if !claimed.isEmpty { return nil }
        // Another attempt holds the key: it committed (the insert waited for it), so its row is seen now.
        let rows = try await connection.guardedQuery("""
            SELECT request, answer FROM eduql.idempotent_answers WHERE principal = \(self.principal) AND key = \(self.key)
            """, logger: logger).collect()
        guard let (request, answer) = try rows.first?.decode((ByteBuffer, String?).self), let answer else { throw Refusal.reused }
        guard request == self.request else { throw Refusal.reused }
        return answer
    }

    /// Keeps this request's answer with its key.
    func keep(_ answer: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.guardedQuery("""
            UPDATE eduql.idempotent_answers SET answer = \(answer) WHERE principal = \(self.principal) AND key = \(self.key)
            """, logger: logger).collect()
    }
}
