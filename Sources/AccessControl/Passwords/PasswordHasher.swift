import CArgon2

/// Hashes and verifies passwords and client secrets with Argon2id (libargon2), as PHC strings
/// with 16-byte random salts and 32-byte tags.
///
/// Hashing is CPU- and memory-heavy and blocking: call it through ``HashingPool``, never on the
/// cooperative pool.
public struct PasswordHasher: Sendable {
    public struct Configuration: Sendable {
        /// Parameters of new hashes. Default m=19456 KiB, t=2, p=1.
        public var parameters: Argon2Parameters
        /// The most memory a stored hash may ask for before it is verified. Default 256 MiB.
        public var maximumMemoryKiB: UInt32
        /// The most iterations a stored hash may ask for. Default 16.
        public var maximumIterations: UInt32
        /// The most lanes a stored hash may ask for. Default 8.
        public var maximumParallelism: UInt32
        /// Longer passwords are refused before hashing. Default 1,024 bytes.
        public var maximumPasswordBytes: Int

        public init(
            parameters: Argon2Parameters = .init(),
            maximumMemoryKiB: UInt32 = 262_144,
            maximumIterations: UInt32 = 16,
            maximumParallelism: UInt32 = 8,
            maximumPasswordBytes: Int = 1_024
        ) {
            self.parameters = parameters
            self.maximumMemoryKiB = maximumMemoryKiB
            self.maximumIterations = maximumIterations
            self.maximumParallelism = maximumParallelism
            self.maximumPasswordBytes = maximumPasswordBytes
        }
    }

    public enum Failure: Error, Equatable {
        /// The password is longer than ``Configuration/maximumPasswordBytes``.
        case passwordTooLong
        /// The stored hash is not an Argon2id PHC string.
        case malformedHash
        /// The stored hash asks for more than the configured caps.
        case parametersOutOfBounds
        /// libargon2 reported an error.
        case library(code: Int32)
    }

    static let saltLength = 16
    static let tagLength = 32

    public let configuration: Configuration

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// A new PHC string for `password` with a fresh random salt.
    public func hash(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: Self.saltLength)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        return try self.hash(password, salt: salt)
    }

    /// The PHC string for `password` with the given salt (tests use fixed salts).
    public func hash(_ password: String, salt: [UInt8]) throws -> String {
        let bytes = Array(password.utf8)
        guard bytes.count <= self.configuration.maximumPasswordBytes else { throw Failure.passwordTooLong }
        let p = self.configuration.parameters
        let length = argon2_encodedlen(p.iterations, p.memoryKiB, p.parallelism, UInt32(salt.count), UInt32(Self.tagLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let code = argon2id_hash_encoded(p.iterations, p.memoryKiB, p.parallelism, bytes, bytes.count, salt, salt.count,
                                         Self.tagLength, &encoded, length)
        guard code == ARGON2_OK.rawValue else { throw Failure.library(code: code) }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches the stored PHC string. The stored parameters are checked
    /// against the caps first, so a planted hash cannot make verification exhaust memory.
    public func verify(_ password: String, against stored: String) throws -> Bool {
        let bytes = Array(password.utf8)
        guard bytes.count <= self.configuration.maximumPasswordBytes else { throw Failure.passwordTooLong }
        guard let phc = PHCString(stored) else { throw Failure.malformedHash }
        let c = self.configuration
        guard phc.parameters.memoryKiB <= c.maximumMemoryKiB, phc.parameters.iterations <= c.maximumIterations,
              phc.parameters.parallelism <= c.maximumParallelism
        else { throw Failure.parametersOutOfBounds }
        let code = argon2id_verify(stored, bytes, bytes.count)
        switch code {
        case ARGON2_OK.rawValue: return true
        case ARGON2_VERIFY_MISMATCH.rawValue: return false
        default: throw Failure.library(code: code)
        }
    }

    /// Whether a stored hash was made with weaker parameters than the current ones.
    public func needsRehash(_ stored: String) -> Bool {
        guard let phc = PHCString(stored) else { return true }
        return phc.version != 19 || !phc.parameters.isAtLeast(self.configuration.parameters)
    }
}
