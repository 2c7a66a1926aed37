import Foundation
import Hummingbird
import HummingbirdCore

extension URI {
    /// The query string's parameters decoded as an HTML form encodes them
    /// (`application/x-www-form-urlencoded`: `+` is a space, then percent-decoding); the first
    /// of a repeated name wins.
    var formParameters: [String: String] {
        guard let query = self.query else { return [:] }
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.formDecoded(parts[0]) else { continue }
            let value = parts.count > 1 ? Self.formDecoded(parts[1]) : ""
            if parameters[name] == nil, let value { parameters[name] = value }
        }
        return parameters
    }

    private static func formDecoded(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
