import GraphQL
import OrderedCollections

/// A JSON value decoded in one pass as a GraphQL `Map`: a request's variables, read on every
/// request. GraphQLSwift's own `Map` decoding tries the container types after the scalars and
/// decodes every object twice, so its cost doubles with each level of nesting; this tries the
/// scalars a request's variables are mostly made of first and reads each value once.
public struct JSONValue: Decodable, Sendable {
    public let map: Map

    public init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self.map = .null
        } else if let text = try? single.decode(String.self) {
            self.map = .string(text)
        } else if let number = try? single.decode(Double.self) {
            self.map = .number(Number(number))
        } else if let bool = try? single.decode(Bool.self) {
            self.map = .bool(bool)
        } else if var items = try? decoder.unkeyedContainer() {
            var array: [Map] = []
            array.reserveCapacity(items.count ?? 0)
            while !items.isAtEnd { array.append(try items.decode(JSONValue.self).map) }
            self.map = .array(array)
        } else {
            let members = try decoder.container(keyedBy: Key.self)
            var object: OrderedDictionary<String, Map> = [:]
            for key in members.allKeys { object[key.stringValue] = try members.decode(JSONValue.self, forKey: key).map }
            self.map = .dictionary(object)
        }
    }

    /// Any member name.
    struct Key: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}
