import ArgumentParser
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// `eduql serve`: the HTTP server, until SIGTERM or SIGINT. On either it stops accepting,
/// lets in-flight requests finish (at most `EDUQL_SHUTDOWN_GRACE_SECONDS`), writes the audit
/// events still queued, closes the pools and exits 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the API (see `eduql config check` for every setting).")

    func run() async throws {
        let command = try await CommandContext.load()
        let configuration = try EduQLConfiguration(settings: command.settings)
        let logger = command.logger
        for (key, closest) in command.settings.unknownKeys {
            logger.warning("unknown setting, ignored", metadata: ["key": "\(key)", "did_you_mean": "\(closest ?? "-")"])
        }
        let database = try await command.database()
        let tracing = try configuration.server.observability.bootstrapTracing(logger: logger)
        let app = try await buildApplication(server: configuration.server, database: database.server,
                                       authentication: configuration.authentication, passwords: configuration.passwords,
                                       hashing: configuration.hashing, logger: logger)
        // Stopped in reverse: the server first, the span exporter last (it flushes what the rest recorded).
        var group = ServiceGroupConfiguration(services: (tracing.map { [.init(service: $0)] } ?? []) + [.init(service: app)],
                                              gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = configuration.server.shutdownGrace
        group.maximumCancellationDuration = .seconds(5)
        logger.info("serving", metadata: ["address": "\(configuration.server.host):\(configuration.server.port)"])
        try await ServiceGroup(configuration: group).run()
        logger.info("stopped")
    }
}
