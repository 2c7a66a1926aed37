-- The query engine's entry points. Every compiled GraphQL statement starts by calling
-- act_as (users) or act_as_client (integration clients) in its FROM clause: the database
-- checks the token itself and sets the transaction-local settings that row-level security
-- and the policy predicates read. Neither writes, so they run in read-only transactions; a
-- statement whose token no longer holds yields ok = false and no data.

-- An id the acting principal carries (staff_id, guardian_id, learner_id, class_id), or NULL.
CREATE FUNCTION eduql.current_id(p_name text) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT nullif(current_setting('eduql.' || p_name, true), '')::bigint $$;

-- A list of ids the acting integration grant names (grant_municipalities, grant_organizations);
-- NULL when the grant names none (the whole region).
CREATE FUNCTION eduql.current_ids(p_name text) RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT nullif(current_setting('eduql.' || p_name, true), '')::bigint[] $$;

-- Checks a session token still holds the assignment, without touching the session, and sets
-- the tenancy of that assignment and the person ids of its role.
CREATE FUNCTION eduql.act_as(p_token_sha256 bytea, p_assignment_id bigint, p_idle interval)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    a record;
BEGIN
    SELECT ra.region_id, ra.municipality_id, ra.organization_id, ra.class_id, ra.role, u.id AS user_id,
           u.staff_id, u.guardian_id, u.learner_id
      INTO a
      FROM eduql.sessions se
      JOIN eduql.users u ON u.id = se.user_id AND u.disabled_at IS NULL
      JOIN eduql.role_assignments ra ON ra.id = p_assignment_id AND ra.user_id = u.id AND ra.revoked_at IS NULL
     WHERE se.token_sha256 = p_token_sha256 AND se.revoked_at IS NULL
       AND se.expires_at > now() AND se.last_seen_at > now() - p_idle;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM set_config('eduql.region_id', a.region_id::text, true),
            set_config('eduql.municipality_id', coalesce(a.municipality_id::text, ''), true),
            set_config('eduql.organization_id', coalesce(a.organization_id::text, ''), true),
            set_config('eduql.class_id', coalesce(a.class_id::text, ''), true),
            set_config('eduql.user_id', a.user_id::text, true),
            set_config('eduql.assignment_id', p_assignment_id::text, true),
            set_config('eduql.role', a.role, true),
            set_config('eduql.staff_id', CASE WHEN a.role IN ('parent', 'student') THEN '' ELSE coalesce(a.staff_id::text, '') END, true),
            set_config('eduql.guardian_id', CASE WHEN a.role = 'parent' THEN coalesce(a.guardian_id::text, '') ELSE '' END, true),
            set_config('eduql.learner_id', CASE WHEN a.role = 'student' THEN coalesce(a.learner_id::text, '') ELSE '' END, true),
            set_config('eduql.client_id', '', true),
            set_config('eduql.grant_municipalities', '', true),
            set_config('eduql.grant_organizations', '', true);
    RETURN true;
END $$;

-- Checks an integration token and sets the region and the reach of its grant.
CREATE FUNCTION eduql.act_as_client(p_token_sha256 bytea)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    t record;
BEGIN
    SELECT c.id AS client_id, g.region_id, g.municipality_ids, g.organization_ids
      INTO t
      FROM eduql.integration_tokens tk
      JOIN eduql.integration_clients c ON c.id = tk.client_id AND c.revoked_at IS NULL
      JOIN eduql.integration_grants g ON g.id = tk.grant_id AND g.revoked_at IS NULL AND g.expires_at > now()
     WHERE tk.token_sha256 = p_token_sha256 AND tk.revoked_at IS NULL AND tk.expires_at > now();
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM set_config('eduql.region_id', t.region_id::text, true),
            set_config('eduql.municipality_id', '', true),
            set_config('eduql.organization_id', '', true),
            set_config('eduql.class_id', '', true),
            set_config('eduql.user_id', '', true),
            set_config('eduql.assignment_id', '', true),
            set_config('eduql.role', 'integration', true),
            set_config('eduql.staff_id', '', true),
            set_config('eduql.guardian_id', '', true),
            set_config('eduql.learner_id', '', true),
            set_config('eduql.client_id', t.client_id::text, true),
            set_config('eduql.grant_municipalities', CASE WHEN cardinality(t.municipality_ids) > 0 THEN t.municipality_ids::text ELSE '' END, true),
            set_config('eduql.grant_organizations', CASE WHEN cardinality(t.organization_ids) > 0 THEN t.organization_ids::text ELSE '' END, true);
    RETURN true;
END $$;

REVOKE ALL ON FUNCTION eduql.act_as(bytea, bigint, interval), eduql.act_as_client(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.act_as(bytea, bigint, interval), eduql.act_as_client(bytea) TO eduql_app;

-- A scope as GraphQL's ScopeRef (kind, id, name), read under the caller's row-level security.
CREATE FUNCTION eduql.scope_ref(p_region bigint, p_municipality bigint, p_organization bigint, p_class bigint)
RETURNS TABLE (kind text, id text, name text)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_class IS NOT NULL THEN 'CLASS' WHEN p_organization IS NOT NULL THEN 'ORGANIZATION'
                WHEN p_municipality IS NOT NULL THEN 'MUNICIPALITY' ELSE 'REGION' END,
           coalesce(p_class, p_organization, p_municipality, p_region)::text,
           coalesce(CASE WHEN p_class IS NOT NULL THEN (SELECT c.name FROM eduql.classes c WHERE c.id = p_class)
                         WHEN p_organization IS NOT NULL THEN (SELECT o.short_name FROM eduql.organizations o WHERE o.id = p_organization)
                         WHEN p_municipality IS NOT NULL THEN (SELECT m.name FROM eduql.municipalities m WHERE m.id = p_municipality)
                         ELSE (SELECT r.name FROM eduql.regions r WHERE r.id = p_region) END, '')
$$;
