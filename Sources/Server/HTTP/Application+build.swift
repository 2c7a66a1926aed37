import EduQLSchema
import Hummingbird
import Logging
import PostgresNIO

/// Builds the HTTP application with its database pool as a service of the same group, so
/// that SIGTERM/SIGINT stop the server first and then close the pool.
public func buildApplication(
    server: ServerConfiguration,
    database: ConnectionSettings,
    logger: Logger
) -> some ApplicationProtocol {
    var poolConfiguration = database.clientConfiguration
    poolConfiguration.options.maximumConnections = 16
    let pool = PostgresClient(configuration: poolConfiguration, backgroundLogger: logger)
    let router = Router()
    router.add(middleware: LogRequestsMiddleware(.debug))
    HealthController(database: pool, migrator: Migrator()).addRoutes(to: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(server.host, port: server.port), serverName: "eduql"),
        services: [pool],
        logger: logger
    )
}
