import Logging
import OTel
import ServiceLifecycle
import Tracing

extension ObservabilityConfiguration {
    /// With `OTEL_EXPORTER_OTLP_ENDPOINT` set: bootstraps swift-distributed-tracing with
    /// swift-otel's tracer exporting over OTLP/HTTP, and returns its exporting service (to run
    /// with the server, so that it flushes on shutdown). Without: nil, and the no-op tracer
    /// stays (spans cost a task-local read). The other `OTEL_…` variables (sampler, batch
    /// delay, headers) apply as the OpenTelemetry specification defines them.
    func bootstrapTracing(logger: Logger) throws -> (any Service)? {
        guard let endpoint = self.tracingEndpoint else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = self.serviceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + "/v1/traces"
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracer)
        return service
    }
}
