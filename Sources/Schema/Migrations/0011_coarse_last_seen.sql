-- A session's last use is recorded coarsely: at most once a minute, and without waiting for
-- the write to reach the disk (losing it in a crash only shortens nothing that matters: the
-- idle limit is thirty minutes). Reading a principal no longer writes on every request.
CREATE OR REPLACE FUNCTION eduql.session_principal(p_token_sha256 bytea, p_role text, p_idle interval)
RETURNS TABLE (status text, session_id bigint, user_id bigint, login text, region_id bigint, assignment_id bigint, role text,
               municipality_id bigint, organization_id bigint, class_id bigint, staff_id bigint, guardian_id bigint,
               learner_id bigint, must_change_password boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    s record;
    a record;
BEGIN
    SELECT se.id, se.role_assignment_id, se.last_seen_at, u.id AS user_id, u.login, u.region_id, u.staff_id, u.guardian_id, u.learner_id,
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
    IF s.last_seen_at < now() - interval '1 minute' THEN
        PERFORM set_config('synchronous_commit', 'off', true);
        UPDATE eduql.sessions SET last_seen_at = now() WHERE id = s.id;
    END IF;
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
