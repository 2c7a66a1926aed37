import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 exchange over a socket of its own (`Connection: close`), read to its end, for
/// telling a whole answer from one cut off: blocking, so run it on a thread of its own.
enum BlockingHTTP {
    enum Outcome: Sendable {
        /// The connection was refused: the server no longer listens.
        case refused
        /// Closed without a byte of answer: never taken up.
        case unanswered
        /// Part of an answer, then the end: what must never happen.
        case cutOff(String)
        /// A whole answer.
        case answered(status: Int, requestID: String?, body: String)
    }

    static func exchange(port: Int, method: String = "POST", path: String, body: String, token: String?) -> Outcome {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return .refused }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return .refused }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        request += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return .unanswered }
            sent += written
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[..<count]
        }
        return Self.parse(received)
    }

    /// A whole answer, or where it stopped.
    static func parse(_ received: [UInt8]) -> Outcome {
        guard !received.isEmpty else { return .unanswered }
        let text = String(decoding: received, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return .cutOff("headers: \(text.prefix(200))") }
        let head = text[..<end.lowerBound].split(separator: "\r\n")
        guard let statusLine = head.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            return .cutOff("status line: \(text.prefix(200))")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let headerBytes = text[..<end.upperBound].utf8.count
        var body = Array(received[headerBytes...])
        if let length = headers["content-length"].flatMap(Int.init) {
            guard body.count == length else { return .cutOff("\(body.count) of \(length) bytes") }
        } else if headers["transfer-encoding"]?.lowercased() == "chunked" {
            guard let decoded = Self.dechunk(body) else { return .cutOff("an unfinished chunked body") }
            body = decoded
        }
        return .answered(status: status, requestID: headers["x-request-id"], body: String(decoding: body, as: UTF8.self))
    }

    /// A chunked body's bytes; nil when its last chunk never came.
    static func dechunk(_ bytes: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = [], index = 0
        while true {
            guard let lineEnd = (index..<max(index, bytes.count - 1)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                  let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16)
            else { return nil }
            if size == 0 { return out }
            let start = lineEnd + 2
            guard start + size + 2 <= bytes.count else { return nil }
            out += bytes[start..<(start + size)]
            index = start + size + 2
        }
    }
}
