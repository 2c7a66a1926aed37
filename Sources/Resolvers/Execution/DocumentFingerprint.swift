import Crypto
import EduQLSchema
import Foundation
import GraphQL

/// What makes two documents the same document: their lexical tokens, as GraphQL's lexer reads
/// them (kind and interpreted value), without whitespace, commas, comments or a byte-order
/// mark. Two texts with equal fingerprints parse to the same operations, so comparing them
/// cannot be fooled by text that only looks like a comment or a string to a text filter.
public struct DocumentFingerprint: Hashable, Sendable {
    /// SHA-256 of the token stream, hex.
    public let value: String

    public init(_ document: Document) {
        var hasher = SHA256()
        var token = document.loc?.startToken
        while let current = token {
            switch current.kind {
            case .sof, .eof, .comment: break
            default:
                // Kind, then the value with its length, so no two streams print alike.
                let value = current.value ?? ""
                hasher.update(data: Data("\(current.kind.rawValue) \(value.utf8.count) ".utf8))
                hasher.update(data: Data(value.utf8))
            }
            token = current.next
        }
        self.value = hasher.finalize().hexadecimal
    }

    /// The fingerprint of `text`, or nil when it does not parse.
    public init?(text: String) {
        guard let document = try? parse(source: Source(body: text, name: "trusted")) else { return nil }
        self.init(document)
    }
}
