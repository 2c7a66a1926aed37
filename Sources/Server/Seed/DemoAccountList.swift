import Foundation

/// The demo accounts, as the table `eduql seed` prints and the JSON it writes.
struct DemoAccountList {
    var accounts: [DemoAccounts.Account]

    /// Writes the JSON array, readable by the owner only (it holds passwords).
    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self.accounts)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// A plain-text table: role, login or client id, password or secret, scope.
    var table: String {
        let rows = [["role", "login / client id", "password / secret", "scope"]] + self.accounts.map {
            [$0.role, $0.login ?? $0.clientId ?? "", $0.password ?? $0.clientSecret ?? "", "\($0.scope.kind) \($0.scope.id): \($0.scope.name)"]
        }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
