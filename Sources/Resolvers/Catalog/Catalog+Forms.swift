import EduQLAccessControl
import GraphQL

/// Statistical forms: the definitions (rows and columns as each edition numbers them), an
/// organization's reports with their cells, failed ratios and steps, and the consolidated
/// forms of a municipality or the region, summed cell by cell over accepted reports.
extension Catalog {
    static let forms: [String: [String: FieldSource]] = [
        "StatisticalFormDefinition": [
            "form": column("form"), "edition": column("edition"), "title": column("title"),
            "reportingDay": .column("lpad({t}.definition#>>'{reportingDate,day}', 2, '0') || '.' || lpad({t}.definition#>>'{reportingDate,month}', 2, '0')"),
            "sections": .relation(Relation("FormSectionDefinition", table: nil, from: "jsonb_array_elements({t}.definition->'sections')", on: nil,
                                           many: true)),
        ],
        "FormSectionDefinition": [
            "number": .column("({t}.value->>'number')"), "title": .column("({t}.value->>'title')"),
            "rows": .relation(Relation("FormLine", table: nil, from: "jsonb_array_elements({t}.value->'rows')", on: nil, many: true)),
            "columns": .relation(Relation("FormLine", table: nil, from: "jsonb_array_elements({t}.value->'columns')", on: nil, many: true)),
        ],
        "FormLine": ["number": .column("({t}.value->>'number')"), "label": .column("({t}.value->>'label')")],
        "StatisticalReport": [
            "id": id(), "form": column("form"), "edition": column("edition"), "reportingDate": column("reporting_date"),
            "status": enumeration("status"), "computedAt": column("computed_at"), "statusChangedAt": column("status_changed_at"),
            "comment": column("comment"),
            "organization": one("Organization", .organizations, "{c}.id = {t}.organization_id"),
            "problems": .relation(Relation("FormProblem", table: nil, from: "jsonb_array_elements({t}.problems)", on: nil, many: true)),
            "cells": many("FormCell", .formReportCells, "{c}.report_id = {t}.id", orderBy: "{c}.section, {c}.row_number, {c}.column_number",
                          filter: bySection),
            "history": many("StatisticalReportStep", .formReportHistory, "{c}.report_id = {t}.id", orderBy: "{c}.changed_at, {c}.id"),
        ],
        "FormProblem": [
            "ratio": .column("({t}.value->>'ratio')"), "section": .column("({t}.value->>'section')"),
            "cells": .column("(SELECT coalesce(json_agg(x), '[]'::json) FROM jsonb_array_elements_text({t}.value->'cells') x)"),
            "left": .column("(({t}.value->>'left')::float8)"), "right": .column("(({t}.value->>'right')::float8)"),
            "units": .relation(Relation("FormUnit", table: nil, from: "jsonb_array_elements({t}.value->'units')", on: nil, many: true)),
        ],
        "FormUnit": ["id": .column("({t}.value->>'id')"), "label": .column("({t}.value->>'label')")],
        "FormCell": [
            "section": column("section"), "row": column("row_number"), "column": column("column_number"), "value": .column("({t}.value::float8)"),
        ],
        "StatisticalReportStep": [
            "status": enumeration("status"), "changedAt": column("changed_at"), "changedBy": column("changed_by_name"), "comment": column("comment"),
        ],
        "ConsolidatedForm": [
            "form": column("form"), "year": column("year"), "reports": column("reports"),
            "municipality": one("Municipality", .municipalities, "{c}.id = {t}.municipality_id"),
            // Summed over the accepted reports the caller reads: a cell of the consolidated form is the sum of the same cell.
            "cells": .relation(Relation("FormCell", table: nil, from: """
                (SELECT c.section, c.row_number, c.column_number, sum(c.value) AS value \
                FROM eduql.form_reports r JOIN eduql.form_report_cells c ON c.region_id = {region} AND c.report_id = r.id \
                WHERE r.form = {t}.form AND extract(year FROM r.reporting_date) = {t}.year AND r.status = 'accepted' \
                AND ({t}.municipality_id IS NULL OR r.municipality_id = {t}.municipality_id) \
                AND {rows:form_reports:r} AND {rows:form_report_cells:c} GROUP BY 1, 2, 3)
                """, on: nil, many: true, orderBy: "{c}.section, {c}.row_number, {c}.column_number", filter: bySection)),
        ],
    ]

    static let formQueries: [String: FieldSource] = [
        "statisticalFormDefinitions": .relation(Relation("StatisticalFormDefinition", table: nil, from: "eduql.form_definitions", on: nil,
                                                         many: true, orderBy: "{c}.form, {c}.edition")),
        "statisticalReport": .relation(Relation("StatisticalReport", table: .formReports, on: nil, filter: byID)),
        "statisticalReports": .relation(Relation("StatisticalReport", table: .formReports, on: nil, many: true,
                                                 orderBy: "{c}.reporting_date DESC, {c}.organization_id, {c}.form") { arguments, builder, alias in
            var conditions: [SQLTemplate] = []
            if let form = try arguments.string("form") { conditions.append("\(alias).form = \(builder.bind(form))") }
            if let year = try arguments.int("year") { conditions.append("extract(year FROM \(alias).reporting_date) = \(builder.bind(year))") }
            if let organization = try arguments.id("organizationId") { conditions.append("\(alias).organization_id = \(builder.bind(organization))") }
            if let status = try arguments.enumValue("status") { conditions.append("\(alias).status = lower(\(builder.bind(status)))") }
            return conditions
        }),
        "consolidatedStatisticalForm": .custom { compilation, field, parent in
            guard let form = try field.arguments.string("form"), let year = try field.arguments.int("year") else {
                throw QueryError.badInput("form and year are required.")
            }
            let municipality = try field.arguments.id("municipalityId")
            let relation = Relation("ConsolidatedForm", table: nil, from: """
                (SELECT x.*, (SELECT count(*)::int FROM eduql.form_reports r WHERE r.region_id = {region} AND r.form = x.form AND extract(year FROM r.reporting_date) = x.year \
                AND r.status = 'accepted' AND (x.municipality_id IS NULL OR r.municipality_id = x.municipality_id) AND {rows:form_reports:r}) AS reports \
                FROM (SELECT \(compilation.sql.bind(form))::text AS form, \(compilation.sql.bind(year))::int AS year, \
                \(municipality.map { compilation.sql.bind($0) } ?? "NULL")::bigint AS municipality_id) x)
                """, on: nil)
            return try compilation.relation(relation, field: field, parent: parent)
        },
    ]

    /// `section:` narrows cells to one section.
    static let bySection: ArgumentFilter = { arguments, builder, alias in
        guard let section = try arguments.string("section") else { return [] }
        return ["\(alias).section = \(builder.bind(section))"]
    }
}
