import Foundation

extension ConnectionSettings {
    /// Runs `body` with a libpq password file holding these settings' password, readable by the
    /// `postgres` user that PostgreSQL's programs run as, so that no password appears in a
    /// command line; the file is removed afterwards.
    func withPassFile<T>(_ body: (String) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-pgpass-\(UUID().uuidString)").path
        let line = "\(self.host):\(self.port):*:\(self.username):\(self.password ?? "")\n"
        FileManager.default.createFile(atPath: path, contents: Data(line.utf8), attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(atPath: path) }
        if Subprocess.isRoot { try Subprocess.run("/bin/chown", ["postgres:postgres", path]) }
        return try body(path)
    }
}
