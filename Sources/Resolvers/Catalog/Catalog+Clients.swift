import EduQLAccessControl

/// Integration clients and their grants, as the region's administrators read them. A secret
/// is never read from here: only the mutation that made it answers it, once.
extension Catalog {
    static let clients: [String: [String: FieldSource]] = [
        "IntegrationClient": [
            "id": id(), "clientId": column("client_id"), "name": column("name"), "createdAt": column("created_at"),
            "secretRotatedAt": column("secret_rotated_at"), "revokedAt": column("revoked_at"),
            "grants": many("IntegrationGrant", .integrationGrants, "{c}.client_id = {t}.id", orderBy: "{c}.created_at DESC, {c}.id DESC"),
        ],
        "IntegrationGrant": [
            "id": id(), "municipalityIds": ids("municipality_ids"), "organizationIds": ids("organization_ids"),
            "documentIds": column("documents"), "fields": column("fields"), "ratePerSecond": column("rate_per_second"),
            "burst": column("burst"), "expiresAt": column("expires_at"), "createdAt": column("created_at"), "revokedAt": column("revoked_at"),
            "writes": .relation(Relation("GrantedWrite", table: nil, from: "jsonb_array_elements({t}.writes)", on: nil, many: true)),
        ],
        "GrantedWrite": [
            "mutation": .column("({t}.value->>'mutation')"), "ratePerSecond": .column("({t}.value->'ratePerSecond')"),
            "burst": .column("({t}.value->'burst')"),
        ],
    ]

    /// A `[ID!]!` of an array of ids.
    static func ids(_ name: String) -> FieldSource {
        .column("(SELECT coalesce(json_agg(x::text), '[]'::json) FROM unnest({t}.\(name)) x)")
    }

    static let integrationClients: FieldSource = many("IntegrationClient", .integrationClients, "true", orderBy: "{c}.id")
}
