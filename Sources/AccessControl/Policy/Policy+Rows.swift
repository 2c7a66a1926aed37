/// Row predicates shared by the role tables.
extension Policy {
    /// Every table at the level of a scope: the region, a municipality or an organization, by
    /// the columns each table has (row-level security says the same underneath).
    static func scoped(_ level: ScopeLevel) -> [Table: RowPredicate] {
        var rows: [Table: RowPredicate] = [:]
        for table in Table.allCases {
            var predicate: RowPredicate = table == .regions ? "{t}.id = {region}" : "{t}.region_id = {region}"
            if level >= .municipality {
                if table == .municipalities {
                    predicate = predicate.and("{t}.id = {municipality}")
                } else if table.hasMunicipality {
                    predicate = predicate.and(table.scopeIsNullable
                        ? "({t}.municipality_id IS NULL OR {t}.municipality_id = {municipality})" : "{t}.municipality_id = {municipality}")
                } else if table.hasOrganization && table.scopeIsNullable && level == .municipality {
                    // The region's rows, and those of the municipality's own organizations (terms, electives, holidays).
                    predicate = predicate.and(RowPredicate("({t}.organization_id IS NULL OR {t}.organization_id IN "
                        + "(SELECT mo.id FROM eduql.organizations mo WHERE mo.region_id = {region} AND mo.municipality_id = {municipality}))"))
                }
            }
            if level >= .organization {
                if table == .organizations {
                    predicate = predicate.and("{t}.id = {organization}")
                } else if table.hasOrganization {
                    predicate = predicate.and(table.scopeIsNullable
                        ? "({t}.organization_id IS NULL OR {t}.organization_id = {organization})" : "{t}.organization_id = {organization}")
                }
            }
            rows[table] = predicate
        }
        rows[.auditEvents] = nil
        rows[.integrationClients] = nil
        rows[.integrationGrants] = nil
        rows[.users] = nil
        rows[.roleAssignments] = nil
        rows[.federatedIdentities] = nil
        return rows
    }

    /// Rows tied to a learner: marks, attendance, enrollments, movements, guardian links.
    static func learnerRows(_ learnerVisible: (String) -> RowPredicate) -> [Table: RowPredicate] {
        [
            .learners: learnerVisible("{t}.id"),
            .marks: learnerVisible("{t}.learner_id"),
            .attendance: learnerVisible("{t}.learner_id"),
            .enrollments: learnerVisible("{t}.learner_id"),
            .movements: learnerVisible("{t}.learner_id"),
            .transfers: learnerVisible("{t}.learner_id"),
            .guardianLearners: learnerVisible("{t}.learner_id"),
        ]
    }

    /// Levels of ``scoped(_:)``.
    enum ScopeLevel: Int, Comparable {
        case region, municipality, organization
        static func < (a: ScopeLevel, b: ScopeLevel) -> Bool { a.rawValue < b.rawValue }
    }
}

extension Dictionary where Key == Table, Value == RowPredicate {
    /// Each table's predicate and the other's, where both name it; tables only one names keep theirs.
    func narrowed(by other: [Table: RowPredicate]) -> [Table: RowPredicate] {
        self.merging(other) { mine, theirs in mine.and(theirs) }
    }
}
