-- Every foreign key of the federated sign-in tables has an index that starts with its columns
-- (a deleted account or region is found without a scan).
CREATE INDEX ON eduql.federated_identities (linked_by);
CREATE INDEX ON eduql.federated_logins (region_id);
CREATE INDEX ON eduql.federated_logins (link_user_id);

-- Sign-ins that were started and never came back are forgotten once expired (housekeeping).
CREATE FUNCTION eduql.forget_expired_sign_ins() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    WITH gone AS (DELETE FROM eduql.federated_logins WHERE expires_at < now() RETURNING 1)
    SELECT count(*) FROM gone
$$;
REVOKE ALL ON FUNCTION eduql.forget_expired_sign_ins() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.forget_expired_sign_ins() TO eduql_app;
