import NIOCore
import NIOPosix

/// A bare TCP connection to the live server that the test closes when it chooses, so a test
/// decides exactly when the client goes away (URLSession's cancel may keep the socket open).
struct RawConnection {
    let channel: any Channel

    /// Connects to `port` on the loopback address.
    static func open(port: Int) async throws -> RawConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel)
    }

    /// Sends one HTTP/1.1 POST of `body` to `path`, without waiting for the answer.
    func post(path: String = "/graphql", body: String, token: String) async throws {
        let head = """
            POST \(path) HTTP/1.1\r
            Host: 127.0.0.1\r
            Content-Type: application/json\r
            Authorization: Bearer \(token)\r
            Content-Length: \(body.utf8.count)\r
            \r

            """
        try await self.channel.writeAndFlush(ByteBuffer(string: head + body)).get()
    }

    /// Closes the connection: the client has gone away.
    func close() async throws {
        try await self.channel.close().get()
    }
}
