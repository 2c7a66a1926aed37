/// An integration client acting under its grant, as resolved from a bearer token.
public struct ClientPrincipal: Sendable, Equatable {
    public var clientID: Int
    public var name: String
    public var regionID: Int
    public var grantID: Int
    /// Empty means the whole region.
    public var municipalityIDs: [Int]
    public var organizationIDs: [Int]
    /// Ids of the trusted documents (`queries/manifest.json`) the client may run.
    public var documents: [String]
    /// `Type.field` names the client may read.
    public var fields: [String]
    /// The mutations the grant lets the client run on behalf of a person, each with its own rate.
    public var writes: [GrantedWrite] = []
    /// The grant's own request rate; nil for the server's default for clients.
    public var rateLimit: TokenBuckets.Limit? = nil
}
