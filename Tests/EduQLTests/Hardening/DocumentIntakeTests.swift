import EduQLAccessControl
@testable import EduQLResolvers
import Crypto
import Foundation
import GraphQL
import Testing

/// What a document must pass before any work that grows with it: a grant's trusted documents
/// named only by id, never compared by text; tokens counted by the lexer; fields counted with
/// every fragment expanded.
@Suite("Document intake")
struct DocumentIntakeTests {
    static let path = "integration/roster-export.graphql"
    static let roster = try! ConsumerDocuments.text(path)
    static let rosterID = "sha256:" + SHA256.hash(data: Data(roster.utf8)).map { String(format: "%02x", $0) }.joined()

    /// An engine trusting the roster document (and one other), and a policy held to the roster.
    func engine() -> (GraphQLEngine, Policy) {
        var policy = Policy.regionAdmin
        policy.key = "trusted-only"
        policy.trustedDocuments = [Self.rosterID]
        let other = "{ me { name } }"
        let otherID = "sha256:" + SHA256.hash(data: Data(other.utf8)).map { String(format: "%02x", $0) }.joined()
        return (GraphQLEngine(trustedDocuments: [Self.rosterID: Self.roster, otherID: other]), policy)
    }

    /// The roster's text with `insert` placed after its `position`-th character.
    static func roster(inserting insert: String, at position: Int) -> String {
        let index = Self.roster.index(Self.roster.startIndex, offsetBy: position)
        return String(Self.roster[..<index]) + insert + String(Self.roster[index...])
    }

    /// Offsets just before every `}` and at the end: where smuggled fields would be read.
    static var smugglingPoints: [Int] {
        Self.roster.enumerated().filter { $0.element == "}" }.map(\.offset) + [Self.roster.count]
    }

    /// Every way of dressing up other text as the roster: comments ended by CR or CRLF, block
    /// strings, Unicode whitespace, a byte-order mark, commas, another operation beside it.
    static var disguisedTexts: [String] {
        let payload = " organization(id: 1) { staff { lastName } inn headName phone email } "
        let disguises = [
            "# \r" + payload, "# \r\n" + payload, "\r" + payload, "\"\"\"" + payload + "\"\"\"", " __typename " + payload,
            "\u{FEFF}" + payload, "," + payload, "\t" + payload, "\u{00A0}" + payload, "\u{2028}" + payload,
        ]
        var texts = [Self.roster, "\u{FEFF}" + Self.roster, Self.roster.replacingOccurrences(of: "\n", with: "\r\n"),
                     Self.roster.replacingOccurrences(of: "\n", with: "\r"), Self.roster + "\n# trailing comment\n",
                     Self.roster + "\nquery Other { learners { totalCount } }\n",
                     Self.roster.replacingOccurrences(of: "RosterExport", with: "Other")]
        for disguise in disguises {
            for position in Self.smugglingPoints { texts.append(Self.roster(inserting: disguise, at: position)) }
        }
        for other in ["{ __schema { types { name } } }", "{ learners { totalCount } }"] {
            texts.append("\"\"\"\n" + Self.roster + "\n\"\"\"\n" + other)
            texts.append(other + "\n# " + Self.roster)
        }
        return texts
    }

    @Test("under a document-only grant no text is accepted, not even the trusted document's own; only its id")
    func onlyIDs() throws {
        let (engine, policy) = self.engine()
        let prepared = try engine.prepare(documentID: Self.rosterID, for: policy)
        #expect(prepared.text == Self.roster)
        for text in Self.disguisedTexts {
            #expect(throws: QueryError.documentRequired, "\(text.debugDescription)") { try engine.prepare(text, for: policy) }
            // Its own id is no trusted document, unless it is the roster's exact bytes.
            let id = "sha256:" + SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
            if id != Self.rosterID {
                #expect(throws: QueryError.documentNotFound(id)) { try engine.prepare(documentID: id, for: policy) }
            }
        }
        #expect(Self.disguisedTexts.count > 80)
        // A trusted document the grant does not name, an id in another case or spelling: refused.
        let other = "sha256:" + SHA256.hash(data: Data("{ me { name } }".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(throws: QueryError.forbidden("This client's grant does not name the document \(other).")) {
            try engine.prepare(documentID: other, for: policy)
        }
        for variant in [Self.rosterID.uppercased(), " " + Self.rosterID, Self.rosterID + "\n", String(Self.rosterID.dropFirst(7)),
                        "sha256:" + Self.rosterID.dropFirst(7).uppercased(), "integration/roster-export.graphql"] {
            #expect(throws: QueryError.documentNotFound(variant)) { try engine.prepare(documentID: variant, for: policy) }
        }
        // A caller not held to documents sends text, or any trusted document by id.
        _ = try engine.prepare(Self.roster, for: .regionAdmin)
        _ = try engine.prepare(documentID: other, for: .regionAdmin)
    }

    @Test("the token limit counts what the lexer reads: comments, block strings and odd line ends hide nothing")
    func tokens() throws {
        var limits = QueryLimits()
        limits.maxTokens = 50
        let engine = GraphQLEngine(limits: limits)
        let policy = Policy.regionAdmin
        let fields = Array(repeating: "__typename", count: 60).joined(separator: " ")
        for wrap in ["{ %@ }", "# x\r{ %@ }", "{\r\n%@\r\n}", "\u{FEFF}{ %@ }", "{ me { name } %@ }"] {
            let text = wrap.replacingOccurrences(of: "%@", with: fields)
            #expect(throws: QueryError.validation("The document has more than 50 tokens.", line: nil, column: nil), "\(wrap.debugDescription)") {
                try engine.prepare(text, for: policy)
            }
        }
        // Comments and whitespace are not tokens; one block string is one token.
        let commented = "{ me { name } }" + String(repeating: "# " + fields + "\r", count: 5)
        #expect(DocumentLimits.tokenCount(try parseDocument(commented)) == 6)
        let block = "query($a: String = \"\"\"" + fields + "\"\"\") { me { name } }"
        #expect(DocumentLimits.tokenCount(try parseDocument(block)) == 15)
        _ = try engine.prepare(commented, for: policy)
    }

    @Test("fragments are counted once each: a spread that doubles at every level is refused before any work")
    func fragmentBomb() throws {
        let engine = GraphQLEngine()
        let policy = Policy.regionAdmin
        for levels in [12, 15, 22, 40] {
            var text = "query { ...F0 }\n"
            for level in 0..<levels {
                text += "fragment F\(level) on Query { ...F\(level + 1) ...F\(level + 1) }\n"
            }
            text += "fragment F\(levels) on Query { me { name } }\n"
            #expect(throws: QueryError.validation(
                "The operation selects more than 2000 fields once its fragments are expanded.", line: nil, column: nil)) {
                try engine.prepare(text, for: policy)
            }
            // Counting is linear in the document: 2^40 expansions are never made.
            let document = try parseDocument(text)
            var expansion = FragmentExpansion(document: document, limit: 2_000)
            #expect(expansion.fieldCount(document.definitions.compactMap { $0 as? OperationDefinition }[0].selectionSet) == 2_001)
        }
        // The same shape within the limit is accepted, and the limit counts expanded fields.
        var small = "query { ...F0 }\n"
        for level in 0..<4 { small += "fragment F\(level) on Query { ...F\(level + 1) ...F\(level + 1) }\n" }
        small += "fragment F4 on Query { me { name } }\n"
        _ = try engine.prepare(small, for: policy)
        let document = try parseDocument(small)
        let operation = document.definitions.compactMap { $0 as? OperationDefinition }[0]
        var expansion = FragmentExpansion(document: document, limit: 2_000)
        #expect(expansion.fieldCount(operation.selectionSet) == 32)  // 16 × (me + name)
    }

    func parseDocument(_ text: String) throws -> GraphQL.Document {
        try GraphQL.parse(source: GraphQL.Source(body: text))
    }
}
