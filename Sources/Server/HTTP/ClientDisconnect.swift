import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Closes a connection once the client has closed its side: a client that stops sending has
/// gone away (HTTP/1.1 clients do not half-close while waiting for an answer), and closing
/// lets ``EduQLRequestContext/cancellingOnDisconnect(_:)`` cancel the work done for it.
final class CloseOnInputClosedHandler: ChannelInboundHandler, RemovableChannelHandler {
    /// Reads pass through untouched; only the input-closed event matters here.
    typealias InboundIn = Any

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

extension EduQLRequestContext {
    /// Runs a handler's `work`, cancelling it when the client's connection closes before the
    /// answer is ready; then answers 499 (nobody reads it; the audit event records it).
    func cancellingOnDisconnect(_ work: @escaping @Sendable () async -> Response) async -> Response {
        guard let closed = self.connectionClosed else { return await work() }
        let disconnected = Signal()
        closed.whenComplete { _ in disconnected.fire() }
        return await withTaskGroup(of: Response?.self) { group in
            group.addTask { await work() }
            group.addTask {
                await withTaskCancellationHandler { await disconnected.wait() } onCancel: { disconnected.fire() }
                return nil
            }
            defer { group.cancelAll() }
            while let result = await group.next() {
                // Work cut short by the disconnect may still return an answer (an error made of
                // its cancellation): nobody reads it, and the record says the client went away.
                if let response = result, !disconnected.fired { return response }
                // The connection closed first: stop the handler.
                group.cancelAll()
                self.logger.debug("client went away; request cancelled")
                break
            }
            return Response(status: .init(code: 499, reasonPhrase: "Client Closed Request"))
        }
    }
}

/// A one-shot signal awaited by one task.
final class Signal: Sendable {
    private struct State {
        var fired = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Whether the signal has fired.
    var fired: Bool { self.state.withLock { $0.fired } }

    func fire() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.fired else { return nil }
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let fired = self.state.withLock { state in
                if !state.fired { state.waiter = continuation }
                return state.fired
            }
            if fired { continuation.resume() }
        }
    }
}
