/// Where `eduql serve` listens.
public struct ServerConfiguration: Sendable {
    /// Listen address, from `EDUQL_HOST`. Default `127.0.0.1`.
    public var host: String
    /// Listen port, from `EDUQL_PORT`. Default 8080.
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }

    /// Reads `EDUQL_HOST` and `EDUQL_PORT`, keeping the defaults for what is unset.
    public init(environment: [String: String]) throws {
        self.init()
        if let host = environment["EDUQL_HOST"], !host.isEmpty { self.host = host }
        if let port = environment["EDUQL_PORT"] {
            guard let number = Int(port), (0...65535).contains(number) else {
                throw ConfigurationError("EDUQL_PORT must be a port number, not '\(port)'")
            }
            self.port = number
        }
    }
}
