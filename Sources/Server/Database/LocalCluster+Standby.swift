import Foundation
import Logging

extension LocalCluster {
    /// Makes a streaming standby of this running cluster in `directory` with `pg_basebackup -R`
    /// and starts it on `port` (read-only, replaying the primary's WAL as it streams); the
    /// standby has the primary's roles and passwords. Stop it with ``stop()`` and start it again
    /// with ``launch(binaries:)``.
    public func startStandby(directory: String, port: Int, logger: Logger) throws -> LocalCluster {
        let binaries = try self.binDirectory()
        guard let data = FileManager.default.contents(atPath: self.credentialsPath) else {
            throw ConfigurationError("\(self.credentialsPath) is missing: start the primary first")
        }
        let credentials = try JSONDecoder().decode(Credentials.self, from: data)
        let standby = LocalCluster(configuration: .init(directory: directory, host: self.configuration.host, port: port,
                                                        database: self.configuration.database, binDirectory: self.configuration.binDirectory,
                                                        settings: ["hot_standby": "on", "archive_mode": "off"]))
        let files = FileManager.default
        try files.createDirectory(atPath: absolute(directory), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try files.createDirectory(atPath: standby.dataDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        if Subprocess.isRoot { try Subprocess.run("/bin/chown", ["postgres:postgres", standby.dataDirectory]) }
        files.createFile(atPath: standby.credentialsPath, contents: data, attributes: [.posixPermissions: 0o600])
        let superuser = ConnectionSettings(host: self.configuration.host, port: self.configuration.port, username: "postgres",
                                           password: credentials.superuser, database: "postgres")
        try superuser.withPassFile { passFile in
            try Subprocess.run(binaries + "/pg_basebackup", [
                "-d", "host=\(superuser.host) port=\(superuser.port) user=postgres passfile=\(passFile) application_name=\(URL(fileURLWithPath: directory).lastPathComponent)",
                "-D", standby.dataDirectory, "-R", "-X", "stream", "-c", "fast",
            ], asPostgresUser: true)
        }
        // The connection info -R wrote names the password file, which is gone: the password itself.
        let auto = standby.dataDirectory + "/postgresql.auto.conf"
        let written = files.contents(atPath: auto).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let fixed = written.replacingOccurrences(of: #"passfile=\S+"#, with: "password=\(credentials.superuser)", options: .regularExpression)
        files.createFile(atPath: auto, contents: Data(fixed.utf8), attributes: [.posixPermissions: 0o600])
        if Subprocess.isRoot { try Subprocess.run("/bin/chown", ["postgres:postgres", auto]) }
        try standby.launch(binaries: binaries)
        logger.info("standby started", metadata: ["data": "\(standby.dataDirectory)", "port": "\(port)"])
        return standby
    }
}
