import Crypto
import Foundation
import Hummingbird
import Metrics
import Prometheus

/// `GET /metrics`: every metric in Prometheus's text format, from swift-prometheus's registry.
/// On the API's port it asks for `Authorization: Bearer <EDUQL_METRICS_TOKEN>` and is not served
/// without a configured token; on the separate metrics port it asks for nothing.
struct MetricsController: Sendable {
    /// The token asked for; nil serves without one (the separate port only).
    let token: String?

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("metrics") { request, _ -> Response in
            if let token = self.token {
                guard let presented = request.bearerToken, Self.equal(presented, token) else {
                    return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"metrics\""])
                }
            }
            var buffer: [UInt8] = []
            buffer.reserveCapacity(64 * 1024)
            MetricsRegistry.shared.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    /// Compares in time independent of where the texts differ.
    static func equal(_ presented: String, _ expected: String) -> Bool {
        let a = SHA256.hash(data: Data(presented.utf8)), b = SHA256.hash(data: Data(expected.utf8))
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The process's Prometheus registry. The first use bootstraps swift-metrics with
/// swift-prometheus's factory on it, so every `Counter`, `Gauge`, `Recorder` and `Timer` in
/// EduQL lands here (durations in seconds).
enum MetricsRegistry {
    static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
        ]
        factory.defaultValueHistogramBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
