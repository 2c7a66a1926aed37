import CArgon2
@testable import EduQLAccessControl
@testable import EduQLServer
import Foundation
import Testing

@Suite("Argon2id")
struct Argon2Tests {
    /// Fast parameters for tests that hash many times; the defaults are tested on their own.
    let fast = PasswordHasher(configuration: .init(parameters: Argon2Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)))

    @Test("RFC 9106 §5.3 test vector, with secret and associated data, through argon2_ctx")
    func rfc9106Vector() throws {
        var out = [UInt8](repeating: 0, count: 32)
        var password = [UInt8](repeating: 0x01, count: 32)
        var salt = [UInt8](repeating: 0x02, count: 16)
        var secret = [UInt8](repeating: 0x03, count: 8)
        var associated = [UInt8](repeating: 0x04, count: 12)
        let code = out.withUnsafeMutableBufferPointer { out in
            password.withUnsafeMutableBufferPointer { password in
                salt.withUnsafeMutableBufferPointer { salt in
                    secret.withUnsafeMutableBufferPointer { secret in
                        associated.withUnsafeMutableBufferPointer { associated in
                            var context = argon2_context(
                                out: out.baseAddress, outlen: 32, pwd: password.baseAddress, pwdlen: 32, salt: salt.baseAddress, saltlen: 16,
                                secret: secret.baseAddress, secretlen: 8, ad: associated.baseAddress, adlen: 12,
                                t_cost: 3, m_cost: 32, lanes: 4, threads: 4, version: UInt32(ARGON2_VERSION_13.rawValue),
                                allocate_cbk: nil, free_cbk: nil, flags: 0)
                            return argon2_ctx(&context, Argon2_id)
                        }
                    }
                }
            }
        }
        #expect(code == ARGON2_OK.rawValue)
        let hex = out.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659")
    }

    @Test("hashes are PHC strings with the default parameters, 16-byte salts and 32-byte tags, and verify")
    func phcRoundTrip() throws {
        let hasher = PasswordHasher()
        let hash = try hasher.hash("correct horse battery staple")
        #expect(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        let phc = try #require(PHCString(hash))
        #expect(Data(base64Encoded: String(phc.salt) + "==")?.count == 16)
        #expect(Data(base64Encoded: String(phc.hash) + "=")?.count == 32)
        #expect(try hasher.verify("correct horse battery staple", against: hash))
        #expect(try !hasher.verify("correct horse battery stapler", against: hash))
        #expect(try hasher.hash("same") != hasher.hash("same"), "fresh salt per hash")
        #expect(PHCString("$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA") == nil)
        #expect(PHCString("$argon2id$v=19$m=19456,t=2$c2FsdA$aGFzaA") == nil)
    }

    @Test("a hash with weaker parameters than the current ones needs a rehash")
    func rehashDetection() throws {
        let weak = try self.fast.hash("password-1")
        #expect(PasswordHasher().needsRehash(weak))
        #expect(!PasswordHasher().needsRehash(try PasswordHasher().hash("password-1")))
        #expect(PasswordHasher().needsRehash("not a hash"))
    }

    @Test("passwords over 1,024 bytes are refused before hashing or verifying")
    func tooLong() throws {
        let long = String(repeating: "я", count: 513)
        #expect(throws: PasswordHasher.Failure.passwordTooLong) { try self.fast.hash(long) }
        let stored = try self.fast.hash("short")
        #expect(throws: PasswordHasher.Failure.passwordTooLong) { try self.fast.verify(long, against: stored) }
        _ = try self.fast.hash(String(repeating: "a", count: 1_024))
    }

    @Test("a stored hash asking for more memory, passes or lanes than the caps is not verified")
    func boundedParameters() throws {
        let hasher = PasswordHasher()
        #expect(throws: PasswordHasher.Failure.parametersOutOfBounds) {
            try hasher.verify("x", against: "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
        }
        #expect(throws: PasswordHasher.Failure.parametersOutOfBounds) {
            try hasher.verify("x", against: "$argon2id$v=19$m=19456,t=1000,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
        }
        #expect(throws: PasswordHasher.Failure.malformedHash) { try hasher.verify("x", against: "$2b$10$abcdefghijklmnopqrstuv") }
    }

    @Test("the hashing pool refuses work beyond its threads and queue instead of queueing without bound")
    func poolIsBounded() async throws {
        var configuration = HashingPool.Configuration()
        configuration.threads = 1
        configuration.queueLimit = 1
        let pool = HashingPool(hasher: PasswordHasher(), configuration: configuration)
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask { (try? await pool.hash("concurrent")) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count >= 1)
        #expect(results.filter { !$0 }.count >= 1, "some requests must be refused when 8 arrive for 2 places")
        await #expect(throws: Never.self) { _ = try await pool.verify("after", against: try await pool.hash("after")) }
    }

    @Test("interoperates with Python's argon2-cffi both ways")
    func pythonInterop() throws {
        let python = "/usr/bin/env"
        let ours = try PasswordHasher().hash("пароль-для-проверки")
        let verifyOurs = """
            import sys; from argon2 import PasswordHasher
            print(PasswordHasher().verify(sys.argv[1], "пароль-для-проверки"))
            """
        let verified = try Subprocess.run(python, ["python3", "-c", verifyOurs, ours]).output
        #expect(verified.trimmingCharacters(in: .whitespacesAndNewlines) == "True")

        let makeTheirs = """
            from argon2 import PasswordHasher
            print(PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16).hash("their secret"))
            """
        let theirs = try Subprocess.run(python, ["python3", "-c", makeTheirs]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(theirs.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(try PasswordHasher().verify("their secret", against: theirs))
        #expect(try !PasswordHasher().verify("not their secret", against: theirs))
    }

    @Test("the password policy: length per region, not the login, not common")
    func passwordPolicy() {
        let policy = PasswordPolicy(minimumLength: 10)
        #expect(policy.violation(of: "short1!", login: "ivanov") == .tooShort)
        #expect(policy.violation(of: "Ivanov.Ivan", login: "ivanov.ivan") == .sameAsLogin)
        #expect(PasswordPolicy().violation(of: "Password123", login: "x") == .common)
        #expect(PasswordPolicy().violation(of: "qwerty123", login: "x") == .common)
        #expect(policy.violation(of: "Зелёная-лампа-7", login: "ivanov") == nil)
        #expect(PasswordPolicy(minimumLength: 3).minimumLength == 8)
    }
}
