@testable import EduQLServer
import Foundation
import Testing

/// What can be checked of the container without a Docker engine: the Dockerfile's stages, that
/// the runtime image gets every resource bundle the binary loads and every shared library
/// `ldd` lists for it, that its health check works, and the compose file's shape.
@Suite("Container")
struct ContainerTests {
    /// One `FROM` and the instructions under it (continuation lines joined).
    struct Stage {
        var from: String
        var name: String?
        var instructions: [String]
        func all(_ keyword: String) -> [String] {
            self.instructions.filter { $0.uppercased().hasPrefix(keyword + " ") }.map { String($0.dropFirst(keyword.count + 1)) }
        }
    }

    static let dockerfile = (try? String(contentsOfFile: "Dockerfile", encoding: .utf8)) ?? ""

    static var stages: [Stage] {
        var joined: [String] = [], current = ""
        for line in Self.dockerfile.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") && current.isEmpty { continue }
            if trimmed.hasSuffix("\\") { current += trimmed.dropLast() + " "; continue }
            current += trimmed
            if !current.isEmpty { joined.append(current) }
            current = ""
        }
        var stages: [Stage] = []
        for instruction in joined {
            if instruction.uppercased().hasPrefix("FROM ") {
                let words = instruction.split(separator: " ").map(String.init)
                stages.append(Stage(from: words[1], name: words.count >= 4 && words[2].uppercased() == "AS" ? words[3] : nil, instructions: []))
            } else if !stages.isEmpty {
                stages[stages.count - 1].instructions.append(instruction)
            }
        }
        return stages
    }

    /// The folder the tests' `eduql` was built in.
    static var buildFolder: URL { URL(fileURLWithPath: ServeProcessTests.executable).deletingLastPathComponent() }

    @Test("two stages: Swift 6.3 builds a release binary with the Swift runtime linked in; slim Debian runs it as a non-root user")
    func stages() throws {
        let stages = Self.stages
        try #require(stages.count == 2, "\(stages.map(\.from))")
        let (build, runtime) = (stages[0], stages[1])
        #expect(build.from.hasPrefix("swift:6.3"))
        let compile = try #require(build.all("RUN").first { $0.contains("swift build") })
        #expect(compile.contains("-c release") && compile.contains("--static-swift-stdlib") && compile.contains("--product eduql"))
        #expect(runtime.from.hasPrefix("debian:") && runtime.from.hasSuffix("-slim"))
        let user = try #require(runtime.all("USER").last)
        #expect(!["root", "0", "0:0"].contains(user))
        #expect(runtime.all("RUN").contains { $0.contains("useradd") && $0.contains("10001") })
        #expect(runtime.all("ENTRYPOINT") == [#"["/app/eduql"]"#])
        #expect(runtime.all("CMD") == [#"["serve"]"#])
        #expect(runtime.all("HEALTHCHECK").first?.contains("/healthz") == true)
        #expect(runtime.all("COPY").contains("--from=\(build.name ?? "0") /staging/ /app/"))
        let ignored = (try? String(contentsOfFile: ".dockerignore", encoding: .utf8)) ?? ""
        #expect(ignored.contains(".build*") && ignored.contains(".data*"))
    }

    @Test("the build stage copies every resource bundle the binary loads, by name, beside it in the runtime stage")
    func resourceBundles() throws {
        let bundles = try FileManager.default.contentsOfDirectory(atPath: Self.buildFolder.path).filter { $0.hasSuffix(".resources") }
        #expect(Set(bundles) == ["eduql_EduQLSchema.resources", "eduql_EduQLAccessControl.resources", "eduql_EduQLConsole.resources"], "a new resource bundle: \(bundles)")
        let build = Self.stages[0]
        let copied = Set(build.all("RUN").joined(separator: " ").split(separator: " ").compactMap { word -> String? in
            let text = word.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            return text.hasSuffix(".resources") ? String(text.split(separator: "/").last!) : nil
        })
        #expect(copied == Set(bundles), "Dockerfile copies \(copied), the binary loads \(bundles)")
        #expect(build.all("RUN").contains { $0.contains(#"cp "$BIN/eduql" /staging/"#) })
    }

    @Test("the runtime stage installs the Debian package of every shared library ldd lists for the binary")
    func sharedLibraries() throws {
        let release = [".build/release/eduql", ".build-release/release/eduql"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let binary = release ?? ServeProcessTests.executable
        let ldd = try Subprocess.run("/usr/bin/ldd", [binary]).output
        let libraries = ldd.split(separator: "\n").compactMap { line -> String? in
            let parts = line.split(separator: " ")
            return parts.count >= 3 && parts[1] == "=>" ? String(parts[2]) : nil
        }
        #expect(libraries.count >= 4, "\(ldd)")
        let installed = Self.stages[1].all("RUN").joined(separator: " ").components(separatedBy: "apt-get install").dropFirst()
            .flatMap { $0.components(separatedBy: "&&")[0].split(separator: " ").filter { !$0.hasPrefix("-") }.map(String.init) }
        #expect(installed.contains("libargon2-1") && installed.contains("ca-certificates"))
        var swiftRuntime: [String] = []
        for library in libraries {
            if library.contains("/usr/lib/swift/") {
                swiftRuntime.append(library)     // linked in by --static-swift-stdlib
                continue
            }
            // dpkg knows a file by the path its package installed (before /lib became /usr/lib).
            let real = URL(fileURLWithPath: library).resolvingSymlinksInPath().path
            let candidates = [library, "/usr" + library, real, "/usr" + real]
            let owner = candidates.lazy.compactMap { try? Subprocess.run("/usr/bin/dpkg", ["-S", $0]).output }.first
            let package = try #require(owner?.split(separator: ":").first.map(String.init), "no Debian package owns \(library)")
            #expect(installed.contains(package), "\(library) comes from \(package), which the runtime stage does not install")
        }
        if release == nil { #expect(!swiftRuntime.isEmpty, "a debug build links the Swift runtime dynamically") }
    }

    @Test("the image's health check asks /healthz: it passes against a live server and fails against none")
    func healthCheck() async throws {
        let healthcheck = try #require(Self.stages[1].all("HEALTHCHECK").first)
        let json = try #require(healthcheck.range(of: "CMD ").map { String(healthcheck[$0.upperBound...]) })
        let command = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String])
        let database = try await TestCluster.shared.database(.migrated)
        try await TestAPI.run(database) { api async throws in
            let live = try await runCommand("/usr/bin/env", command, environment: ["EDUQL_PORT": "\(api.port)"])
            #expect(live.status == 0, "\(live.output)")
        }
        let none = try await runCommand("/usr/bin/env", command, environment: ["EDUQL_PORT": "\(try freePort())"])
        #expect(none.status != 0)
    }

    @Test("compose.yaml runs the demo beside PostgreSQL 15: roles, migrate and seed once, then serve")
    func compose() throws {
        let compose = try String(contentsOfFile: "compose.yaml", encoding: .utf8)
        for needed in ["image: postgres:15", "CREATE ROLE eduql_owner LOGIN BYPASSRLS", "CREATE ROLE eduql_app LOGIN NOBYPASSRLS",
                       #"command: ["seed", "--scale", "demo", "--if-empty"]"#, #"command: ["serve"]"#,
                       "DATABASE_URL: postgres://eduql_app:", "condition: service_completed_successfully", "condition: service_healthy",
                       "\"8080:8080\"", "build: ."] {
            #expect(compose.contains(needed), "compose.yaml lacks \(needed)")
        }
        let readme = try String(contentsOfFile: "README.md", encoding: .utf8)
        #expect(readme.contains("docker compose up --build") && readme.contains("eduql migrate"))
    }
}
