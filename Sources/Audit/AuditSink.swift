import EduQLSchema
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

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

        public init() {}
    }

    struct Waiting {
        var event: AuditEvent
        var continuation: CheckedContinuation<Void, any Error>
    }

    struct State {
        var waiting: [Waiting] = []
        var closed = false
        var storedDocuments: Set<String> = []
    }

    let database: PostgresClient
    let configuration: Configuration
    let logger: Logger
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(database: PostgresClient, configuration: Configuration = .init(), logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.logger = logger
        (self.wakeups, self.wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Returns once `event` is committed in the chain; throws ``AuditUnavailable`` if it cannot be.
    public func record(_ event: AuditEvent) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = self.state.withLock { state in
                guard !state.closed else { return false }
                state.waiting.append(Waiting(event: event, continuation: continuation))
                return true
            }
            if accepted {
                self.wake.yield()
            } else {
                continuation.resume(throwing: AuditUnavailable(reason: "the audit sink has stopped"))
            }
        }
    }

    public func run() async throws {
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
                return (batch, state.storedDocuments)
            }
            guard !batch.isEmpty else { return }
            do {
                try await self.append(batch.map(\.event), storedDocuments: stored)
                self.state.withLock { state in
                    if state.storedDocuments.count > self.configuration.rememberedDocuments { state.storedDocuments.removeAll() }
                    state.storedDocuments.formUnion(batch.compactMap(\.event.documentSHA256))
                }
                for waiting in batch { waiting.continuation.resume() }
            } catch {
                self.logger.error("audit batch failed", metadata: ["events": "\(batch.count)", "error": "\(String(reflecting: error))"])
                for waiting in batch { waiting.continuation.resume(throwing: AuditUnavailable(reason: "the audit store refused the batch")) }
            }
        }
    }

    private func append(_ events: [AuditEvent], storedDocuments: Set<String>) async throws {
        var seen = storedDocuments
        let objects = events.map { event in
            let first = event.documentSHA256.map { seen.insert($0).inserted } ?? false
            return event.json(includingDocument: first)
        }
        let json = "[" + objects.joined(separator: ",") + "]"
        try await self.database.withConnection { connection in
            try await connection.execute("SELECT eduql.append_audit(\(json)::jsonb)", logger: self.logger)
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
}
