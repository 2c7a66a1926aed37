import EduQLAccessControl
import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core context, the peer's address, when
/// the connection closes, and who is calling (resolved once, by ``PrincipalMiddleware``).
public struct EduQLRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Completes when the client's connection closes.
    let connectionClosed: EventLoopFuture<Void>?
    /// The caller of a request that presented a bearer token, once resolved.
    var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
        self.connectionClosed = source.channel.closeFuture
    }
}
