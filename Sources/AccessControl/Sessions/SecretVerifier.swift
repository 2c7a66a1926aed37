/// The guessing defences shared by user sign-in and the client token endpoint: a per-address
/// throttle counted in the database (shared by every process), a length cap before any hashing, and a verification that costs the same whether
/// or not the name exists (an unknown name is checked against a dummy hash).
struct SecretVerifier: Sendable {
    /// The attempt is refused before any hashing.
    enum Refusal: Error {
        case throttled(retryAfter: Int)
        case tooLong
    }

    let hashing: HashingPool
    let throttle: AddressThrottle
    let dummyHash: String

    init(hashing: HashingPool, throttle: AddressThrottle) throws {
        self.hashing = hashing
        self.throttle = throttle
        self.dummyHash = try hashing.hasher.hash("a dummy secret for names that do not exist")
    }

    /// Throws a ``Refusal`` when `address` is over its rate or `secret` over the length cap.
    func admit(_ secret: String, from address: String?) async throws {
        if let wait = try await self.throttle.admit(address) { throw Refusal.throttled(retryAfter: wait) }
        guard secret.utf8.count <= self.hashing.hasher.configuration.maximumPasswordBytes else { throw Refusal.tooLong }
    }

    /// Verifies `secret` against `stored`, or spends the same time on a dummy when there is none.
    func verify(_ secret: String, against stored: String?) async throws -> Bool {
        let verified = try await self.hashing.verify(secret, against: stored ?? self.dummyHash)
        return stored != nil && verified
    }
}

extension SecretVerifier.Refusal {
    /// The audit log's code for the refusal.
    var code: String {
        switch self {
        case .throttled: "THROTTLED"
        case .tooLong: "SECRET_TOO_LONG"
        }
    }
}
