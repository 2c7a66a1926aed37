import EduQLAccessControl
import EduQLAudit
import EduQLConsole
import EduQLFederation
import EduQLResolvers
import EduQLSchema
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

/// Builds the HTTP application. The database pool and the Argon2 hashing pool are services of
/// the same group, so SIGTERM/SIGINT stop the server first and then close them.
public func buildApplication(
    server: ServerConfiguration,
    database: ConnectionSettings,
    authentication: AuthenticationConfiguration = .init(),
    passwords: PasswordHasher.Configuration = .init(),
    hashing: HashingPool.Configuration = .init(),
    logger: Logger
) async throws -> some ApplicationProtocol {
    // With the members of a replicated cluster named, every connection goes through the relay
    // that follows its primary.
    let relay = server.databaseHosts.isEmpty ? nil
        : try await PrimaryRelay(configuration: .init(hosts: server.databaseHosts), credentials: database, logger: logger)
    var database = database
    if let relay {
        // TLS, when required, passes through the relay: certificates are checked against DATABASE_URL's host.
        database.tlsServerName = database.host
        database.host = "127.0.0.1"
        database.port = relay.port
    }
    var poolConfiguration = database.clientConfiguration
    poolConfiguration.options.maximumConnections = 16
    let pool = PostgresClient(configuration: poolConfiguration, backgroundLogger: logger)
    _ = MetricsRegistry.shared
    PoolMetrics.register(pool, name: "primary", capacity: poolConfiguration.options.maximumConnections)
    let hashingPool = HashingPool(hasher: PasswordHasher(configuration: passwords), configuration: hashing)
    let authenticator = try Authenticator(database: pool, hashing: hashingPool, configuration: authentication, logger: logger)
    let clients = try ClientAuthenticator(database: pool, hashing: hashingPool, configuration: authentication, logger: logger)

    // Reads run on their own pool whose every transaction is read-only and time-limited.
    let readerConfiguration = database.readerConfiguration(limits: server.limits)
    let readers = PostgresClient(configuration: readerConfiguration, backgroundLogger: logger)
    PoolMetrics.register(readers, name: "readers", capacity: readerConfiguration.options.maximumConnections)
    var plans = PlanCache.Configuration()
    plans.enabled = server.caches
    var statements = PreparedStatements.Configuration()
    statements.enabled = server.caches
    let documents = try TrustedDocuments.load(from: server.queriesDirectory)
    let engine = GraphQLEngine(limits: server.limits, trustedDocuments: documents.byID.mapValues(\.text), plans: plans)
    let probe = DatabaseProbe(configuration: database.connectionConfiguration, logger: logger)
    // Streaming replicas, each a read-only pool of its own like the readers', sampled for lag.
    let replicas: ReplicaSet? = server.replicas.isEmpty ? nil : ReplicaSet(
        primary: pool,
        replicas: server.replicas.enumerated().map { index, settings in
            let name = "replica\(index + 1)"
            let replicaPool = PostgresClient(configuration: settings.readerConfiguration(limits: server.limits), backgroundLogger: logger)
            PoolMetrics.register(replicaPool, name: name, capacity: 16)
            return ReplicaSet.Replica(name: name, pool: replicaPool)
        },
        configuration: server.replicaSet, logger: logger)
    var answers = SharedAnswers.Configuration()
    answers.lifetime = server.caches ? server.sharedAnswers : .zero
    let runner = QueryRunner(database: readers, wait: server.databaseWait, probe: probe,
                             statementTimeout: .milliseconds(server.limits.statementTimeoutMilliseconds),
                             statements: PreparedStatements(configuration: statements), answers: SharedAnswers(configuration: answers),
                             replicas: replicas)

    let router = Router(context: EduQLRequestContext.self)
    let audit = server.audit ? AuditSink(database: pool, probe: probe, logger: logger) : nil
    // Query strings are left out of spans: a GET's `query` and `variables` may name people.
    router.add(middleware: TracingMiddleware(redactingQueryParameters: ["query", "variables", "extensions", "operationName"]))
    let names = Dictionary(documents.byID.map { (String($0.key.dropFirst("sha256:".count)), $0.value.name) }) { first, _ in first }
    router.add(middleware: AuditMiddleware(sink: audit, log: RequestLog(documentNames: names)))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: OutageMiddleware(probe: probe))
    let buckets = TokenBuckets()
    router.add(middleware: RateLimitMiddleware(stage: .address, limits: server.rateLimits, buckets: buckets))
    router.add(middleware: PrincipalMiddleware(
        database: pool, authenticator: authenticator, clients: clients, principals: PrincipalCache(),
        idleSeconds: Int(authentication.idleTimeout.components.seconds), wait: server.databaseWait, probe: probe))
    router.add(middleware: RateLimitMiddleware(stage: .caller, limits: server.rateLimits, buckets: buckets))
    if let token = server.observability.metricsToken { MetricsController(token: token).addRoutes(to: router) }
    HealthController(database: pool, readers: readers, audit: audit, migrator: Migrator()).addRoutes(to: router)
    AuthController(deadline: server.requestDeadline, database: pool, authenticator: authenticator, clients: clients).addRoutes(to: router)
    GraphQLController(
        deadline: server.requestDeadline, runner: runner, engine: engine,
        mutations: MutationExecutor(database: pool, administration: AccountAdministration(database: pool, hashing: hashingPool, logger: logger),
                                    engine: engine, statements: runner.statements, buckets: buckets, replicas: replicas),
        documentsOnly: server.trustedDocumentsOnly
    ).addRoutes(to: router)
    OnboardingController(database: pool, jobs: ImportJobs(database: pool, logger: logger), audit: audit, deadline: server.requestDeadline, logger: logger).addRoutes(to: router)
    FormsController(database: pool, deadline: server.requestDeadline, logger: logger).addRoutes(to: router)
    let console = ConsoleController(
        console: try Console.load(),
        documents: String(decoding: try JSONEncoder().encode(Dictionary(documents.byID.map { ($0.value.name, $0.key) }) { first, _ in first }), as: UTF8.self),
        texts: documents.byID.mapValues(\.text),
        providers: server.federation.providers.map { ConsolePage.Provider(id: $0.id, name: $0.id == "esia" ? "Госуслуги (ЕСИА)" : $0.id) })
    console.addRoutes(to: router)
    FederationController(deadline: server.requestDeadline, authenticator: authenticator, configuration: server.federation, port: server.port)
        .addRoutes(to: router)
    var services: [any Service] = relay.map { [$0] } ?? []
    services += [pool, readers, hashingPool,
                                   HousekeepingService(database: pool, logger: logger, changeRetentionMonths: server.changeRetentionMonths),
                                   OrganizationRollupService(database: pool, logger: logger, interval: server.rollupRefresh)]
    if let replicas {
        services += replicas.replicas.map(\.pool) as [any Service]
        services.append(replicas)
    }
    if let audit {
        services.append(audit)
        services.append(AuditVerificationService(database: pool, logger: logger, interval: server.auditVerifyInterval))
    }
    if let port = server.observability.metricsPort {
        let metrics = Router()
        MetricsController(token: nil).addRoutes(to: metrics)
        services.append(Application(router: metrics, configuration: .init(address: .hostname(server.observability.metricsHost, port: port),
                                                                          serverName: "eduql-metrics"), logger: logger))
    }
    return Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [CloseOnInputClosedHandler()])),
        configuration: .init(address: .hostname(server.host, port: server.port), serverName: "eduql"),
        services: services,
        logger: logger
    )
}

/// The replicas' sampling runs as a service of the application's group, stopped at shutdown.
extension ReplicaSet: Service {}
