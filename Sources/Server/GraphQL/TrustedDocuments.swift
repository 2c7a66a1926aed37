import Foundation
import Logging

/// The documents under `queries/` by relative path (`parent/diary-week.graphql`): what
/// integration grants may name as the only operations a client may send.
enum TrustedDocuments {
    static func load(from folder: String, logger: Logger) -> [String: String] {
        let root = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            logger.warning("no trusted documents folder", metadata: ["folder": "\(folder)"])
            return [:]
        }
        var documents: [String: String] = [:]
        for case let url as URL in walker where url.pathExtension == "graphql" && url.lastPathComponent != "schema.graphql" {
            let path = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            documents[path] = try? String(contentsOf: url, encoding: .utf8)
        }
        return documents
    }
}
