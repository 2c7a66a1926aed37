import EduQLSchema
import Foundation
import PostgresNIO

extension AccountAdministration {
    /// What a grant gives an integration client: its scope (the whole region when both lists
    /// are empty), the trusted documents it may run or the `Type.field` names it may read, its
    /// own request rate, and when it ends.
    public struct Grant: Sendable {
        public var municipalityIDs: [Int] = []
        public var organizationIDs: [Int] = []
        /// Ids of trusted documents (`sha256:…`), each already checked to be one.
        public var documents: [String] = []
        public var fields: [String] = []
        /// Mutations the client may run on behalf of a person, each already checked to be delegable.
        public var writes: [GrantedWrite] = []
        public var rate: TokenBuckets.Limit?
        public var expiresAt: Date

        public init(municipalityIDs: [Int] = [], organizationIDs: [Int] = [], documents: [String] = [], fields: [String] = [],
                    writes: [GrantedWrite] = [], rate: TokenBuckets.Limit? = nil, expiresAt: Date) {
            self.municipalityIDs = municipalityIDs
            self.organizationIDs = organizationIDs
            self.documents = documents
            self.fields = fields
            self.writes = writes
            self.rate = rate
            self.expiresAt = expiresAt
        }
    }

    /// Creates an integration client of the actor's region with a secret (shown once, stored as
    /// Argon2id). Region admins only.
    public func createClient(by actor: UserPrincipal, clientID: String, name: String, request: RequestInfo,
                             on connection: PostgresConnection? = nil) async throws -> (id: Int, secret: String) {
        let secret = Self.temporaryPassword() + Self.temporaryPassword()
        let hash = try await self.hashing.hash(secret)
        return try await self.act(actor, "create_client", request, detail: ["clientId": String(clientID.prefix(64))], on: connection) { connection, _ in
            guard actor.role == .regionAdmin else { throw Failure.forbidden("only a region admin creates integration clients") }
            guard clientID.range(of: "^[a-z0-9][a-z0-9._-]{2,63}$", options: .regularExpression) != nil else {
                throw Failure.invalid("clientId must be 3–64 characters: lowercase letters, digits, '.', '_' and '-'")
            }
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(trimmed.count) else { throw Failure.invalid("name must be 1–200 characters") }
            let rows = try await connection.guardedQuery("""
                INSERT INTO eduql.integration_clients (region_id, client_id, name, secret_hash, created_by)
                VALUES (\(actor.scope.regionID), \(clientID), \(trimmed), \(hash), \(actor.userID))
                ON CONFLICT (client_id) DO NOTHING RETURNING id
                """, logger: self.logger).collect()
            guard let id = try rows.first?.decode(Int.self) else { throw Failure.invalid("the clientId is taken") }
            return (id, secret)
        }
    }

    /// Gives a client of the actor's region a new grant; its tokens issued from now on carry it
    /// (a token already issued keeps the grant it was issued under). Region admins only.
    public func grantAccess(by actor: UserPrincipal, clientID: Int, _ grant: Grant, request: RequestInfo,
                            on connection: PostgresConnection? = nil) async throws -> Int {
        try await self.act(actor, "grant_access", request, detail: ["client": String(clientID)], on: connection) { connection, _ in
            try await self.checkClientAdministrator(actor, clientID, on: connection)
            guard !grant.documents.isEmpty || !grant.fields.isEmpty || !grant.writes.isEmpty else {
                throw Failure.invalid("a grant names documents, fields or writes")
            }
            let writes = String(decoding: try JSONEncoder().encode(grant.writes), as: UTF8.self)
            guard grant.expiresAt > Date(), grant.expiresAt < Date().addingTimeInterval(3 * 366 * 86_400) else {
                throw Failure.invalid("expiresAt must be in the future and within 3 years")
            }
            let known = try await connection.guardedQuery("""
                SELECT (SELECT count(*) FROM eduql.municipalities WHERE id = ANY(\(grant.municipalityIDs)) AND region_id = \(actor.scope.regionID))::int,
                       (SELECT count(*) FROM eduql.organizations WHERE id = ANY(\(grant.organizationIDs)) AND region_id = \(actor.scope.regionID))::int
                """, logger: self.logger).collect().first?.decode((Int, Int).self)
            guard known?.0 == Set(grant.municipalityIDs).count, known?.1 == Set(grant.organizationIDs).count else {
                throw Failure.invalid("the grant names municipalities or organizations that are not the region's")
            }
            let rows = try await connection.guardedQuery("""
                INSERT INTO eduql.integration_grants (region_id, client_id, municipality_ids, organization_ids, documents, fields,
                                                      writes, rate_per_second, burst, expires_at)
                VALUES (\(actor.scope.regionID), \(clientID), \(grant.municipalityIDs), \(grant.organizationIDs), \(grant.documents),
                        \(grant.fields), \(writes)::jsonb, \(grant.rate.map { Float($0.rate) }), \(grant.rate?.burst), \(grant.expiresAt))
                RETURNING id
                """, logger: self.logger).collect()
            return try rows.first!.decode(Int.self)
        }
    }
}
