import NIOCore

/// One end of a byte relay between two channels on the same event loop: what one channel
/// reads the other writes, a half-close crosses over, and either closing closes both. A side
/// reads only while its partner can take more (backpressure), as in swift-nio's proxy example.
final class RelayGlue: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: RelayGlue?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    private init() {}

    /// Two ends joined to each other.
    static func pair() -> (RelayGlue, RelayGlue) {
        let first = RelayGlue(), second = RelayGlue()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    /// Joined: a read the partner held back while this end was not there yet goes ahead.
    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isWritable, let partner, partner.pendingRead {
            partner.pendingRead = false
            partner.context?.read()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { self.partner?.context?.write(data, promise: nil) }

    func channelReadComplete(context: ChannelHandlerContext) { self.partner?.context?.flush() }

    func channelInactive(context: ChannelHandlerContext) { self.partner?.context?.close(promise: nil) }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { self.partner?.context?.close(promise: nil) }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent { self.partner?.context?.close(mode: .output, promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let partner, partner.pendingRead {
            partner.pendingRead = false
            partner.context?.read()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if self.partner?.context?.channel.isWritable ?? false {
            context.read()
        } else {
            self.pendingRead = true
        }
    }
}
