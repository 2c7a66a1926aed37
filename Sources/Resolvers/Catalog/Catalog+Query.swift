import EduQLAccessControl
import Foundation
import GraphQL

/// The root query fields.
extension Catalog {
    static let query: [String: FieldSource] = [
        "me": .relation(Relation("Me", table: nil, from: """
            (SELECT 'USER' AS kind, u.login AS name, upper(ra.role) AS role, ra.region_id, ra.municipality_id, ra.organization_id, \
            ra.class_id, u.id AS user_id, u.staff_id FROM eduql.users u JOIN eduql.role_assignments ra ON ra.region_id = {region} AND ra.user_id = u.id \
            WHERE u.region_id = {region} AND u.id = eduql.current_id('user_id') AND ra.id = eduql.current_id('assignment_id') \
            UNION ALL SELECT 'CLIENT', c.client_id, 'INTEGRATION', c.region_id, NULL, NULL, NULL, NULL, NULL \
            FROM eduql.integration_clients c WHERE c.region_id = {region} AND c.id = eduql.current_id('client_id'))
            """, on: nil)),
        "regions": .relation(Relation("Region", table: .regions, on: nil, many: true, orderBy: "{c}.name")),
        "region": .relation(Relation("Region", table: .regions, on: nil, filter: byID)),
        "municipalities": .relation(Relation("Municipality", table: .municipalities, on: nil, many: true, orderBy: "{c}.name") { arguments, builder, alias in
            guard let region = try arguments.id("regionId") else { return [] }
            return ["\(alias).region_id = \(builder.bind(region))"]
        }),
        "municipality": .relation(Relation("Municipality", table: .municipalities, on: nil, filter: byID)),
        "organizations": .connection(organizationConnection(on: nil)),
        "organization": .relation(Relation("Organization", table: .organizations, on: nil, filter: byID)),
        "class": .relation(Relation("Class", table: .classes, on: nil, filter: byID)),
        "learners": .connection(learnerConnection(on: nil)),
        "learner": .relation(Relation("Learner", table: .learners, on: nil, filter: byID)),
        "transfers": .relation(Relation("Transfer", table: .transfers, on: nil, many: true, orderBy: "{c}.requested_at, {c}.id") { arguments, builder, alias in
            guard let status = try arguments.enumValue("status") else { return [] }
            return ["\(alias).status = lower(\(builder.bind(status)))"]
        }),
        "queueApplications": .connection(queueConnection()),
        "queueApplication": .relation(Relation("QueueApplication", table: .queueApplications, on: nil, filter: byID)),
        "distributionRun": .relation(Relation("DistributionRun", table: .distributionRuns, on: nil, filter: byID)),
        "benefitCategories": .relation(Relation("BenefitCategory", table: .benefitCategories, on: nil, many: true,
                                                orderBy: "{c}.level, {c}.code")),
        "queuePosition": .relation(Relation("QueuePosition", table: .queueApplications, on: nil) { arguments, builder, alias in
            ["\(alias).id = \(builder.bind(try arguments.id("applicationId") ?? .constant(0)))"]
        }),
        "diary": .custom { compilation, field, parent in
            let (from, to) = try dateSpan(field.arguments, maxDays: compilation.limits.maxDiaryDays)
            let relation = Relation("Diary", table: .learners, from: """
                (SELECT x.*, \(compilation.sql.bind(from))::date AS diary_from, \(compilation.sql.bind(to))::date AS diary_to FROM eduql.learners x)
                """, on: nil) { arguments, builder, alias in
                ["\(alias).id = \(builder.bind(try arguments.id("learnerId") ?? .constant(0)))"]
            }
            return try compilation.relation(relation, field: field, parent: parent)
        },
        "journal": .custom { compilation, field, parent in
            let (from, to) = try dateSpan(field.arguments, maxDays: compilation.limits.maxDiaryDays)
            let klass = compilation.sql.bind(try field.arguments.id("classId") ?? .constant(0))
            let subject = compilation.sql.bind(try field.arguments.id("subjectId") ?? .constant(0))
            // The journal is readable where a lesson of its class and subject would be.
            let relation = Relation("Journal", table: .lessons, from: """
                (SELECT k.id AS class_id, s.id AS subject_id, k.region_id, k.municipality_id, k.organization_id, NULL::bigint AS teacher_id, \
                \(compilation.sql.bind(from))::date AS journal_from, \(compilation.sql.bind(to))::date AS journal_to \
                FROM eduql.classes k JOIN eduql.subjects s ON s.region_id = {region} AND s.id = \(subject) WHERE k.id = \(klass) AND {rows:classes:k} AND {rows:subjects:s})
                """, on: nil)
            return try compilation.relation(relation, field: field, parent: parent)
        },
        "stats": .custom { compilation, field, _ in try compilation.stats(field) },
        "auditEvents": .connection(auditConnection),
        "learnerAccessLog": learnerAccessLog,
        "auditChain": .relation(Relation("AuditChainVerification", table: nil,
                                         from: "(SELECT * FROM eduql.audit_verifications ORDER BY id DESC LIMIT 1)", on: nil)),
        "changes": .custom { compilation, field, _ in try compilation.changes(field) },
        "integrationClients": integrationClients,
    ]

    static let byID: ArgumentFilter = { arguments, builder, alias in
        ["\(alias).id = \(builder.bind(try arguments.id("id") ?? .constant(0)))"]
    }

    /// The `from`…`to` range of a diary or journal: real dates, in order, not longer than `maxDays`.
    static func dateSpan(_ arguments: Arguments, maxDays: Int) throws -> (from: Parameter<String>, to: Parameter<String>) {
        guard let from = try arguments.date("from"), let to = try arguments.date("to") else {
            throw QueryError.badInput("from and to are required dates.")
        }
        let span = try from.and(to).map { from, to in
            let days = DateScalar.days(from: from, to: to)
            guard days >= 0 else { throw QueryError.badInput("from must not be after to.") }
            guard days < maxDays else { throw QueryError.badInput("A range may span at most \(maxDays) days.") }
            return (from, to)
        }
        return (try span.map(\.0), try span.map(\.1))
    }
}
