/// Argon2id cost parameters, as written in a PHC string (`m=19456,t=2,p=1`).
public struct Argon2Parameters: Sendable, Equatable, CustomStringConvertible {
    /// Memory in KiB. Default 19,456 (19 MiB), OWASP's minimum for Argon2id.
    public var memoryKiB: UInt32
    /// Passes over memory. Default 2.
    public var iterations: UInt32
    /// Lanes. Default 1.
    public var parallelism: UInt32

    public init(memoryKiB: UInt32 = 19_456, iterations: UInt32 = 2, parallelism: UInt32 = 1) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
    }

    /// True when every cost is at least that of `other`.
    public func isAtLeast(_ other: Argon2Parameters) -> Bool {
        self.memoryKiB >= other.memoryKiB && self.iterations >= other.iterations && self.parallelism >= other.parallelism
    }

    public var description: String { "m=\(self.memoryKiB),t=\(self.iterations),p=\(self.parallelism)" }
}
