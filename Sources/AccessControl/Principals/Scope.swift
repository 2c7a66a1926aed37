/// Where a role is held: always a region, and for narrower roles a municipality, an
/// organization and (homeroom teachers) a class.
public struct Scope: Sendable, Equatable, Codable {
    public var regionID: Int
    public var municipalityID: Int?
    public var organizationID: Int?
    public var classID: Int?

    public init(regionID: Int, municipalityID: Int? = nil, organizationID: Int? = nil, classID: Int? = nil) {
        self.regionID = regionID
        self.municipalityID = municipalityID
        self.organizationID = organizationID
        self.classID = classID
    }

    /// The narrowest level named: `class`, `organization`, `municipality` or `region`.
    public var kind: String {
        if self.classID != nil { return "class" }
        if self.organizationID != nil { return "organization" }
        if self.municipalityID != nil { return "municipality" }
        return "region"
    }

    /// The id at ``kind``'s level.
    public var id: Int { self.classID ?? self.organizationID ?? self.municipalityID ?? self.regionID }

    /// Whether `other` lies inside this scope (equal or narrower).
    public func contains(_ other: Scope) -> Bool {
        other.regionID == self.regionID
            && (self.municipalityID == nil || other.municipalityID == self.municipalityID)
            && (self.organizationID == nil || other.organizationID == self.organizationID)
            && (self.classID == nil || other.classID == self.classID)
    }
}
