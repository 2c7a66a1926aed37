import EduQLAccessControl
import GraphQL

/// Accounts and role assignments as administrators read them back, and scope references.
extension Catalog {
    static let accounts: [String: [String: FieldSource]] = [
        "User": [
            "id": id(), "login": column("login"), "displayName": column("display_name"),
            "disabled": .column("({t}.disabled_at IS NOT NULL)"), "mustChangePassword": column("must_change_password"),
            "roles": many("RoleAssignment", .roleAssignments, "{c}.user_id = {t}.id", orderBy: "{c}.id"),
            "federatedIdentities": many("FederatedIdentity", .federatedIdentities, "{c}.user_id = {t}.id", orderBy: "{c}.id"),
        ],
        "FederatedIdentity": [
            "id": id(), "provider": column("provider"), "subject": column("subject"), "linkedHow": column("linked_how"),
            "linkedAt": column("linked_at"),
        ],
        "RoleAssignment": [
            "id": id(), "role": enumeration("role"), "grantedAt": column("granted_at"), "revokedAt": column("revoked_at"),
            "scope": scopeRef("{t}.region_id, {t}.municipality_id, {t}.organization_id, {t}.class_id"),
        ],
        "ScopeRef": ["kind": column("kind"), "id": column("id"), "name": column("name")],
    ]

    /// A ``ScopeRef`` of the ids given (region, municipality, organization, class; SQL over `{t}`).
    static func scopeRef(_ ids: SQLTemplate) -> FieldSource {
        .relation(Relation("ScopeRef", table: nil, from: "eduql.scope_ref(\(ids))", on: nil))
    }
}
