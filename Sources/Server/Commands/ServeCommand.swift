import ArgumentParser
import EduQLAccessControl
import Foundation
import Hummingbird
import Logging

/// `eduql serve`: the HTTP server, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the API (EDUQL_HOST, EDUQL_PORT, DATABASE_URL).")

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let logger = Logger.eduql(environment: environment)
        let server = try ServerConfiguration(environment: environment)
        let database = try await DatabaseLocator(environment: environment).locate(logger: logger)
        let app = try buildApplication(server: server, database: database.server,
                                       authentication: AuthenticationConfiguration(environment: environment),
                                       passwords: PasswordHasher.Configuration(environment: environment), logger: logger)
        try await app.runService()
    }
}

extension Logger {
    /// The process logger, at `LOG_LEVEL` (default info).
    static func eduql(environment: [String: String]) -> Logger {
        var logger = Logger(label: "eduql")
        logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }
}
