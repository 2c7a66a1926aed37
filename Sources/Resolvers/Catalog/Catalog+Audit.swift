import EduQLAccessControl
import GraphQL

/// The audit log as administrators and families read it.
extension Catalog {
    static let audit: [String: [String: FieldSource]] = [
        "AuditEvent": [
            "seq": id("seq"), "occurredAt": column("occurred_at"), "requestId": column("request_id"), "kind": column("kind"),
            "action": column("action"), "outcome": enumeration("outcome"), "login": column("login"), "role": column("role"),
            "scope": scopeRef("{t}.region_id, {t}.municipality_id, {t}.organization_id, NULL::bigint"),
            "clientIp": .column("host({t}.client_ip)"), "operationType": column("operation_type"),
            "operationName": column("operation_name"), "rootFields": column("root_fields"),
            "learnerIds": .column("(SELECT coalesce(json_agg(x::text), '[]'::json) FROM unnest({t}.learner_ids) x)"),
            "rowCount": column("row_count"), "errorCodes": column("error_codes"), "durationMs": column("duration_ms"),
        ],
        "AuditChainVerification": [
            "verifiedAt": column("verified_at"), "fullWalk": column("full_walk"), "intact": .column("({t}.broken_seq IS NULL)"),
            "checked": column("checked"), "intactThrough": id("through_seq"), "brokenAt": id("broken_seq"), "reason": column("reason"),
        ],
        "AccessLogEntry": [
            "occurredAt": column("occurred_at"), "login": column("login"), "role": column("role"),
            "scope": scopeRef("{t}.region_id, {t}.municipality_id, {t}.organization_id, NULL::bigint"),
            "operationType": column("operation_type"), "operationName": column("operation_name"),
            "rootFields": column("root_fields"), "outcome": enumeration("outcome"),
        ],
    ]

    static let auditConnection = Connection(
        nodeType: "AuditEvent", table: .auditEvents, on: nil, orders: ["NEWEST_FIRST": "{c}.seq DESC"]
    ) { arguments, builder, alias in
        guard let filter = arguments.object("filter") else { return [] }
        var conditions: [SQLTemplate] = []
        if let from = try filter.dateTime("from") { conditions.append("\(alias).occurred_at >= \(builder.bind(from))::timestamptz") }
        if let to = try filter.dateTime("to") { conditions.append("\(alias).occurred_at < \(builder.bind(to))::timestamptz") }
        if let outcome = try filter.enumValue("outcome") { conditions.append("\(alias).outcome = lower(\(builder.bind(outcome)))") }
        if let login = try filter.string("login") { conditions.append("\(alias).login = \(builder.bind(login))") }
        if let operation = try filter.string("operation") {
            let value = builder.bind(operation)
            conditions.append("(\(alias).operation_name = \(value) OR \(alias).action = \(value) OR \(value) = ANY(\(alias).root_fields))")
        }
        if let learner = try filter.id("learnerId") { conditions.append("\(alias).learner_ids @> ARRAY[\(builder.bind(learner))::bigint]") }
        return conditions
    }

    /// `learnerAccessLog`: the events that carried a learner's data, for a learner the policy shows.
    static let learnerAccessLog: FieldSource = .custom { compilation, field, parent in
        let learner = compilation.sql.bind(try field.arguments.id("learnerId") ?? .constant(0))
        let from = try field.arguments.dateTime("from").map { "\(compilation.sql.bind($0))::timestamptz" } ?? "'-infinity'::timestamptz"
        let to = try field.arguments.dateTime("to").map { "\(compilation.sql.bind($0))::timestamptz" } ?? "'infinity'::timestamptz"
        let relation = Relation("AccessLogEntry", table: nil, from: """
            (SELECT a.* FROM eduql.learners x, eduql.learner_access_log(x.id, \(from), \(to)) a WHERE x.id = \(learner) AND {rows:learners:x})
            """, on: nil, many: true, orderBy: "{c}.seq")
        return try compilation.relation(relation, field: field, parent: parent)
    }
}
