import EduQLAccessControl
import EduQLAudit
import EduQLResolvers
import EduQLSchema
import Hummingbird
import Logging
import PostgresNIO

/// Builds the HTTP application. The database pool and the Argon2 hashing pool are services of
/// the same group, so SIGTERM/SIGINT stop the server first and then close them.
public func buildApplication(
    server: ServerConfiguration,
    database: ConnectionSettings,
    authentication: AuthenticationConfiguration = .init(),
    passwords: PasswordHasher.Configuration = .init(),
    hashing: HashingPool.Configuration = .init(),
    logger: Logger
) throws -> some ApplicationProtocol {
    var poolConfiguration = database.clientConfiguration
    poolConfiguration.options.maximumConnections = 16
    let pool = PostgresClient(configuration: poolConfiguration, backgroundLogger: logger)
    let hashingPool = HashingPool(hasher: PasswordHasher(configuration: passwords), configuration: hashing)
    let authenticator = try Authenticator(database: pool, hashing: hashingPool, configuration: authentication, logger: logger)
    let clients = try ClientAuthenticator(database: pool, hashing: hashingPool, configuration: authentication, logger: logger)

    // Reads run on their own pool whose every transaction is read-only and time-limited.
    let readers = PostgresClient(configuration: database.readerConfiguration(limits: server.limits), backgroundLogger: logger)
    var plans = PlanCache.Configuration()
    plans.enabled = server.caches
    var statements = PreparedStatements.Configuration()
    statements.enabled = server.caches
    let documents = try TrustedDocuments.load(from: server.queriesDirectory)
    let engine = GraphQLEngine(limits: server.limits, trustedDocuments: documents.byID.mapValues(\.text), plans: plans)
    let probe = DatabaseProbe(configuration: database.connectionConfiguration, logger: logger)
    var answers = SharedAnswers.Configuration()
    answers.lifetime = server.caches ? server.sharedAnswers : .zero
    let runner = QueryRunner(database: readers, wait: server.databaseWait, probe: probe,
                             statementTimeout: .milliseconds(server.limits.statementTimeoutMilliseconds),
                             statements: PreparedStatements(configuration: statements), answers: SharedAnswers(configuration: answers))

    let router = Router(context: EduQLRequestContext.self)
    let audit = server.audit ? AuditSink(database: pool, probe: probe, logger: logger) : nil
    router.add(middleware: LogRequestsMiddleware(.debug))
    router.add(middleware: AuditMiddleware(sink: audit))
    router.add(middleware: ErrorMiddleware())
    let buckets = TokenBuckets()
    router.add(middleware: RateLimitMiddleware(stage: .address, limits: server.rateLimits, buckets: buckets))
    router.add(middleware: PrincipalMiddleware(
        database: pool, authenticator: authenticator, clients: clients, principals: PrincipalCache(),
        idleSeconds: Int(authentication.idleTimeout.components.seconds), wait: server.databaseWait, probe: probe))
    router.add(middleware: RateLimitMiddleware(stage: .caller, limits: server.rateLimits, buckets: buckets))
    HealthController(database: pool, readers: readers, audit: audit, migrator: Migrator()).addRoutes(to: router)
    AuthController(deadline: server.requestDeadline, database: pool, authenticator: authenticator, clients: clients).addRoutes(to: router)
    GraphQLController(
        deadline: server.requestDeadline, runner: runner, engine: engine,
        mutations: MutationExecutor(database: pool, administration: AccountAdministration(database: pool, hashing: hashingPool, logger: logger),
                                    engine: engine),
        documentsOnly: server.trustedDocumentsOnly
    ).addRoutes(to: router)
    return Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [CloseOnInputClosedHandler()])),
        configuration: .init(address: .hostname(server.host, port: server.port), serverName: "eduql"),
        services: [pool, readers, hashingPool, HousekeepingService(database: pool, logger: logger, changeRetentionMonths: server.changeRetentionMonths)] + (audit.map { [$0] } ?? []),
        logger: logger
    )
}
