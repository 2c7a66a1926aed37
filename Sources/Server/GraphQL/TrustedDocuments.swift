import Crypto
import EduQLSchema
import Foundation

/// The trusted documents under `queries/`, by document id: `sha256:` and the hex SHA-256 of the
/// file's exact bytes, as `queries/manifest.json` lists them (GraphQL over HTTP, appendix A:
/// persisted documents). A client sends `documentId`; nothing is ever compared by text.
struct TrustedDocuments: Sendable, Equatable {
    /// One document: where it lives under `queries/` and its text.
    struct Document: Sendable, Equatable {
        var path: String
        var text: String

        /// The path without `.graphql`: the operation's name in metrics and logs.
        var name: String { self.path.hasSuffix(".graphql") ? String(self.path.dropLast(".graphql".count)) : self.path }
    }

    /// Document id → document.
    var byID: [String: Document]

    /// The name of the manifest in the documents folder.
    static let manifestName = "manifest.json"

    /// The id of a document's exact bytes.
    static func id(of bytes: Data) -> String {
        "sha256:" + SHA256.hash(data: bytes).hexadecimal
    }

    /// Every `.graphql` file under `folder` (but the published schema), by id, read from disk:
    /// what `eduql documents manifest` writes.
    static func scan(_ folder: String) throws -> TrustedDocuments {
        let root = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw ConfigurationError("the trusted documents folder \(folder) cannot be read")
        }
        var documents: [String: Document] = [:]
        for case let url as URL in walker where url.pathExtension == "graphql" && url.lastPathComponent != "schema.graphql" {
            let bytes = try Data(contentsOf: url)
            let path = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            documents[Self.id(of: bytes)] = Document(path: path, text: String(decoding: bytes, as: UTF8.self))
        }
        return TrustedDocuments(byID: documents)
    }

    /// The manifest's JSON: id → path, sorted, one per line.
    var manifest: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self.byID.mapValues(\.path))).map { $0 + Data("\n".utf8) } ?? Data()
    }

    /// The documents `folder/manifest.json` lists, each checked against its file's bytes: a
    /// manifest that names a missing file or a file whose bytes changed stops start-up.
    static func load(from folder: String) throws -> TrustedDocuments {
        let manifestURL = URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent(Self.manifestName)
        guard let data = try? Data(contentsOf: manifestURL) else {
            throw ConfigurationError("\(manifestURL.path) is missing: run `eduql documents manifest`")
        }
        guard let listed = try? JSONDecoder().decode([String: String].self, from: data) else {
            throw ConfigurationError("\(manifestURL.path) must be a JSON object of document ids to paths")
        }
        var documents: [String: Document] = [:]
        for (id, path) in listed {
            let url = URL(fileURLWithPath: folder, isDirectory: true).appendingPathComponent(path)
            guard let bytes = try? Data(contentsOf: url) else { throw ConfigurationError("\(manifestURL.path) lists \(path), which is missing") }
            guard Self.id(of: bytes) == id else {
                throw ConfigurationError("\(path) changed since \(manifestURL.path) was written: run `eduql documents manifest`")
            }
            documents[id] = Document(path: path, text: String(decoding: bytes, as: UTF8.self))
        }
        return TrustedDocuments(byID: documents)
    }
}
