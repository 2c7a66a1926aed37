import Foundation
import Subprocess
import SystemPackage

/// Signs by running a command: the message on its standard input, the signature (base64) on
/// its standard output, exit status 0. The command runs without a shell, its standard error
/// discarded, and is killed when it takes longer than `timeout`.
struct CommandSigner: ClientSecretSigner {
    var command: [String]
    var timeout: Duration

    func sign(_ message: Data) async throws -> Data {
        guard let executable = self.command.first else { throw FederationRefusal.signerFailed }
        let arguments = Array(self.command.dropFirst())
        let result = try await withThrowingTaskGroup(of: Data?.self) { group in
            group.addTask {
                var options = PlatformOptions()
                options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .milliseconds(200))]
                let run = try await Subprocess.run(.path(FilePath(executable)), arguments: .init(arguments), platformOptions: options,
                                                   input: .data(message), output: .data(limit: 65_536), error: .discarded)
                guard case .exited(0) = run.terminationStatus else { return nil }
                return run.standardOutput
            }
            group.addTask {
                try await Task.sleep(for: self.timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let result, let signature = signature(fromBase64: String(decoding: result, as: UTF8.self)) else {
            throw FederationRefusal.signerFailed
        }
        return signature
    }
}
