-- Authentication: per-region password policy, audit numbering, and the three narrow entry
-- points the server's role uses before it knows a tenant. Each is SECURITY DEFINER (runs as
-- the owner), returns only what sign-in needs, and sets no more than the caller's own tenancy.

ALTER TABLE eduql.regions
    ADD COLUMN password_min_length integer NOT NULL DEFAULT 8 CHECK (password_min_length BETWEEN 8 AND 128),
    ADD COLUMN password_max_age interval CHECK (password_max_age IS NULL OR password_max_age >= interval '1 day');

CREATE SEQUENCE eduql.audit_event_seq;
ALTER TABLE eduql.audit_events ALTER COLUMN seq SET DEFAULT nextval('eduql.audit_event_seq');
GRANT USAGE ON SEQUENCE eduql.audit_event_seq TO eduql_app;

-- The account behind a login, for password verification; nothing for an unknown login.
CREATE FUNCTION eduql.login_candidate(p_login text)
RETURNS TABLE (user_id bigint, region_id bigint, password_hash text, must_change_password boolean, disabled boolean,
               locked_until timestamptz, password_min_length integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    SELECT u.id, u.region_id, u.password_hash,
           u.must_change_password OR (r.password_max_age IS NOT NULL AND u.password_changed_at < now() - r.password_max_age),
           u.disabled_at IS NOT NULL, u.locked_until, r.password_min_length
    FROM eduql.users u JOIN eduql.regions r ON r.id = u.region_id
    WHERE u.login = lower(p_login)
$$;

-- The integration client behind a client id.
CREATE FUNCTION eduql.client_candidate(p_client_id text)
RETURNS TABLE (client_id bigint, region_id bigint, secret_hash text, revoked boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    SELECT c.id, c.region_id, c.secret_hash, c.revoked_at IS NOT NULL FROM eduql.integration_clients c WHERE c.client_id = p_client_id
$$;

-- Checks a session token and, in the same statement, sets the transaction's tenancy to the
-- role assignment it acts in: the session's own, or the one p_role names (a role name held
-- once, or an assignment id). A disabled user, a revoked assignment, an expired, idle or
-- revoked session yield no row; a role the person does not hold yields status 'role_not_held'.
CREATE FUNCTION eduql.session_principal(p_token_sha256 bytea, p_role text, p_idle interval)
RETURNS TABLE (status text, session_id bigint, user_id bigint, login text, region_id bigint, assignment_id bigint, role text,
               municipality_id bigint, organization_id bigint, class_id bigint, staff_id bigint, guardian_id bigint,
               learner_id bigint, must_change_password boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    s record;
    a record;
BEGIN
    SELECT se.id, se.role_assignment_id, u.id AS user_id, u.login, u.region_id, u.staff_id, u.guardian_id, u.learner_id,
           u.must_change_password OR (r.password_max_age IS NOT NULL AND u.password_changed_at < now() - r.password_max_age) AS must_change
      INTO s
      FROM eduql.sessions se
      JOIN eduql.users u ON u.id = se.user_id AND u.disabled_at IS NULL
      JOIN eduql.regions r ON r.id = u.region_id
     WHERE se.token_sha256 = p_token_sha256 AND se.revoked_at IS NULL
       AND se.expires_at > now() AND se.last_seen_at > now() - p_idle;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF p_role IS NULL OR p_role = '' THEN
        SELECT * INTO a FROM eduql.role_assignments ra WHERE ra.id = s.role_assignment_id AND ra.revoked_at IS NULL;
    ELSIF p_role ~ '^[0-9]{1,18}$' THEN
        SELECT * INTO a FROM eduql.role_assignments ra WHERE ra.id = p_role::bigint AND ra.user_id = s.user_id AND ra.revoked_at IS NULL;
    ELSE
        SELECT * INTO a FROM eduql.role_assignments ra WHERE ra.role = p_role AND ra.user_id = s.user_id AND ra.revoked_at IS NULL
         AND (SELECT count(*) FROM eduql.role_assignments o WHERE o.role = p_role AND o.user_id = s.user_id AND o.revoked_at IS NULL) = 1;
    END IF;
    UPDATE eduql.sessions SET last_seen_at = now() WHERE id = s.id;
    IF a.id IS NULL THEN
        -- The session's own assignment was revoked: it can act in nothing.
        IF p_role IS NULL OR p_role = '' THEN
            RETURN;
        END IF;
        RETURN QUERY SELECT 'role_not_held', s.id, s.user_id, s.login, s.region_id, NULL::bigint, NULL::text, NULL::bigint,
                            NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, s.must_change;
        RETURN;
    END IF;
    PERFORM set_config('eduql.region_id', a.region_id::text, true),
            set_config('eduql.municipality_id', coalesce(a.municipality_id::text, ''), true),
            set_config('eduql.organization_id', coalesce(a.organization_id::text, ''), true),
            set_config('eduql.user_id', s.user_id::text, true),
            set_config('eduql.role', a.role, true);
    RETURN QUERY SELECT 'ok', s.id, s.user_id, s.login, s.region_id, a.id, a.role, a.municipality_id, a.organization_id,
                        a.class_id, s.staff_id, s.guardian_id, s.learner_id, s.must_change;
END $$;

-- Checks an integration client's bearer token and sets the region of its grant.
CREATE FUNCTION eduql.client_token_principal(p_token_sha256 bytea)
RETURNS TABLE (client_id bigint, client_name text, region_id bigint, grant_id bigint, municipality_ids bigint[],
               organization_ids bigint[], documents text[], fields text[], may_write boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    t record;
BEGIN
    SELECT c.id AS client_id, c.client_id AS client_name, g.region_id, g.id AS grant_id, g.municipality_ids, g.organization_ids,
           g.documents, g.fields, g.may_write
      INTO t
      FROM eduql.integration_tokens tk
      JOIN eduql.integration_clients c ON c.id = tk.client_id AND c.revoked_at IS NULL
      JOIN eduql.integration_grants g ON g.id = tk.grant_id AND g.revoked_at IS NULL AND g.expires_at > now()
     WHERE tk.token_sha256 = p_token_sha256 AND tk.revoked_at IS NULL AND tk.expires_at > now();
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM set_config('eduql.region_id', t.region_id::text, true),
            set_config('eduql.municipality_id', '', true),
            set_config('eduql.organization_id', '', true),
            set_config('eduql.client_id', t.client_id::text, true);
    RETURN QUERY SELECT t.client_id, t.client_name, t.region_id, t.grant_id, t.municipality_ids, t.organization_ids, t.documents,
                        t.fields, t.may_write;
END $$;

REVOKE ALL ON FUNCTION eduql.login_candidate(text), eduql.client_candidate(text),
    eduql.session_principal(bytea, text, interval), eduql.client_token_principal(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.login_candidate(text), eduql.client_candidate(text),
    eduql.session_principal(bytea, text, interval), eduql.client_token_principal(bytea) TO eduql_app;
