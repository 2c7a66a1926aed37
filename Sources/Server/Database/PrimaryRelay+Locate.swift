import EduQLSchema
import Logging
import Metrics
import NIOPosix
import PostgresNIO
import Synchronization

extension PrimaryRelay {
    /// What one member answered: whether it is in recovery (a standby); nil when it did not answer.
    typealias Answer = (endpoint: PrimaryRelay.Endpoint, inRecovery: Bool?, session: PostgresConnection?)

    /// Asks every member at once, each on its kept connection (opened anew when lost), and
    /// takes the one that is not in recovery as the primary.
    func locate() async {
        let sessions = self.sessions.withLock { $0 }
        let answers = await withTaskGroup(of: Answer.self) { group in
            for endpoint in self.configuration.hosts {
                group.addTask { await self.ask(endpoint, session: sessions[endpoint]) }
            }
            return await group.reduce(into: [Answer]()) { $0.append($1) }
        }
        let claimants = answers.filter { $0.inRecovery == false }.map(\.endpoint)
        self.settle(claimants.count == 1 ? claimants[0] : nil, claimants: claimants)
        let kept = Dictionary(answers.compactMap { answer in answer.session.map { (answer.endpoint, $0) } }) { first, _ in first }
        self.sessions.withLock { $0 = kept }
    }

    /// One member's answer, within a second.
    private func ask(_ endpoint: Endpoint, session: PostgresConnection?) async -> Answer {
        var session = session
        do {
            let inRecovery = try await Deadline.run(within: .seconds(1)) { [session, credentials, logger] in
                let connection: PostgresConnection
                if let session, !session.isClosed {
                    connection = session
                } else {
                    var settings = credentials
                    settings.host = endpoint.host
                    settings.port = endpoint.port
                    var configuration = settings.connectionConfiguration
                    configuration.options.connectTimeout = .seconds(1)
                    connection = try await PostgresConnection.connect(
                        on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 0, logger: logger)
                }
                let inRecovery = try await connection.query("SELECT pg_is_in_recovery()", logger: logger).collect().first?.decode(Bool.self)
                return (inRecovery, connection)
            }
            session = inRecovery.1
            return (endpoint, inRecovery.0, session)
        } catch {
            if let session { try? await session.close() }
            return (endpoint, nil, nil)
        }
    }

    /// Makes `primary` the one connections are joined to; closes those joined to another.
    func settle(_ primary: Endpoint?, claimants: [Endpoint]) {
        let (previous, stale) = self.state.withLock { state -> (Endpoint?, [any Channel]) in
            let previous = state.primary
            guard previous != primary else { return (previous, []) }
            state.primary = primary
            let stale = state.relayed.values.filter { $0.to != primary }.map(\.channel)
            return (previous, stale)
        }
        guard previous != primary else { return }
        for channel in stale { channel.close(promise: nil) }
        for endpoint in self.configuration.hosts {
            Gauge(label: "eduql_primary", dimensions: [("host", endpoint.description)]).record(endpoint == primary ? 1 : 0)
        }
        Counter(label: "eduql_primary_changes_total").increment()
        if let primary {
            self.logger.warning("primary found", metadata: ["primary": "\(primary)", "previous": "\(previous.map(\.description) ?? "none")"])
        } else {
            self.logger.error("no primary: writes are refused until one member alone takes them",
                              metadata: ["claimants": "\(claimants.map(\.description))", "previous": "\(previous.map(\.description) ?? "none")"])
        }
    }
}
