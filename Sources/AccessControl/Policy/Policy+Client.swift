/// Integration clients: the identity registry of the grant's reach, narrowed to the fields the
/// grant names (when it names any) and to its trusted documents (when it names any).
extension Policy {
    /// Types that only carry other types: a grant's field list never needs to name them.
    static let plumbing: Set<String> = [
        "Query", "Me", "ScopeRef", "RoleAssignment", "PageInfo",
        "OrganizationConnection", "OrganizationEdge", "LearnerConnection", "LearnerEdge", "Change", "ChangePage",
    ]

    /// What every grant can reach at most: organizations, classes and learner lists (identity
    /// fields only) of the region, the municipalities and the organizations it names.
    static let integrationBase: [String: FieldSet] = registry.merging([
        "Query": .only(["me", "regions", "region", "municipalities", "municipality", "organizations", "organization",
                        "class", "learners", "learner", "benefitCategories", "changes"]),
        "Learner": .only(["id", "lastName", "firstName", "middleName", "gender", "organization", "class"]),
        "Staff": .allExcept(sensitiveStaffFields.union(["phone", "email"])),
    ]).merging(changeFeed) { _, new in new }

    /// What a grant reaches only when its field list names it (a diary app's marks, attendance
    /// and homework; a roster's enrollments and movements): each type with the tables it reads.
    static let integrationOptIn: [String: (fields: FieldSet, tables: [Table])] = [
        "Enrollment": (.all, [.enrollments]),
        "Movement": (.all, [.movements]),
        "Lesson": (.allExcept(["marks", "attendance"]), [.lessons]),
        "Mark": (.allExcept(["history"]), [.marks]),
        "Attendance": (.all, [.attendance]),
        "Homework": (.all, [.homework]),
    ]

    /// The policy of an integration client acting under its grant.
    public static func of(_ client: ClientPrincipal) -> Policy {
        var types = integrationBase
        var optedTables: Set<Table> = []
        if !client.fields.isEmpty {
            var named: [String: Set<String>] = [:]
            for entry in client.fields {
                let parts = entry.split(separator: ".", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                named[parts[0], default: []].insert(parts[1])
            }
            for (type, fields) in types where !plumbing.contains(type) {
                types[type] = named[type].map { fields.intersection(.only($0)) }
            }
            for (type, reach) in integrationOptIn {
                guard let fields = named[type] else { continue }
                types[type] = reach.fields.intersection(.only(fields))
                optedTables.formUnion(reach.tables)
            }
        }
        if client.fields.isEmpty && client.documents.isEmpty {
            // A grant of writes alone reads what its writes answer, and the registry they name.
            for type in types.keys where !plumbing.contains(type) && !["Region", "Municipality", "Organization"].contains(type) {
                types[type] = nil
            }
            types["Query"] = .only(["me", "regions", "region", "municipalities", "municipality", "organizations", "organization", "changes"])
        }
        var rows = scoped(.region)
        for table in Table.allCases where rows[table] != nil {
            rows[table] = rows[table]!.and(grantReach(table))
        }
        rows[.municipalities] = rows[.municipalities]!.and("({grantMunicipalities} IS NULL OR {t}.id = ANY({grantMunicipalities}::bigint[]))")
        rows[.organizations] = rows[.organizations]!.and("({grantOrganizations} IS NULL OR {t}.id = ANY({grantOrganizations}::bigint[]))")
        for table: Table in [.guardians, .guardianLearners, .marks, .attendance, .lessons, .homework, .movements,
                             .queueApplications, .queueChoices, .queueStatusHistory, .allocations]
            + Table.allCases.filter(\.isDashboardCount) where !optedTables.contains(table) {
            rows[table] = nil
        }
        let fieldsKey = client.fields.sorted().joined(separator: ",")
        var policy = Policy(key: "client:\(client.grantID):\(fieldsKey)", types: types, rows: rows,
                            trustedDocuments: client.documents.isEmpty ? nil : Set(client.documents))
        policy.addWrites(of: client)
        return policy
    }

    /// Whether a grant may name `Type.field` (a field that exists, checked by the caller): one of
    /// the types an integration client can be given.
    public static func grantable(_ type: String, _ field: String) -> Bool {
        guard !plumbing.contains(type) else { return false }
        return (integrationBase[type] ?? integrationOptIn[type]?.fields)?.contains(field) == true
    }
}
