import GraphQL
import Metrics
import Synchronization

/// Compiled operations, kept per (policy, principal kind, document, operation, variable shape)
/// and, under one key, per the values they depend on. Bounded: the least recently used key
/// goes first, and a key keeps at most ``Configuration/variantsPerKey`` plans.
public final class PlanCache: Sendable {
    /// How the cache behaves.
    public struct Configuration: Sendable {
        /// Keys kept. Default 2,000.
        public var capacity = 2_000
        /// Plans kept under one key (one per value of an ordering, a grouping, an `@include`). Default 16.
        public var variantsPerKey = 16
        /// Whether plans are kept at all (off: every request compiles its operation). Default on.
        public var enabled = true

        public init() {}
    }

    /// Counts, for tests and metrics.
    public struct Counts: Sendable, Equatable {
        public var compiled = 0
        public var hits = 0
        public var evicted = 0
    }

    struct Key: Hashable, Sendable {
        var policy: String
        var principal: String
        var document: String
        var operation: String?
        var shape: VariableShape
    }

    private struct Entry {
        var plans: [CompiledOperation]
        var used: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
        var counts = Counts()
    }

    public let configuration: Configuration
    private let state = Mutex(State())
    private let hits = Counter(label: "eduql_plan_cache_total", dimensions: [("result", "hit")])
    private let misses = Counter(label: "eduql_plan_cache_total", dimensions: [("result", "miss")])

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    public var statistics: Counts { self.state.withLock { $0.counts } }

    /// The plan for `key` that serves `variables`, compiled by `compile` when there is none.
    func plan(for key: Key, variables: [String: Map], compile: () throws -> CompiledOperation) rethrows -> CompiledOperation {
        if self.configuration.enabled, let found = self.state.withLock({ state -> CompiledOperation? in
            guard let plan = state.entries[key]?.plans.first(where: { $0.serves(variables) }) else { return nil }
            state.clock += 1
            state.entries[key]!.used = state.clock
            state.counts.hits += 1
            return plan
        }) {
            self.hits.increment()
            return found
        }
        self.misses.increment()
        let plan = try compile()
        self.state.withLock { state in
            state.counts.compiled += 1
            guard self.configuration.enabled else { return }
            state.clock += 1
            var entry = state.entries[key] ?? Entry(plans: [], used: state.clock)
            entry.used = state.clock
            // Another request may have compiled the same plan meanwhile.
            if !entry.plans.contains(where: { $0.dependencies == plan.dependencies }) {
                if entry.plans.count >= self.configuration.variantsPerKey { entry.plans.removeFirst() }
                entry.plans.append(plan)
            }
            state.entries[key] = entry
            if state.entries.count > self.configuration.capacity,
               let oldest = state.entries.min(by: { $0.value.used < $1.value.used })?.key {
                state.entries.removeValue(forKey: oldest)
                state.counts.evicted += 1
            }
        }
        return plan
    }
}
