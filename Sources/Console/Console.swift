import Foundation
import Mustache

/// The web console's pages and files: Mustache templates rendered on the server (Russian labels,
/// no data — every page reads and writes through `/graphql` with the trusted documents it names)
/// and the script, style sheet and vendored Chart.js they load.
public struct Console: Sendable {
    let library: MustacheLibrary
    let assets: [String: Asset]

    /// A static file of the console.
    public struct Asset: Sendable {
        public var bytes: [UInt8]
        public var contentType: String
    }

    /// The templates and assets shipped with the server.
    public static func load() throws -> Console {
        guard let root = Bundle.module.url(forResource: "Resources", withExtension: nil) else { throw LoadFailure.missingResources }
        var library = MustacheLibrary()
        for name in ConsolePage.titles.keys.sorted() + ["layout"] {
            let text = try String(contentsOf: root.appendingPathComponent("templates/\(name).mustache"), encoding: .utf8)
            try library.register(text, named: name)
        }
        var assets: [String: Asset] = [:]
        let folder = root.appendingPathComponent("assets")
        for name in ["console.js", "console.css", "vendor/chart.min.js", "vendor/chart.min.js.LICENSE"] {
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            assets[name] = Asset(bytes: bytes, contentType: Self.contentType(of: name))
        }
        return Console(library: library, assets: assets)
    }

    enum LoadFailure: Error { case missingResources }

    /// The HTML of a page, or nil for a page the console does not have.
    public func render(_ page: ConsolePage) -> String? {
        self.library.render(page, withTemplate: page.template)
    }

    /// A file under `/console/assets/`.
    public func asset(_ path: String) -> Asset? { self.assets[path] }

    static func contentType(of name: String) -> String {
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        return "text/plain; charset=utf-8"
    }
}
