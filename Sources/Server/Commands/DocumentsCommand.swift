import ArgumentParser
import Foundation

/// `eduql documents manifest|check`: writes or checks `queries/manifest.json`, the ids of the
/// trusted documents clients send by `documentId`.
struct DocumentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "documents", abstract: "The trusted documents' manifest.", subcommands: [Manifest.self, Check.self])

    struct Manifest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write manifest.json: sha256 of each document's bytes → its path.")

        @Option(help: "The trusted documents folder.") var folder = "queries"

        func run() async throws {
            let documents = try TrustedDocuments.scan(self.folder)
            let url = URL(fileURLWithPath: self.folder).appendingPathComponent(TrustedDocuments.manifestName)
            try documents.manifest.write(to: url)
            print("\(url.path): \(documents.byID.count) documents")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Exit 1 unless manifest.json lists exactly the documents on disk.")

        @Option(help: "The trusted documents folder.") var folder = "queries"

        func run() async throws {
            let onDisk = try TrustedDocuments.scan(self.folder)
            let listed = try TrustedDocuments.load(from: self.folder)
            guard onDisk == listed else {
                print("manifest.json differs from the documents on disk: run `eduql documents manifest`")
                throw ExitCode(1)
            }
            print("manifest.json lists all \(listed.byID.count) documents")
        }
    }
}
