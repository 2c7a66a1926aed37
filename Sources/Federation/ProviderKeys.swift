import Foundation
import JWTKit

/// A provider's signing keys (its JWKS), cached: a token naming a key the cache does not hold
/// fetches the set once more — at most once per ``Configuration/refetchInterval`` — so a key
/// rotation at the provider is followed, and a flood of unknown `kid`s does not become a flood
/// of requests to it.
actor ProviderKeys {
    struct Configuration: Sendable {
        /// Shortest time between two fetches prompted by unknown keys. Default 10 seconds.
        var refetchInterval: Duration = .seconds(10)
    }

    private let fetch: @Sendable () async throws -> JWKS
    private let configuration: Configuration
    private var keys: (set: JWKS, collection: JWTKeyCollection)?
    private var fetchedAt: ContinuousClock.Instant?

    init(configuration: Configuration = .init(), fetch: @escaping @Sendable () async throws -> JWKS) {
        self.configuration = configuration
        self.fetch = fetch
    }

    /// The key set and a collection verifying with it, holding the key `kid` names if the
    /// provider publishes it.
    func keys(holding kid: String) async throws -> (set: JWKS, collection: JWTKeyCollection) {
        if let keys, keys.set.find(identifier: kid)?.isEmpty == false { return keys }
        if let keys, let fetchedAt, ContinuousClock.now - fetchedAt < self.configuration.refetchInterval { return keys }
        let set = try await self.fetch()
        self.fetchedAt = .now
        let collection = JWTKeyCollection()
        for jwk in set.keys where jwk.keyIdentifier != nil && [.rsa, .ecdsa].contains(jwk.keyType) {
            // A key the library cannot use (an encryption key, an unknown curve) is left out.
            _ = try? await collection.add(jwk: jwk)
        }
        self.keys = (set, collection)
        return (set, collection)
    }
}
