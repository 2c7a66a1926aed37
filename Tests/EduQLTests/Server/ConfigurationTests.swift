import EduQLAccessControl
@testable import EduQLServer
import Foundation
import Logging
import PostgresNIO
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    @Test("DATABASE_URL is parsed into host, port, user, password, database and TLS")
    func databaseURL() throws {
        let settings = try ConnectionSettings(url: "postgres://eduql_app:p%40ss@db.internal:6543/eduql?sslmode=require")
        #expect(settings == ConnectionSettings(host: "db.internal", port: 6543, username: "eduql_app", password: "p@ss", database: "eduql", requireTLS: true))
        #expect(try ConnectionSettings(url: "postgresql://u@localhost/").database == "u")
        #expect(throws: ConfigurationError.self) { try ConnectionSettings(url: "mysql://u@h/db") }
        #expect(throws: ConfigurationError.self) { try ConnectionSettings(url: "not a url") }
    }

    @Test("EDUQL_HOST and EDUQL_PORT, with defaults and clear errors")
    func serverConfiguration() throws {
        let defaults = try ServerConfiguration(settings: Settings(environment: [:]))
        #expect(defaults.host == "127.0.0.1" && defaults.port == 8080)
        let set = try ServerConfiguration(settings: Settings(environment: ["EDUQL_HOST": "0.0.0.0", "EDUQL_PORT": "9000"]))
        #expect(set.host == "0.0.0.0" && set.port == 9000)
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(settings: Settings(environment: ["EDUQL_PORT": "99999"])) }
    }

    @Test("Argon2 and session settings come from the environment; weak or unverifiable Argon2 costs are refused")
    func authenticationSettings() throws {
        let passwords = try PasswordHasher.Configuration(settings: Settings(environment: ["EDUQL_ARGON2_MEMORY_KIB": "65536", "EDUQL_ARGON2_ITERATIONS": "3"]))
        #expect(passwords.parameters == Argon2Parameters(memoryKiB: 65_536, iterations: 3, parallelism: 1))
        #expect(throws: ConfigurationError.self) { try PasswordHasher.Configuration(settings: Settings(environment: ["EDUQL_ARGON2_MEMORY_KIB": "4096"])) }
        #expect(throws: ConfigurationError.self) { try PasswordHasher.Configuration(settings: Settings(environment: ["EDUQL_ARGON2_MEMORY_KIB": "1048576"])) }
        let sessions = try AuthenticationConfiguration(settings: Settings(environment: ["EDUQL_SESSION_IDLE_SECONDS": "600", "EDUQL_LOGIN_MAX_FAILURES": "3"]))
        #expect(sessions.idleTimeout == .seconds(600) && sessions.maximumFailures == 3 && sessions.sessionLifetime == .seconds(43_200))
        #expect(throws: ConfigurationError.self) { try AuthenticationConfiguration(settings: Settings(environment: ["EDUQL_SESSION_IDLE_SECONDS": "soon"])) }
    }

    @Test("a running local cluster is reused: starting it again keeps its credentials and answers")
    func localClusterIsReused() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eduql-tests-\(getpid())").path
        let again = try await LocalCluster(configuration: .init(directory: folder, port: database.server.port, database: "postgres"))
            .start(logger: Logger(label: "eduql-tests"))
        #expect(again.server.password == database.server.password)
        #expect(again.owner.password == database.owner.password)
        let answer = try await again.server.database(database.server.database).withConnection(logger: Logger(label: "eduql-tests")) { connection in
            try await connection.scalar("SELECT count(*) FROM eduql.schema_migrations", as: Int.self)
        }
        #expect(answer > 0)
    }
}
