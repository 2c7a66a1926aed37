import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Runs Argon2 off the cooperative pool on a fixed number of threads (default: half the cores,
/// so that reads keep the other half through a flood of sign-ins), with a short bounded queue.
/// When full, callers get ``Overloaded`` at once (HTTP 503 with Retry-After) rather than a slow
/// answer after a long wait.
public final class HashingPool: Service, Sendable {
    public struct Configuration: Sendable {
        /// Threads hashing at once. Default: half the cores, at least one.
        public var threads: Int = max(1, System.coreCount / 2)
        /// Jobs that may wait for a thread. Default 8 per thread: at ~25 ms a hash, a sign-in
        /// waits at most ~0.2 s before its own hash starts, or is refused at once.
        public var queueLimit: Int = 8 * max(1, System.coreCount / 2)

        public init() {}
    }

    /// Every thread is busy and the queue is full.
    public struct Overloaded: Error {}

    public let hasher: PasswordHasher
    private let pool: NIOThreadPool
    private let limit: Int
    private let admitted = NIOLockedValueBox(0)
    private let threads: Int
    /// Jobs admitted beyond the threads: waiting for one (`eduql_argon2_queue_depth`).
    private let queueDepth = Gauge(label: "eduql_argon2_queue_depth")
    private let rejected = Counter(label: "eduql_argon2_rejections_total")
    private let duration = Metrics.Timer(label: "eduql_argon2_seconds", preferredDisplayUnit: .seconds)

    public init(hasher: PasswordHasher = PasswordHasher(), configuration: Configuration = .init()) {
        self.hasher = hasher
        self.limit = configuration.threads + configuration.queueLimit
        self.threads = configuration.threads
        self.pool = NIOThreadPool(numberOfThreads: configuration.threads)
        self.pool.start()
    }

    /// Runs `body` with the hasher on a pool thread, or throws ``Overloaded``.
    public func run<Result: Sendable>(_ body: @Sendable @escaping (PasswordHasher) throws -> Result) async throws -> Result {
        let admitted = self.admitted.withLockedValue { count -> Int? in
            guard count < self.limit else { return nil }
            count += 1
            return count
        }
        guard let admitted else {
            self.rejected.increment()
            throw Overloaded()
        }
        self.queueDepth.record(max(0, admitted - self.threads))
        defer {
            let now = self.admitted.withLockedValue { count in
                count -= 1
                return count
            }
            self.queueDepth.record(max(0, now - self.threads))
        }
        let hasher = self.hasher
        let duration = self.duration
        return try await self.pool.runIfActive {
            let started = ContinuousClock.now
            defer { duration.record(duration: .now - started) }
            return try body(hasher)
        }
    }

    public func hash(_ password: String) async throws -> String {
        try await self.run { try $0.hash(password) }
    }

    public func verify(_ password: String, against stored: String) async throws -> Bool {
        try await self.run { try $0.verify(password, against: stored) }
    }

    /// Keeps the threads until graceful shutdown, then stops them.
    public func run() async throws {
        try? await gracefulShutdown()
        try await self.pool.shutdownGracefully()
    }
}
