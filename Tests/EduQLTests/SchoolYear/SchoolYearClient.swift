import Foundation
import HTTPTypes
import Testing

/// What the school-year tests share: first sign-ins, GraphQL calls that must succeed or must be
/// refused, valid registry numbers, and dates around today.
struct SchoolYearClient {
    let api: TestAPI

    static let password = "Тетрадь-в-клетку-на-парте"

    /// Signs in with a temporary password and sets the account's own, as a first sign-in must.
    func firstSignIn(_ login: String, _ temporary: String) async throws -> String {
        let token = try await self.api.token(login, temporary)
        let changed = try await self.api.request(.post, "/auth/password", json: ["oldPassword": temporary, "newPassword": Self.password], token: token)
        guard changed.status == .noContent else { throw TestFailure("password change of \(login): \(changed.status) \(changed.text)") }
        return token
    }

    /// `data` of an operation that must succeed.
    @discardableResult
    func data(_ token: String, _ query: String, _ variables: [String: Any] = [:]) async throws -> [String: Any] {
        let reply = try await self.api.graphql(query, variables: variables, token: token)
        guard reply.errorCodes.isEmpty, let data = reply.data else { throw TestFailure("\(query.prefix(80)): \(reply.text)") }
        return data
    }

    /// The error codes of an operation that must be refused (with no data written for it).
    func refused(_ token: String, _ query: String, _ variables: [String: Any] = [:]) async throws -> [String] {
        let reply = try await self.api.graphql(query, variables: variables, token: token)
        #expect(!reply.errorCodes.isEmpty, "expected a refusal: \(reply.text)")
        return reply.errorCodes
    }

    /// The id a mutation answered at `path`.
    func id(_ data: [String: Any], _ path: String) throws -> String {
        guard let id = data.at(path) as? String else { throw TestFailure("no id at \(path) in \(data)") }
        return id
    }

    /// A valid organization INN from nine digits.
    static func inn(_ nine: String) -> String {
        let digits = nine.compactMap(\.wholeNumberValue)
        let check = zip(digits, [2, 4, 10, 3, 5, 9, 4, 6, 8]).reduce(0) { $0 + $1.0 * $1.1 } % 11 % 10
        return nine + String(check)
    }

    /// A valid SNILS from nine digits (above 001-001-998).
    static func snils(_ nine: String) -> String {
        let digits = nine.compactMap(\.wholeNumberValue)
        let sum = zip(digits, (1...9).reversed()).reduce(0) { $0 + $1.0 * $1.1 }
        let check = sum < 100 ? sum : (sum % 101 == 100 ? 0 : sum % 101)
        let text = Array(nine)
        return "\(String(text[0..<3]))-\(String(text[3..<6]))-\(String(text[6..<9])) \(String(format: "%02d", check))"
    }

    /// A date `days` from today (UTC), ISO-8601.
    static func date(_ days: Int = 0) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
    }

    /// The first year of the academic year under way (it starts on 1 September).
    static var year: Int {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        return parts.month! >= 9 ? parts.year! : parts.year! - 1
    }
}
