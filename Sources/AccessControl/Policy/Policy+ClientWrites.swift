/// Integration clients that write: what a grant's mutations let the client read back, and the
/// policy a write runs under — the rights of the person it is made for, narrowed by the grant.
extension Policy {
    /// The types each delegable mutation answers, as a client reads them back.
    static let writeResults: [GrantedWrite.Person: [String: FieldSet]] = [
        .teacher: ["Mark": .allExcept(["history"]), "Attendance": .all, "Learner": .only(["id"])],
        .applicant: [
            "QueueApplication": .allExcept(["applicant"]), "QueueChoice": .all, "QueueStatusChange": .all,
            "Allocation": .allExcept(["run", "application"]),
        ],
    ]

    /// The tables behind ``writeResults``.
    static let writeResultTables: [GrantedWrite.Person: [Table]] = [
        .teacher: [.marks, .attendance],
        .applicant: [.queueApplications, .queueChoices, .queueStatusHistory, .allocations],
    ]

    /// The queue's rows a client reaches: those of the applications it filed itself.
    static func filedByClient(_ table: Table) -> RowPredicate {
        switch table {
        case .queueApplications: "{t}.filed_by_client_id = {client}"
        case .queueChoices, .queueStatusHistory, .allocations:
            "{t}.application_id IN (SELECT q.id FROM eduql.queue_applications q WHERE q.region_id = {region} AND q.filed_by_client_id = {client})"
        default: .all
        }
    }

    /// The rows a client's grant reaches: its municipalities and organizations, where it names any.
    static func grantReach(_ table: Table) -> RowPredicate {
        var reach = RowPredicate.all
        if table.hasMunicipality { reach = reach.and("({grantMunicipalities} IS NULL OR {t}.municipality_id = ANY({grantMunicipalities}::bigint[]))") }
        if table.hasOrganization { reach = reach.and("({grantOrganizations} IS NULL OR {t}.organization_id = ANY({grantOrganizations}::bigint[]))") }
        return reach
    }

    /// Adds to a client's read policy what its granted writes answer: the mutations themselves
    /// and their result types, over the rows of the grant's reach (queue rows: only the
    /// applications this client filed).
    mutating func addWrites(of client: ClientPrincipal) {
        let granted = client.writes.filter { GrantedWrite.delegable[$0.mutation] != nil }
        for mutation in GrantedWrite.delegable.keys where !granted.contains(where: { $0.mutation == mutation }) {
            self.refusedMutations[mutation] = "the grant does not name \(mutation)"
        }
        guard !granted.isEmpty else { return }
        self.types["Mutation"] = .only(Set(granted.map(\.mutation)))
        let people = Set(granted.compactMap { GrantedWrite.delegable[$0.mutation] })
        for person in people {
            self.types.merge(Self.writeResults[person] ?? [:]) { old, new in old.union(new) }
            for table in Self.writeResultTables[person] ?? [] {
                // A journal vendor reads back what it wrote; the feed of the school's marks needs the grant to name them.
                if person == .teacher, self.rows[table] == nil { self.answersOnly.insert(table) }
                self.rows[table] = (self.rows[table] ?? Self.scoped(.region)[table] ?? "{t}.region_id = {region}")
                    .and(Self.grantReach(table)).and(Self.filedByClient(table))
            }
        }
        if people.contains(.applicant), var query = self.types["Query"] {
            query = query.union(.only(["queueApplication"]))
            self.types["Query"] = query
        }
        self.key += ":writes=" + granted.map(\.mutation).sorted().joined(separator: ",")
    }

    /// The policy a client's write on behalf of `person` runs under: that person's role's
    /// write rules (a teacher's, a parent's), each narrowed to the grant's reach — an
    /// applicant's to the applications this client filed — with the guardian record a filing
    /// may create. What the writer reads while writing (a child by id) it reads with the
    /// person's rows, narrowed the same way. Which mutations run at all is the grant's
    /// (``ClientPrincipal/writes``), checked before and by `eduql.act_for`.
    public static func acting(for person: GrantedWrite.Person, of client: ClientPrincipal) -> Policy {
        let role: Policy = person == .teacher ? .teacher : .parent
        var writes: [Table: WriteRule] = [:]
        for (table, rule) in role.writes {
            var narrowed = rule
            for (action, rows) in rule.rows {
                narrowed.rows[action] = rows.and(Self.grantReach(table)).and(Self.filedByClient(table))
            }
            narrowed.updatedRows = rule.updatedRows.map { $0.and(Self.grantReach(table)) }
            writes[table] = narrowed
        }
        if person == .applicant {
            // A portal's applicant the register does not hold yet: a guardian record, never an account.
            writes[.guardians] = WriteRule([.insert], rows: "{t}.region_id = {region}",
                                           columns: ["last_name", "first_name", "middle_name", "birth_date", "phone", "email", "snils"])
        }
        var rows: [Table: RowPredicate] = [:]
        for (table, predicate) in role.rows { rows[table] = predicate.and(Self.grantReach(table)) }
        return Policy(key: "client:\(client.grantID):for:\(role.key)", types: role.types, rows: rows, writes: writes)
    }
}
