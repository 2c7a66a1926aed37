import Logging

/// How EduQL is watched: logs, metrics and traces.
public struct ObservabilityConfiguration: Sendable {
    /// How log lines are written.
    public enum LogFormat: String, Sendable {
        /// One JSON object per line (``JSONLogHandler``).
        case json
        /// swift-log's plain text, for a terminal.
        case text
    }

    /// Lowest level logged, from `LOG_LEVEL`. Default `info`: one line per request.
    public var logLevel: Logger.Level = .info
    /// From `EDUQL_LOG_FORMAT` (`json` or `text`). Default `json`.
    public var logFormat: LogFormat = .json
    /// The bearer token `GET /metrics` on the API's port asks for, from `EDUQL_METRICS_TOKEN`.
    /// Default none: `/metrics` is not served on the API's port.
    public var metricsToken: String?
    /// A separate port serving `/metrics` without a token, from `EDUQL_METRICS_PORT`, on
    /// `EDUQL_METRICS_HOST` (default `127.0.0.1`). Default none.
    public var metricsPort: Int?
    public var metricsHost = "127.0.0.1"
    /// Where spans go over OTLP/HTTP, from `OTEL_EXPORTER_OTLP_ENDPOINT` (such as
    /// `http://collector:4318`). Default none: tracing is off and costs nothing.
    public var tracingEndpoint: String?
    /// The service name spans carry, from `OTEL_SERVICE_NAME`. Default `eduql`.
    public var serviceName = "eduql"

    public init() {}

    /// Reads the keys above, keeping the defaults for what is unset.
    init(settings: Settings) throws {
        self.init()
        self.logLevel = try settings.choice("LOG_LEVEL", default: "info",
                                            accepts: "trace, debug, info, notice, warning, error or critical", parse: Logger.Level.init(rawValue:))
        self.logFormat = try settings.choice("EDUQL_LOG_FORMAT", default: "json", accepts: "json or text", parse: LogFormat.init(rawValue:))
        self.metricsToken = try settings.choice("EDUQL_METRICS_TOKEN", default: "none", accepts: "none or at least 16 characters",
                                                secret: true) { text -> String?? in
            text == "none" ? .some(nil) : text.count >= 16 ? .some(text) : nil
        }
        let port = try settings.integer("EDUQL_METRICS_PORT", default: 0, in: 0...65535, unit: "0: no separate port")
        self.metricsPort = port == 0 ? nil : port
        self.metricsHost = settings.text("EDUQL_METRICS_HOST", default: self.metricsHost, accepts: "a host name or address") ?? self.metricsHost
        self.tracingEndpoint = try settings.choice("OTEL_EXPORTER_OTLP_ENDPOINT", default: "none",
                                                   accepts: "none or an http:// or https:// URL of an OTLP/HTTP collector") { text -> String?? in
            text == "none" ? .some(nil) : (text.hasPrefix("http://") || text.hasPrefix("https://")) ? .some(text) : nil
        }
        self.serviceName = settings.text("OTEL_SERVICE_NAME", default: self.serviceName, accepts: "a service name") ?? self.serviceName
    }
}
