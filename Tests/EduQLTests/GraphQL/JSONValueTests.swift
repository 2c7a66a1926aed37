@testable import EduQLResolvers
import Foundation
import GraphQL
import OrderedCollections
import Testing

/// A request's variables decoded in one pass (``JSONValue``) read as GraphQLSwift's own `Map`
/// decoding reads them, for every kind of JSON value and nesting, and refuse what it refuses.
@Suite("Variables as JSON")
struct JSONValueTests {
    static let texts = [
        #"null"#, #"true"#, #"false"#, #"0"#, #"-12"#, #"3.25"#, #"1e3"#, #"-2.5E-3"#, #"9007199254740993"#,
        #""""#, #""text""#, #""Иванов Пётр""#, #""\u00e9\n\t\"\\ \ud83d\ude00""#, #"[]"#, #"{}"#,
        #"[1, "2", true, null, [], {}]"#, #"{"b": 1, "a": [null, {"c": false}], "": "empty key"}"#,
        #"{"lesson": "17", "marks": [{"learnerId": "5", "value": 4}, {"learnerId": "6", "value": 5, "weight": 2}], "absent": []}"#,
        #"[[[[[[[[[["deep"]]]]]]]]]]"#, #"{"a": {"b": {"c": {"d": {"e": {"f": 1.5}}}}}}"#,
    ]

    @Test("every kind of value reads as GraphQLSwift's own decoding reads it")
    func sameAsMap() throws {
        for text in Self.texts {
            let expected = try JSONDecoder().decode(Map.self, from: Data(text.utf8))
            #expect(Self.sorted(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)).map) == Self.sorted(expected), "\(text)")
        }
    }

    @Test("generated nested values read as GraphQLSwift's own decoding reads them")
    func generated() throws {
        var random = SplitMix64(state: 7)
        for _ in 0..<300 {
            let value = Self.value(depth: 4, &random)
            let data = try JSONSerialization.data(withJSONObject: ["v": value], options: [.fragmentsAllowed])
            let expected = try JSONDecoder().decode(Map.self, from: data)
            #expect(Self.sorted(try JSONDecoder().decode(JSONValue.self, from: data).map) == Self.sorted(expected), "\(String(decoding: data, as: UTF8.self))")
        }
    }

    @Test("malformed JSON and nesting past the decoder's limit are refused, not crashed on")
    func refused() {
        for text in [#"{"a": }"#, #"[1, 2"#, #"{"a" 1}"#, #"tru"#, #""\ud800""#, "", String(repeating: "[", count: 100_000)] {
            #expect(throws: (any Error).self, "\(text.prefix(20))") { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }
        }
    }

    /// The value with every object's members in the order of their names: neither decoding keeps
    /// the members' order in the text (the decoder's keyed container does not), and none needs it.
    static func sorted(_ map: Map) -> Map {
        switch map {
        case .array(let items): .array(items.map(Self.sorted))
        case .dictionary(let members): .dictionary(OrderedDictionary(uniqueKeysWithValues: members.sorted { $0.key < $1.key }.map { ($0.key, Self.sorted($0.value)) }))
        default: map
        }
    }

    static func value(depth: Int, _ random: inout SplitMix64) -> Any {
        switch random.next() % (depth > 0 ? 7 : 4) {
        case 0: return NSNull()
        case 1: return random.next() % 2 == 0
        case 2: return Double(Int(random.next() % 20_000) - 10_000) / 4
        case 3: return ["", "a", "Пётр", "\"q\"", "tab\tline\n", "😀"][Int(random.next() % 6)]
        case 4, 5: return (0..<Int(random.next() % 4)).map { _ in Self.value(depth: depth - 1, &random) }
        default:
            var object: [String: Any] = [:]
            for index in 0..<Int(random.next() % 4) { object["k\(index)\(random.next() % 3)"] = Self.value(depth: depth - 1, &random) }
            return object
        }
    }
}
