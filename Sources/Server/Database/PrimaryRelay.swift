import EduQLSchema
import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Follows the primary among the hosts of a replicated cluster (Patroni's members, or any
/// primary and its streaming standbys) and relays the server's own connections to it.
///
/// Every ``Configuration/interval`` each host is asked `pg_is_in_recovery()`; the primary is the
/// one host that answers `false`. The server's pools connect to this relay on loopback, and each
/// new connection is joined to the primary of that moment, so the pools, the audit sink and the
/// probe need no knowledge of failover. While no host — or more than one — claims to be the
/// primary, the relay refuses connections at once: writes are answered 503 with `Retry-After`
/// (never written to a host that may be demoted), and the pools reconnect by themselves once a
/// primary is found. When the primary changes, connections still joined to the old one are
/// closed, so no statement runs on a demoted host.
public final class PrimaryRelay: Service, Sendable {
    public struct Configuration: Sendable {
        /// The cluster's members, each as host and port.
        public var hosts: [Endpoint]
        /// How often every member is asked whether it is the primary. Default 200 ms.
        public var interval: Duration = .milliseconds(200)

        public init(hosts: [Endpoint]) { self.hosts = hosts }
    }

    /// A host and port.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `host:port` (port 5432 when left out).
        public init?(_ text: some StringProtocol) {
            let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
            guard let host = parts.first, !host.isEmpty, parts.count <= 2 else { return nil }
            guard let port = parts.count == 2 ? Int(parts[1]) : 5432, (1...65535).contains(port) else { return nil }
            self.init(host: String(host), port: port)
        }

        public var description: String { "\(self.host):\(self.port)" }
    }

    struct State {
        var primary: Endpoint?
        /// The relayed connections, with the member each was joined to.
        var relayed: [ObjectIdentifier: (channel: any Channel, to: Endpoint)] = [:]
    }

    public let configuration: Configuration
    /// Who asks the members (the server's own role: `pg_is_in_recovery()` needs no privilege).
    let credentials: ConnectionSettings
    let logger: Logger
    let state = Mutex(State())
    /// The connection each member is asked on, kept between rounds.
    let sessions = Mutex<[Endpoint: PostgresConnection]>([:])
    private let listener: any Channel

    /// The loopback port the server's pools connect to.
    public var port: Int { self.listener.localAddress?.port ?? 0 }

    /// Starts listening on a free loopback port; members are asked once ``run()`` runs.
    public init(configuration: Configuration, credentials: ConnectionSettings, logger: Logger) async throws {
        self.configuration = configuration
        self.credentials = credentials
        self.logger = logger
        let accepted = Mutex<(@Sendable (any Channel) -> EventLoopFuture<Void>)?>(nil)
        self.listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                accepted.withLock { $0 }?(channel) ?? channel.close()
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        accepted.withLock { $0 = { [weak self] channel in self?.join(channel) ?? channel.close() } }
    }

    /// Asks the members every interval until the server shuts down, then stops listening.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                await self.locate()
                try await Task.sleep(for: self.configuration.interval)
            }
        }
        for connection in self.sessions.withLock({ $0.values }) { try? await connection.close() }
        try? await self.listener.close()
    }

    /// The member taking writes now, if one alone claims it.
    public var primary: Endpoint? { self.state.withLock { $0.primary } }

    /// Joins an accepted connection to the primary, or closes it when there is none.
    private func join(_ inbound: any Channel) -> EventLoopFuture<Void> {
        guard let target = self.primary else { return inbound.close() }
        let loop = inbound.eventLoop
        let (inboundEnd, outboundEnd) = RelayGlue.pair()
        let outboundGlue = NIOLoopBound(outboundEnd, eventLoop: loop)
        let inboundGlue = NIOLoopBound(inboundEnd, eventLoop: loop)
        return ClientBootstrap(group: loop)
            .connectTimeout(.seconds(1))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { outbound in
                outbound.eventLoop.makeCompletedFuture { try outbound.pipeline.syncOperations.addHandler(outboundGlue.value) }
            }
            .connect(host: target.host, port: target.port)
            .flatMap { outbound in
                let key = ObjectIdentifier(inbound)
                let current = self.state.withLock { state -> Bool in
                    guard state.primary == target else { return false }
                    state.relayed[key] = (inbound, target)
                    return true
                }
                guard current else {
                    outbound.close(promise: nil)
                    return inbound.close()
                }
                inbound.closeFuture.whenComplete { _ in
                    _ = self.state.withLock { $0.relayed.removeValue(forKey: key) }
                    outbound.close(promise: nil)
                }
                return loop.makeCompletedFuture {
                    try inbound.pipeline.syncOperations.addHandler(inboundGlue.value)
                }.flatMap {
                    inbound.setOption(.socketOption(.tcp_nodelay), value: 1)
                }.flatMap {
                    inbound.setOption(.autoRead, value: true)
                }
            }
            .flatMapError { _ in inbound.close() }
    }
}
