import EduQLAccessControl
@testable import EduQLResolvers
import Foundation
import GraphQL
import Testing

/// What a document must pass before any work that grows with it: a grant's trusted documents
/// compared by what the lexer reads, never by text; tokens counted by the lexer; fields counted
/// with every fragment expanded.
@Suite("Document intake")
struct DocumentIntakeTests {
    static let path = "integration/roster-export.graphql"
    static let roster = try! ConsumerDocuments.text(path)

    /// An engine trusting the roster document, and a policy held to it.
    func engine() -> (GraphQLEngine, Policy) {
        var policy = Policy.regionAdmin
        policy.key = "trusted-only"
        policy.trustedDocuments = [Self.path]
        return (GraphQLEngine(trustedDocuments: [Self.path: Self.roster]), policy)
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

    @Test("text that merely looks like a comment or a string to a text filter cannot smuggle fields past a grant")
    func smuggling() throws {
        let (engine, policy) = self.engine()
        let payload = " organization(id: 1) { staff { lastName } inn headName phone email } "
        let disguises = [
            "# \r" + payload,            // a comment ends at CR
            "# \r\n" + payload,          // and at CRLF
            "\r" + payload,
            "\"\"\"" + payload + "\"\"\"",  // text inside a block string …
            " __typename " + payload,
            "\u{FEFF}" + payload,        // a byte-order mark is ignored by the lexer
            "," + payload,
            "\t" + payload,
        ]
        var refused = 0
        for disguise in disguises {
            for position in Self.smugglingPoints {
                let text = Self.roster(inserting: disguise, at: position)
                do {
                    _ = try engine.prepare(text, for: policy)
                    Issue.record("accepted a document with extra text at \(position): \(disguise.debugDescription)")
                } catch let error as QueryError {
                    // Refused as not trusted, or as not even a document: never run.
                    #expect(["FORBIDDEN", "GRAPHQL_PARSE_FAILED"].contains(error.code), "\(error)")
                    refused += 1
                }
            }
        }
        #expect(refused == disguises.count * Self.smugglingPoints.count)
        // A whole other operation wrapped in a block string, introspection included.
        for other in ["{ __schema { types { name } } }", "{ learners { totalCount } }"] {
            #expect(throws: QueryError.self) { try engine.prepare("\"\"\"\n" + Self.roster + "\n\"\"\"\n" + other, for: policy) }
            #expect(throws: QueryError.self) { try engine.prepare(other + "\n# " + Self.roster, for: policy) }
        }
    }

    @Test("the trusted document itself passes with any insignificant whitespace, commas, comments or a BOM")
    func sameDocument() throws {
        let (engine, policy) = self.engine()
        _ = try engine.prepare(Self.roster, for: policy)
        let ignored = ["\n", "\r\n", "\r", " ", "\t", ",", "# a comment\n", "# a comment\r", "\u{FEFF}"]
        for insert in ignored {
            // Between tokens: at every space of the original below its leading comment line.
            let code = Self.roster.distance(from: Self.roster.startIndex, to: Self.roster.firstIndex(of: "\n")!)
            for (offset, character) in Self.roster.enumerated() where character == " " && offset > code {
                let text = Self.roster(inserting: insert, at: offset)
                #expect(throws: Never.self, "\(insert.debugDescription) at \(offset)") { try engine.prepare(text, for: policy) }
            }
        }
        // A document that differs in one name or value is another document.
        for (from, to) in [("lastName", "firstName"), ("100", "101"), ("ID_ASC", "ID_DESC"), ("RosterExport", "Roster")] {
            let changed = Self.roster.replacingOccurrences(of: from, with: to)
            #expect(throws: QueryError.forbidden("This client may only send the documents its grant names.")) {
                try engine.prepare(changed, for: policy)
            }
        }
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
