/// Which fields of one GraphQL type a policy lets through.
public enum FieldSet: Sendable, Hashable {
    case all
    case allExcept(Set<String>)
    case only(Set<String>)

    /// Whether `field` is readable.
    public func contains(_ field: String) -> Bool {
        switch self {
        case .all: true
        case .allExcept(let hidden): !hidden.contains(field)
        case .only(let shown): shown.contains(field)
        }
    }

    /// The fields both sets let through.
    public func intersection(_ other: FieldSet) -> FieldSet {
        switch (self, other) {
        case (.all, _): other
        case (_, .all): self
        case (.allExcept(let a), .allExcept(let b)): .allExcept(a.union(b))
        case (.only(let a), .allExcept(let b)), (.allExcept(let b), .only(let a)): .only(a.subtracting(b))
        case (.only(let a), .only(let b)): .only(a.intersection(b))
        }
    }

    /// The fields either set lets through.
    public func union(_ other: FieldSet) -> FieldSet {
        switch (self, other) {
        case (.all, _), (_, .all): .all
        case (.allExcept(let a), .allExcept(let b)): .allExcept(a.intersection(b))
        case (.only(let a), .allExcept(let b)), (.allExcept(let b), .only(let a)): .allExcept(b.subtracting(a))
        case (.only(let a), .only(let b)): .only(a.union(b))
        }
    }
}
