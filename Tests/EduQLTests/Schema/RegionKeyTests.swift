@testable import EduQLAccessControl
import EduQLServer
import OrderedCollections
@testable import EduQLResolvers
import Foundation
import GraphQL
import Logging
import PostgresNIO
import Testing

/// Keys for distribution by region (Citus): every tenant table carries `region_id` in its
/// primary key, every foreign key between two tenant tables includes it on both sides (so a
/// row can only point at a row of its own region, and joins stay within one shard group), and
/// every statement the engine compiles for the consumers' documents reads each tenant table
/// with a condition on `region_id` — checked in PostgreSQL's own plans, as the superuser, so
/// that row-level security (which says the same underneath) adds nothing to what is seen.
@Suite("Region keys")
struct RegionKeyTests {
    let logger = Logger(label: "eduql-tests")

    /// The tenant tables: those under the tenancy policy, whose region column is `region_id`.
    static let tenantTables = """
        SELECT c.oid FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = 'tenancy'
        WHERE c.relnamespace = 'eduql'::regnamespace
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'region_id' AND NOT a.attisdropped)
        """

    @Test("every tenant table's primary key holds region_id, and every key between tenant tables carries it")
    func keys() async throws {
        let database = try await TestCluster.shared.database(.migrated)
        try await database.owner.withConnection(logger: self.logger) { connection in
            let tables = try await connection.scalar(PostgresQuery(unsafeSQL: "SELECT count(*) FROM (\(Self.tenantTables)) t"), as: Int.self)
            #expect(tables > 40, "the tenant tables are found")
            let unkeyed = try await connection.column(PostgresQuery(unsafeSQL: """
                SELECT t.oid::regclass::text FROM (\(Self.tenantTables)) t
                WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = t.oid AND k.contype = 'p'
                                    AND (SELECT attnum FROM pg_attribute WHERE attrelid = t.oid AND attname = 'region_id') = ANY (k.conkey))
                ORDER BY 1
                """), as: String.self)
            #expect(unkeyed == [], "tenant tables whose primary key does not hold region_id")
            let foreignKeys = try await connection.scalar(PostgresQuery(unsafeSQL: """
                SELECT count(*) FROM pg_constraint f
                WHERE f.contype = 'f' AND f.conrelid IN (\(Self.tenantTables)) AND f.confrelid IN (\(Self.tenantTables))
                """), as: Int.self)
            #expect(foreignKeys > 100, "the keys between tenant tables are found")
            // region_id on both sides, at the same place: a row can only point within its region.
            let crossing = try await connection.column(PostgresQuery(unsafeSQL: """
                SELECT f.conrelid::regclass::text || ' (' || f.conname || ')' FROM pg_constraint f
                WHERE f.contype = 'f' AND f.conrelid IN (\(Self.tenantTables)) AND f.confrelid IN (\(Self.tenantTables))
                  AND NOT EXISTS (
                      SELECT 1 FROM generate_subscripts(f.conkey, 1) i
                      WHERE f.conkey[i] = (SELECT attnum FROM pg_attribute WHERE attrelid = f.conrelid AND attname = 'region_id')
                        AND f.confkey[i] = (SELECT attnum FROM pg_attribute WHERE attrelid = f.confrelid AND attname = 'region_id'))
                ORDER BY 1
                """), as: String.self)
            #expect(crossing == [], "foreign keys between tenant tables without region_id on both sides")
        }
    }

    @Test("a foreign key cannot point at another region's row")
    func keysHoldRegions() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            // A second region, and a class of the first region's organization claimed for it.
            let organization = try await connection.scalar("SELECT id FROM eduql.organizations WHERE kind = 'school' ORDER BY id LIMIT 1", as: Int.self)
            try await connection.execute("INSERT INTO eduql.regions (id, name, code) VALUES (77, 'Другой регион', '77')")
            let moved = try? await connection.scalar(
                "UPDATE eduql.classes SET region_id = 77 WHERE id = (SELECT min(id) FROM eduql.classes WHERE organization_id = \(organization)) RETURNING id",
                as: Int.self)
            #expect(moved == nil, "a class moved to another region than its organization's is refused")
        }
    }

    /// The policies the consumers' documents are compiled under, each with whom it acts for: every
    /// role, and an integration client whose grant names every field a grant can name (so that
    /// it reaches the opt-in tables: marks, attendance, lessons, homework, enrollments, movements).
    static var policies: [(Policy, ActingAs)] {
        let user = ActingAs.user(tokenSHA256: Data(repeating: 1, count: 32), assignmentID: 1, idleSeconds: 1800, regionID: 1)
        let roles: [Policy] = [.regionAdmin, .mouoAdmin, .schoolAdmin, .teacher, .homeroomTeacher, .parent, .student]
        let fields = Catalog.types.flatMap { type, fields in fields.keys.filter { Policy.grantable(type, $0) }.map { "\(type).\($0)" } }
        let client = Policy.of(ClientPrincipal(clientID: 1, name: "every field", regionID: 1, grantID: 1, municipalityIDs: [],
                                               organizationIDs: [], documents: [], fields: fields))
        return roles.map { ($0, user) } + [(client, .client(tokenSHA256: Data(repeating: 2, count: 32), regionID: 1))]
    }

    /// A value for a variable of `type`, or nil to leave an optional one out.
    static func value(for type: any GraphQL.`Type`) -> Map? {
        switch type {
        case let type as NonNullType: return Self.value(for: type.type)
        case let type as ListType: return Self.value(for: type.type).map { .array([$0]) }
        case let type as NamedType:
            switch type.name.value {
            case "ID": return "1"
            case "Date": return "2026-09-07"
            case "DateTime": return "2026-09-07T08:00:00Z"
            case "String": return "Ива"
            case "Int": return 10
            case "Boolean": return true
            default: return nil
            }
        default: return nil
        }
    }

    @Test("every statement compiled for the consumers' documents reads each tenant table by region_id")
    func statementsFilterByRegion() async throws {
        let database = try await TestCluster.shared.database(.demo)
        let files = try FileManager.default.subpathsOfDirectory(atPath: ConsumerDocuments.folder.path)
            .filter { $0.hasSuffix(".graphql") && $0 != "schema.graphql" }.sorted()
        var plans = PlanCache.Configuration()
        plans.enabled = false
        let engine = GraphQLEngine(plans: plans)
        var statements: [(String, Statement)] = []
        for file in files {
            let text = try ConsumerDocuments.text(file)
            for (policy, acting) in Self.policies {
                guard let prepared = try? engine.prepare(text, for: policy) else { continue }
                for case let operation as OperationDefinition in prepared.document.definitions where operation.operation == .query {
                    var variables = OrderedDictionary<String, Map>()
                    for definition in operation.variableDefinitions {
                        if let value = Self.value(for: definition.type) { variables[definition.variable.name.value] = value }
                    }
                    guard let plan = try? engine.plan(prepared, operationName: operation.name?.value, variables: .dictionary(variables),
                                                      policy: policy, actingAs: acting) else { continue }
                    for case .statement(let statement) in plan.roots {
                        statements.append(("\(file) \(operation.name?.value ?? "") as \(policy.key)", statement))
                    }
                }
            }
        }
        #expect(statements.count > 60, "the documents compile: \(statements.count) statements")
        #expect(statements.filter { $0.0.contains(" as client:") }.count >= 5,
                "the integration client's documents compile")
        try await database.superuser.database(database.owner.database).withConnection(logger: self.logger) { connection in
            let tenant = Set(try await connection.column(PostgresQuery(unsafeSQL: "SELECT t.oid::regclass::text FROM (\(Self.tenantTables)) t"),
                                                         as: String.self).map { $0.replacingOccurrences(of: "eduql.", with: "") })
            var scanned = 0
            var unfiltered: [String: Set<String>] = [:]
            for (name, statement) in statements {
                let json: String
                do {
                    json = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON, VERBOSE) " + statement.sql, binds: statement.bindings),
                                                      logger: self.logger).collect().first!.decode(String.self)
                } catch {
                    Issue.record("\(name) does not plan: \(String(reflecting: error).prefix(600))")
                    continue
                }
                let plan = try JSONSerialization.jsonObject(with: Data(json.utf8))
                for scan in Self.scans(in: plan) where tenant.contains(scan.relation) {
                    scanned += 1
                    if !scan.conditions.contains("region_id") && !(scan.relation == "regions" && scan.conditions.contains(".id =")) {
                        unfiltered[scan.relation, default: []].insert(name)
                        if ProcessInfo.processInfo.environment["EDUQL_REGION_DEBUG"] != nil {
                            FileHandle.standardError.write(Data("UNFILTERED \(scan.relation) in \(name): \(scan.conditions)\n".utf8))
                        }
                    }
                }
            }
            #expect(scanned > 500, "tenant tables are scanned: \(scanned)")
            #expect(unfiltered.isEmpty, "tenant tables read with no region_id condition: \(unfiltered.mapValues { $0.sorted().prefix(2) })")
        }
    }

    /// Every scan of a table in an EXPLAIN (FORMAT JSON) plan, with its conditions' text.
    static func scans(in plan: Any) -> [(relation: String, conditions: String)] {
        var found: [(String, String)] = []
        func walk(_ node: Any) {
            if let array = node as? [Any] { array.forEach(walk); return }
            guard let node = node as? [String: Any] else { return }
            if let relation = node["Relation Name"] as? String {
                let conditions = ["Filter", "Index Cond", "Recheck Cond", "TID Cond"].compactMap { node[$0] as? String }.joined(separator: " ")
                found.append((relation, conditions))
            }
            for (key, value) in node where key == "Plan" || key == "Plans" { walk(value) }
        }
        walk(plan)
        return found
    }
}
