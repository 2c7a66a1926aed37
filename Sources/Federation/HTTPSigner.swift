import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Signs through a local HTTP service (a region's signing server in front of CryptoPro): the
/// message POSTed as `application/octet-stream`, the signature (base64) in a 200 answer's body.
struct HTTPSigner: ClientSecretSigner {
    var url: String
    var http: HTTPClient
    var timeout: Duration

    func sign(_ message: Data) async throws -> Data {
        var request = HTTPClientRequest(url: self.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.body = .bytes(ByteBuffer(bytes: message))
        let answer: String
        do {
            let response = try await self.http.execute(request, timeout: .nanoseconds(Int64(self.timeout.wholeMilliseconds) * 1_000_000))
            let body = try await response.body.collect(upTo: 65_536)
            guard response.status == .ok else { throw FederationRefusal.signerFailed }
            answer = String(buffer: body)
        } catch {
            throw FederationRefusal.signerFailed
        }
        guard let signature = signature(fromBase64: answer) else { throw FederationRefusal.signerFailed }
        return signature
    }
}

extension Duration {
    var wholeMilliseconds: Int { Int(self.components.seconds) * 1000 + Int(self.components.attoseconds / 1_000_000_000_000_000) }
}
