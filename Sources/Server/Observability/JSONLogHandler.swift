import EduQLAudit
import Foundation
import Logging
import Synchronization

/// Writes each log message as one JSON object on one line: `time`, `level`, `logger`,
/// `message`, then the metadata's keys. What goes in is the callers' business: nothing in
/// EduQL logs personal data, passwords, tokens or variable values (``RequestLog``).
public struct JSONLogHandler: LogHandler {
    /// Where lines go: a file descriptor, written whole under a lock so lines never interleave.
    public final class Output: Sendable {
        private let descriptor: Mutex<Int32>

        /// Standard error: a command's output on standard output stays its own; a container
        /// runtime collects both.
        public static let standardError = Output(descriptor: STDERR_FILENO)

        public init(descriptor: Int32) {
            self.descriptor = Mutex(descriptor)
        }

        /// Appends to the file at `path`, created when missing.
        public convenience init(appendingTo path: String) throws {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
            guard descriptor >= 0 else { throw ConfigurationError("cannot open the log file \(path)") }
            self.init(descriptor: descriptor)
        }

        func write(_ line: String) {
            var line = line
            line.append("\n")
            self.descriptor.withLock { descriptor in
                line.withUTF8 { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                        if written < 0, errno == EINTR { continue }
                        if written <= 0 { return }
                        offset += written
                    }
                }
            }
        }
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let output: Output

    public init(label: String, level: Logger.Level = .info, output: Output = .standardError) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = self.metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        var line = "{\"time\":" + Self.quoted(Date.now.ISO8601Format(.iso8601(timeZone: .gmt, includingFractionalSeconds: true)))
        line += ",\"level\":" + Self.quoted(event.level.rawValue)
        line += ",\"logger\":" + Self.quoted(self.label)
        line += ",\"message\":" + Self.quoted(event.message.description)
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !["time", "level", "logger", "message"].contains(key) {
            line += "," + Self.quoted(key) + ":" + Self.json(value)
        }
        line += "}"
        self.output.write(line)
    }

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): Self.quoted(text)
        case .stringConvertible(let value):
            if let number = value as? any BinaryInteger { "\(number)" }
            else if let number = value as? Double, number.isFinite { "\(number)" }
            else if let flag = value as? Bool { "\(flag)" }
            else { Self.quoted(value.description) }
        case .array(let values): "[" + values.map(Self.json).joined(separator: ",") + "]"
        case .dictionary(let fields): "{" + fields.sorted { $0.key < $1.key }.map { Self.quoted($0.key) + ":" + Self.json($0.value) }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        JSONWriter.quoted(text)
    }
}
