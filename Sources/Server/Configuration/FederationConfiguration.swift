import EduQLFederation
import Foundation

/// Federated sign-in: the OpenID providers people may sign in through, and where the server
/// is reached from outside (the providers send browsers back to it).
public struct FederationConfiguration: Sendable {
    /// The providers; none by default (federated sign-in off).
    public var providers: [IdentityProvider] = []
    /// The server's address as browsers reach it (`https://eduql.example.ru`), for the
    /// callback's `redirect_uri`; default `http://127.0.0.1:{EDUQL_PORT}`.
    public var publicURL: String?
    /// How long a sign-in may take from start to callback. Default 600 seconds.
    public var signInLifetime: Duration = .seconds(600)
    /// Timeouts, answer sizes, clock skew and key refetching of the providers' clients (defaults there).
    public var client = ProviderClient.Configuration()

    public init() {}

    public init(settings: Settings) throws {
        let json = settings.text("EDUQL_FEDERATION_PROVIDERS", default: "[] (none)",
                                 accepts: #"a JSON array of providers: [{"id","region","issuer","clientId","clientSecret","scopes","snilsClaim","algorithms"}]"#,
                                 secret: true)
        if let json {
            guard let providers = try? JSONDecoder().decode([IdentityProvider].self, from: Data(json.utf8)) else {
                throw ConfigurationError("EDUQL_FEDERATION_PROVIDERS must be a JSON array of providers (see the README)")
            }
            for provider in providers {
                if let problem = provider.problem { throw ConfigurationError("EDUQL_FEDERATION_PROVIDERS: provider '\(provider.id)': \(problem)") }
            }
            if Set(providers.map(\.id)).count != providers.count { throw ConfigurationError("EDUQL_FEDERATION_PROVIDERS: two providers have the same id") }
            self.providers = providers
        }
        self.publicURL = try settings.choice("EDUQL_PUBLIC_URL", default: "http://127.0.0.1:{EDUQL_PORT}",
                                             accepts: "an http(s) URL without path, query or fragment") { text -> String?? in
            guard text != "http://127.0.0.1:{EDUQL_PORT}" else { return .some(nil) }
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil,
                  url.path.isEmpty || url.path == "/", url.query == nil, url.fragment == nil else { return nil }
            return .some(text.hasSuffix("/") ? String(text.dropLast()) : text)
        }
        self.signInLifetime = .seconds(try settings.integer("EDUQL_FEDERATION_SIGN_IN_SECONDS", default: 600, in: 60...3600, unit: "seconds"))
    }
}
