import Synchronization

/// A cancel asked of a running import, seen between its statements: an import stops after the
/// batch in hand (and before it commits) and rolls back on its own connection, rather than
/// abandoning a statement in flight, which would hand the connection back to its pool still
/// busy with it.
public final class ImportCancellation: Sendable {
    private let asked = Atomic<Bool>(false)

    public init() {}

    public func cancel() { self.asked.store(true, ordering: .relaxed) }

    /// Throws `CancellationError` once a cancel was asked.
    func check() throws {
        if self.asked.load(ordering: .relaxed) { throw CancellationError() }
    }
}
