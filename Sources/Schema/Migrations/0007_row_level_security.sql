-- Row-level security: the tenancy underneath the policy layer. Every tenant-owned table is
-- ENABLEd and FORCEd, with one policy that reads the transaction-local settings
-- eduql.region_id, eduql.municipality_id and eduql.organization_id (set with
-- set_config(name, value, true)). Each setting is read through (SELECT …) so that it is
-- evaluated once per statement. No region set means no rows.
-- The server connects as eduql_app (NOBYPASSRLS, owns nothing); migrations run as the owner.

CREATE FUNCTION eduql.current_region_id() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT nullif(current_setting('eduql.region_id', true), '')::bigint $$;

CREATE FUNCTION eduql.current_municipality_id() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT nullif(current_setting('eduql.municipality_id', true), '')::bigint $$;

CREATE FUNCTION eduql.current_organization_id() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT nullif(current_setting('eduql.organization_id', true), '')::bigint $$;

-- Puts a tenant-owned table under the tenancy policy and grants the server's role its rows.
-- The region column is region_id (id for regions); a session narrowed to a municipality or an
-- organization sees only rows of it, and rows whose nullable municipality or organization is
-- unset (region-wide rows such as federal benefit categories).
CREATE FUNCTION eduql.apply_tenancy(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    rel text := (SELECT relname FROM pg_class WHERE oid = tbl);
    predicate text;
    part text;
    col record;
BEGIN
    FOR col IN
        SELECT scope, setting, attname, NOT attnotnull AS nullable
        FROM (VALUES ('region', 'current_region_id', 'regions'),
                     ('municipality', 'current_municipality_id', 'municipalities'),
                     ('organization', 'current_organization_id', 'organizations')) AS s(scope, setting, own_table)
        JOIN pg_attribute a ON a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped
         AND a.attname = CASE WHEN rel = s.own_table THEN 'id' ELSE s.scope || '_id' END
    LOOP
        IF col.scope = 'region' THEN
            part := format('%I = (SELECT eduql.%I())', col.attname, col.setting);
        ELSE
            part := format('((SELECT eduql.%I()) IS NULL OR %s%I = (SELECT eduql.%I()))',
                           col.setting, CASE WHEN col.nullable THEN format('%I IS NULL OR ', col.attname) ELSE '' END,
                           col.attname, col.setting);
        END IF;
        predicate := CASE WHEN predicate IS NULL THEN part ELSE predicate || ' AND ' || part END;
    END LOOP;
    IF predicate IS NULL OR predicate NOT LIKE '%current_region_id%' THEN
        RAISE EXCEPTION 'table % has no region column', tbl;
    END IF;
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
    EXECUTE format('DROP POLICY IF EXISTS tenancy ON %s', tbl);
    EXECUTE format('CREATE POLICY tenancy ON %s USING (%s) WITH CHECK (%s)', tbl, predicate, predicate);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO eduql_app', tbl);
END $$;

SELECT eduql.apply_tenancy(c.oid)
FROM pg_class c
WHERE c.relnamespace = 'eduql'::regnamespace
  AND c.relkind = 'r' AND NOT c.relispartition
  AND c.relname NOT IN ('schema_migrations', 'audit_documents');

-- Audit: insert-only for the server, read within the tenant.
ALTER TABLE eduql.audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE eduql.audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_append ON eduql.audit_events FOR INSERT WITH CHECK (true);
CREATE POLICY audit_read ON eduql.audit_events FOR SELECT USING (
    region_id = (SELECT eduql.current_region_id())
    AND ((SELECT eduql.current_municipality_id()) IS NULL OR municipality_id = (SELECT eduql.current_municipality_id()))
    AND ((SELECT eduql.current_organization_id()) IS NULL OR organization_id = (SELECT eduql.current_organization_id()))
);
GRANT SELECT, INSERT ON eduql.audit_events TO eduql_app;
GRANT INSERT ON eduql.audit_documents TO eduql_app;

GRANT USAGE ON SCHEMA eduql TO eduql_app;
GRANT SELECT ON eduql.schema_migrations TO eduql_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA eduql TO eduql_app;
