-- Integrations that write: a grant names the mutations its client may run, each with its own
-- rate (`[{"mutation": "recordMarks", "ratePerSecond": 5, "burst": 20}, …]`); a grant may name
-- only writes.
ALTER TABLE eduql.integration_grants
    ADD COLUMN writes jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(writes) = 'array' AND jsonb_array_length(writes) <= 32);
DO $$
DECLARE
    reach text;
BEGIN
    SELECT conname INTO STRICT reach FROM pg_constraint
    WHERE conrelid = 'eduql.integration_grants'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%cardinality(documents)%';
    EXECUTE format('ALTER TABLE eduql.integration_grants DROP CONSTRAINT %I', reach);
END $$;
ALTER TABLE eduql.integration_grants
    ADD CONSTRAINT integration_grants_reach CHECK (cardinality(documents) > 0 OR cardinality(fields) > 0 OR jsonb_array_length(writes) > 0);

-- An application filed through an integration (the federal services portal) keeps the
-- client that filed it and the portal's own number, by which the portal's retries are one.
ALTER TABLE eduql.queue_applications
    ADD COLUMN filed_by_client_id bigint REFERENCES eduql.integration_clients,
    ADD COLUMN portal_number text CHECK (portal_number ~ '^[0-9A-Za-z][0-9A-Za-z./_-]{0,63}$'),
    ADD CONSTRAINT queue_applications_portal CHECK ((portal_number IS NULL) = (filed_by_client_id IS NULL));
CREATE UNIQUE INDEX queue_applications_portal_number ON eduql.queue_applications (filed_by_client_id, portal_number)
    WHERE filed_by_client_id IS NOT NULL;

-- The client token's principal carries the grant's writes.
DROP FUNCTION eduql.client_token_principal(bytea);
CREATE FUNCTION eduql.client_token_principal(p_token_sha256 bytea)
RETURNS TABLE (client_id bigint, client_name text, region_id bigint, grant_id bigint, municipality_ids bigint[],
               organization_ids bigint[], documents text[], fields text[], writes text, rate_per_second real, burst integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    t record;
BEGIN
    SELECT c.id AS client_id, c.client_id AS client_name, g.region_id, g.id AS grant_id, g.municipality_ids, g.organization_ids,
           g.documents, g.fields, g.writes::text AS writes, g.rate_per_second, g.burst
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
                        t.fields, t.writes, t.rate_per_second, t.burst;
END $$;
REVOKE ALL ON FUNCTION eduql.client_token_principal(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.client_token_principal(bytea) TO eduql_app;

-- A client's write on behalf of a person, checked by the database: the token still live, its
-- grant naming the mutation, and the person inside the grant's reach — a member of staff (a
-- teacher whose lesson it records), a guardian (an applicant), or the applicant of an
-- application this client filed. Sets the transaction's tenancy to that person's, narrowed
-- by the grant (a staff member's organization; a grant of one municipality, that
-- municipality), so row-level security holds the write inside both. NULL when the client may
-- act; otherwise why not: 'unauthenticated', 'not_granted', 'unknown_person', 'outside_grant'.
CREATE FUNCTION eduql.act_for(p_token_sha256 bytea, p_mutation text, p_staff bigint, p_guardian bigint, p_application bigint)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    t record;
    person record;
    guardian bigint := p_guardian;
BEGIN
    IF NOT eduql.act_as_client(p_token_sha256) THEN
        RETURN 'unauthenticated';
    END IF;
    SELECT g.region_id, g.municipality_ids, g.organization_ids, g.writes
      INTO t
      FROM eduql.integration_tokens tk JOIN eduql.integration_grants g ON g.id = tk.grant_id
     WHERE tk.token_sha256 = p_token_sha256;
    IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(t.writes) w WHERE w->>'mutation' = p_mutation) THEN
        RETURN 'not_granted';
    END IF;
    IF p_staff IS NOT NULL THEN
        SELECT s.id, s.organization_id, o.municipality_id INTO person
          FROM eduql.staff s JOIN eduql.organizations o ON o.id = s.organization_id
         WHERE s.id = p_staff AND s.region_id = t.region_id AND s.dismissed_on IS NULL;
        IF NOT FOUND THEN
            RETURN 'unknown_person';
        END IF;
        IF (cardinality(t.municipality_ids) > 0 AND NOT person.municipality_id = ANY(t.municipality_ids))
           OR (cardinality(t.organization_ids) > 0 AND NOT person.organization_id = ANY(t.organization_ids)) THEN
            RETURN 'outside_grant';
        END IF;
        PERFORM set_config('eduql.municipality_id', person.municipality_id::text, true),
                set_config('eduql.organization_id', person.organization_id::text, true),
                set_config('eduql.staff_id', person.id::text, true);
        RETURN NULL;
    END IF;
    IF p_application IS NOT NULL THEN
        SELECT q.applicant_guardian_id INTO guardian FROM eduql.queue_applications q
         WHERE q.id = p_application AND q.region_id = t.region_id AND q.filed_by_client_id = current_setting('eduql.client_id')::bigint
           AND (cardinality(t.municipality_ids) = 0 OR q.municipality_id = ANY(t.municipality_ids));
        IF guardian IS NULL THEN
            RETURN 'outside_grant';
        END IF;
    END IF;
    IF guardian IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM eduql.guardians g WHERE g.id = guardian AND g.region_id = t.region_id) THEN
            RETURN 'unknown_person';
        END IF;
        PERFORM set_config('eduql.guardian_id', guardian::text, true);
    END IF;
    IF cardinality(t.municipality_ids) = 1 THEN
        PERFORM set_config('eduql.municipality_id', t.municipality_ids[1]::text, true);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION eduql.act_for(bytea, text, bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.act_for(bytea, text, bigint, bigint, bigint) TO eduql_app;
