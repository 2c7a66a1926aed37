-- A grant's own request rate: requests per second and burst (both unset: the server's default
-- for integration clients). The client principal carries them.
ALTER TABLE eduql.integration_grants
    ADD COLUMN rate_per_second real CHECK (rate_per_second > 0 AND rate_per_second <= 100000),
    ADD COLUMN burst integer CHECK (burst BETWEEN 1 AND 1000000),
    ADD CHECK ((rate_per_second IS NULL) = (burst IS NULL));

DROP FUNCTION eduql.client_token_principal(bytea);
CREATE FUNCTION eduql.client_token_principal(p_token_sha256 bytea)
RETURNS TABLE (client_id bigint, client_name text, region_id bigint, grant_id bigint, municipality_ids bigint[],
               organization_ids bigint[], documents text[], fields text[], may_write boolean, rate_per_second real, burst integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    t record;
BEGIN
    SELECT c.id AS client_id, c.client_id AS client_name, g.region_id, g.id AS grant_id, g.municipality_ids, g.organization_ids,
           g.documents, g.fields, g.may_write, g.rate_per_second, g.burst
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
                        t.fields, t.may_write, t.rate_per_second, t.burst;
END $$;
REVOKE ALL ON FUNCTION eduql.client_token_principal(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.client_token_principal(bytea) TO eduql_app;
