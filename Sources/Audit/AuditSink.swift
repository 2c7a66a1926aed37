import EduQLSchema
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Metrics
import Synchronization
import Tracing

/// Writes audit events with group commit: requests hand their event over and wait; one writer
/// appends everything waiting as one batch (one statement, one transaction, the chain's lock
/// taken once) and resumes the whole batch together. A request is answered only after its
/// event committed; if the batch fails, every request in it fails.
public final class AuditSink: Service, Sendable {
    /// How the sink batches.
    public struct Configuration: Sendable {
        /// Most events in one batch. Default 500.
        public var maximumBatch: Int = 500
        /// Document texts remembered as already stored (sent once). Default 10,000.
        public var rememberedDocuments: Int = 10_000
        /// Longest a batch may take to commit (a connection included) before its requests are
        /// answered 503. Default 5 seconds.
        public var appendTimeout: Duration = .seconds(5)

        public init() {}
    }

    struct Waiting {
        /// Nil for a request whose event a state change staged: its batch takes it into the chain.
        var event: AuditEvent?
        var continuation: CheckedContinuation<Void, any Error>
        /// The recording request's trace, linked from the flush that writes its event.
        var trace: ServiceContext?
    }

    struct State {
        var waiting: [Waiting] = []
        var closed = false
        var storedDocuments: Set<String> = []
        /// When the batch being written was started, while one is.
        var writingSince: ContinuousClock.Instant?
        /// When a batch last failed to be written, until one succeeds again.
        var failedAt: ContinuousClock.Instant?
    }

    let database: PostgresClient
    let probe: DatabaseProbe?
    let configuration: Configuration
    let logger: Logger
    private let state = Mutex(State())
    private let queueDepth = Gauge(label: "eduql_audit_queue_depth")
    private let batchSize = Recorder(label: "eduql_audit_batch_size")
    private let flushTime = Metrics.Timer(label: "eduql_audit_flush_seconds", preferredDisplayUnit: .seconds)
    private let flushFailures = Counter(label: "eduql_audit_flush_failures_total")
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(database: PostgresClient, probe: DatabaseProbe? = nil, configuration: Configuration = .init(), logger: Logger) {
        self.database = database
        self.probe = probe
        self.configuration = configuration
        self.logger = logger
        (self.wakeups, self.wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Returns once `event` is committed in the chain; throws ``AuditUnavailable`` if it cannot be.
    public func record(_ event: AuditEvent) async throws {
        try await self.enqueue(event)
    }

    /// Returns once the events staged by committed state changes (``AuditRecord``) are in the
    /// chain, which the next batch does first. A failure is only logged: a staged event is
    /// already as durable as its change, and the following batch takes it in.
    public func chainStaged() async {
        do {
            try await self.enqueue(nil)
        } catch {
            self.logger.warning("staged audit events not chained yet", metadata: ["error": "\(LoggableError(error))"])
        }
    }

    private func enqueue(_ event: AuditEvent?) async throws {
        let trace = ServiceContext.current
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = self.state.withLock { state -> Int? in
                guard !state.closed else { return nil }
                state.waiting.append(Waiting(event: event, continuation: continuation, trace: trace))
                return state.waiting.count
            }
            if let depth = accepted {
                self.queueDepth.record(depth)
                self.wake.yield()
            } else {
                continuation.resume(throwing: AuditUnavailable(reason: "the audit sink has stopped"))
            }
        }
    }

    /// Why the sink cannot commit events now (a batch failed in the last `window` with none
    /// written since, or one has been writing for longer than `window`); nil when it can.
    public func trouble(window: Duration = .seconds(5)) -> String? {
        self.state.withLock { state in
            if state.closed { return "the audit sink has stopped" }
            let now = ContinuousClock.now
            if let since = state.writingSince, now - since > window { return "the audit store is not answering" }
            if let failed = state.failedAt, now - failed < window { return "the audit store refused the last batch" }
            return nil
        }
    }

    public func run() async throws {
        // Events a change staged just before the last stop are taken in with the first batch.
        Task { await self.chainStaged() }
        await withGracefulShutdownHandler {
            for await _ in self.wakeups {
                await self.drain()
            }
        } onGracefulShutdown: {
            self.wake.finish()
        }
        // Whatever arrived before the stop is still written.
        self.state.withLock { $0.closed = true }
        await self.drain()
    }

    private func drain() async {
        while true {
            let (batch, stored) = self.state.withLock { state in
                let count = min(state.waiting.count, self.configuration.maximumBatch)
                let batch = Array(state.waiting.prefix(count))
                state.waiting.removeFirst(count)
                state.writingSince = batch.isEmpty ? nil : .now
                self.queueDepth.record(state.waiting.count)
                return (batch, state.storedDocuments)
            }
            guard !batch.isEmpty else { return }
            self.batchSize.record(batch.count)
            do {
                try await self.append(batch.compactMap(\.event), traces: batch.compactMap(\.trace), storedDocuments: stored)
                self.succeeded(batch)
            } catch where batch.count > 1 && !DatabaseUnavailable.classifies(error) {
                // One event the store refuses must not fail the others: write each alone.
                self.logger.warning("audit batch refused; writing its events one by one",
                                    metadata: ["events": "\(batch.count)", "error": "\(LoggableError(error))"])
                for waiting in batch {
                    do {
                        try await self.append(waiting.event.map { [$0] } ?? [], traces: waiting.trace.map { [$0] } ?? [], storedDocuments: [])
                        self.succeeded([waiting])
                    } catch {
                        self.failed([waiting], error)
                    }
                }
            } catch {
                self.failed(batch, error)
            }
        }
    }

    private func succeeded(_ batch: [Waiting]) {
        self.state.withLock { state in
            state.failedAt = nil
            if state.storedDocuments.count > self.configuration.rememberedDocuments { state.storedDocuments.removeAll() }
            state.storedDocuments.formUnion(batch.compactMap { $0.event?.documentSHA256 })
        }
        for waiting in batch { waiting.continuation.resume() }
    }

    private func failed(_ batch: [Waiting], _ error: any Error) {
        self.state.withLock { $0.failedAt = .now }
        self.logger.error("audit events not written", metadata: ["events": "\(batch.count)", "error": "\(LoggableError(error))"])
        for waiting in batch { waiting.continuation.resume(throwing: AuditUnavailable(reason: "the audit store refused the event")) }
    }

    /// Appends a batch with one statement (after the events staged so far); the wait for a connection and the statement are
    /// bounded, so a database that went away fails the batch instead of holding every request.
    private func append(_ events: [AuditEvent], traces: [ServiceContext], storedDocuments: Set<String>) async throws {
        var seen = storedDocuments
        let objects = events.map { event in
            let first = event.documentSHA256.map { seen.insert($0).inserted } ?? false
            return event.json(includingDocument: first)
        }
        let json = "[" + objects.joined(separator: ",") + "]"
        let timeout = self.configuration.appendTimeout
        let started = ContinuousClock.now
        do {
            try await withSpan("audit flush", ofKind: .client) { span in
                span.attributes["eduql.audit.events"] = events.count
                // The flush runs in the sink's task: each request's trace is linked to it.
                if span.isRecording { for trace in traces { span.addLink(SpanLink(context: trace, attributes: [:])) } }
                try await self.database.withConnection(lease: min(timeout, .seconds(2)), total: timeout, probe: self.probe) { [logger] connection in
                    try await connection.execute("SELECT eduql.append_audit(\(json)::jsonb)", logger: logger)
                }
            }
            self.flushTime.record(duration: .now - started)
        } catch {
            self.flushFailures.increment()
            throw error
        }
    }
}

extension AuditEvent {
    /// Appends this event alone, on `connection` (inside the caller's transaction, if any):
    /// for what happens outside a request, such as the command line.
    public func append(on connection: PostgresConnection, logger: Logger) async throws {
        let json = "[" + self.json(includingDocument: true) + "]"
        try await connection.execute("SELECT eduql.append_audit(\(json)::jsonb)", logger: logger)
    }

    /// Stages this event on `connection`, inside the caller's transaction (``AuditRecord``).
    func stage(on connection: PostgresConnection, logger: Logger) async throws {
        let json = "[" + self.json(includingDocument: true) + "]"
        try await connection.execute("SELECT eduql.stage_audit(\(json)::jsonb)", logger: logger)
    }
}
