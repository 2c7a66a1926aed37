import Logging
import Synchronization

/// What every command starts from: the process's settings (read once), its logger, and the
/// way to its database.
struct CommandContext {
    let settings: Settings
    let observability: ObservabilityConfiguration
    let locator: DatabaseLocator
    let logger: Logger

    private static let loggingBootstrapped = Mutex(false)

    /// Reads the settings and, the first time, sets up logging: JSON lines (or text) at `LOG_LEVEL`.
    static func load() async throws -> CommandContext {
        let settings = try await Settings.load()
        let observability = try ObservabilityConfiguration(settings: settings)
        let locator = try DatabaseLocator(settings: settings)
        Self.bootstrapLogging(observability)
        var logger = Logger(label: "eduql")
        logger.logLevel = observability.logLevel
        return CommandContext(settings: settings, observability: observability, locator: locator, logger: logger)
    }

    /// The owner's and the server's connections (starting the local cluster when needed).
    func database() async throws -> DatabaseLocator.Connections {
        try await self.locator.locate(logger: self.logger)
    }

    static func bootstrapLogging(_ configuration: ObservabilityConfiguration) {
        let first = Self.loggingBootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let level = configuration.logLevel
        switch configuration.logFormat {
        case .json: LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        case .text: LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        }
    }
}
