-- The audit chain. Events are appended only through eduql.append_audit, which takes the
-- chain's lock (its one head row), numbers the batch strictly after the head, and gives each
-- event hash = SHA-256(previous hash || canonical serialization). eduql.audit_verify walks
-- the chain; eduql.audit_prune drops whole monthly partitions and records the pruned head,
-- so the chain still verifies from there.

CREATE TABLE eduql.audit_chain (
    id         integer PRIMARY KEY CHECK (id = 1),
    last_seq   bigint NOT NULL,
    last_hash  bytea NOT NULL
);
INSERT INTO eduql.audit_chain VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

-- Where the chain was cut: the last event of the partitions dropped, which the first kept
-- event names as its predecessor.
CREATE TABLE eduql.audit_prunes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pruned_at   timestamptz NOT NULL DEFAULT now(),
    before      date NOT NULL,
    head_seq    bigint NOT NULL,
    head_hash   bytea NOT NULL,
    partitions  text[] NOT NULL
);

-- The sequence numbers come from the chain now, not from a sequence.
ALTER TABLE eduql.audit_events ALTER COLUMN seq DROP DEFAULT;
DROP SEQUENCE eduql.audit_event_seq;

-- What an event's hash covers: every column but the hashes, in a fixed order, with the time
-- in microseconds since the epoch (independent of the session's time zone).
CREATE FUNCTION eduql.audit_canonical(e eduql.audit_events) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_array(
        e.seq, (extract(epoch FROM e.occurred_at) * 1000000)::bigint, e.region_id, e.municipality_id, e.organization_id,
        e.request_id, e.kind, e.action, e.user_id, e.client_id, e.login, e.role, host(e.client_ip), e.user_agent,
        e.operation_type, e.operation_name, encode(e.document_sha256, 'hex'), e.variables, e.root_fields, e.learner_ids,
        e.row_count, e.outcome, e.error_codes, e.detail, e.duration_ms)::text
$$;

-- Appends a batch of events (a JSON array of audit_events columns, seq and hashes left out;
-- the time may come as "occurred_at_us", microseconds since the epoch; an event may carry
-- "document": the text of its document_sha256, stored once).
CREATE FUNCTION eduql.append_audit(p_events jsonb) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    head record;
    item jsonb;
    e eduql.audit_events;
    chained eduql.audit_events[] := '{}';
BEGIN
    INSERT INTO eduql.audit_documents (sha256, document)
    SELECT DISTINCT ON (x->>'document_sha256') (x->>'document_sha256')::bytea, x->>'document'
      FROM jsonb_array_elements(p_events) x
     WHERE x->>'document' IS NOT NULL AND x->>'document_sha256' IS NOT NULL
    ON CONFLICT (sha256) DO NOTHING;
    SELECT last_seq, last_hash INTO head FROM eduql.audit_chain WHERE id = 1 FOR UPDATE;
    FOR item IN SELECT value FROM jsonb_array_elements(p_events) LOOP
        e := jsonb_populate_record(NULL::eduql.audit_events, item - 'document' - 'seq' - 'prev_hash' - 'hash');
        e.occurred_at := coalesce(e.occurred_at, to_timestamp((item->>'occurred_at_us')::double precision / 1000000), clock_timestamp());
        e.root_fields := coalesce(e.root_fields, '{}');
        e.learner_ids := coalesce(e.learner_ids, '{}');
        e.error_codes := coalesce(e.error_codes, '{}');
        e.seq := head.last_seq + 1;
        e.prev_hash := head.last_hash;
        e.hash := sha256(e.prev_hash || convert_to(eduql.audit_canonical(e), 'UTF8'));
        chained := chained || e;
        head.last_seq := e.seq;
        head.last_hash := e.hash;
    END LOOP;
    -- One insert for the batch: the partition routing and index work are paid once.
    INSERT INTO eduql.audit_events SELECT * FROM unnest(chained);
    UPDATE eduql.audit_chain SET last_seq = head.last_seq, last_hash = head.last_hash WHERE id = 1;
    RETURN head.last_seq;
END $$;

-- Walks the chain from p_from to p_to (sequence numbers; NULL for the ends) and names the first
-- broken link: a missing or repeated number, a wrong predecessor, or a hash that does not match.
CREATE FUNCTION eduql.audit_verify(p_from bigint DEFAULT NULL, p_to bigint DEFAULT NULL)
RETURNS TABLE (checked bigint, broken_seq bigint, reason text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    e eduql.audit_events;
    expected_seq bigint;
    expected_hash bytea;
    n bigint := 0;
BEGIN
    FOR e IN SELECT * FROM eduql.audit_events a
              WHERE (p_from IS NULL OR a.seq >= p_from) AND (p_to IS NULL OR a.seq <= p_to) ORDER BY a.seq, a.occurred_at LOOP
        IF expected_seq IS NULL THEN
            -- The first event checked follows the genesis, a pruned head, or the event before it.
            SELECT a.hash INTO expected_hash FROM eduql.audit_events a WHERE a.seq = e.seq - 1;
            IF NOT FOUND THEN
                SELECT p.head_hash INTO expected_hash FROM eduql.audit_prunes p WHERE p.head_seq = e.seq - 1 ORDER BY p.id DESC LIMIT 1;
            END IF;
            IF NOT FOUND AND e.seq = 1 THEN
                expected_hash := '\x0000000000000000000000000000000000000000000000000000000000000000';
            END IF;
            IF expected_hash IS NULL THEN
                RETURN QUERY SELECT n, e.seq, 'the event before is missing and no prune recorded it';
                RETURN;
            END IF;
            expected_seq := e.seq;
        END IF;
        IF e.seq <> expected_seq THEN
            RETURN QUERY SELECT n, expected_seq, CASE WHEN e.seq < expected_seq THEN 'sequence number repeated' ELSE 'event missing' END;
            RETURN;
        END IF;
        IF e.prev_hash IS DISTINCT FROM expected_hash THEN
            RETURN QUERY SELECT n, e.seq, 'does not follow the event before';
            RETURN;
        END IF;
        IF e.hash IS DISTINCT FROM sha256(e.prev_hash || convert_to(eduql.audit_canonical(e), 'UTF8')) THEN
            RETURN QUERY SELECT n, e.seq, 'content does not match its hash';
            RETURN;
        END IF;
        n := n + 1;
        expected_seq := e.seq + 1;
        expected_hash := e.hash;
    END LOOP;
    IF p_to IS NULL AND expected_seq IS NOT NULL
       AND (SELECT last_seq FROM eduql.audit_chain WHERE id = 1) <> expected_seq - 1 THEN
        RETURN QUERY SELECT n, expected_seq, 'the chain head names a later event that is missing';
        RETURN;
    END IF;
    RETURN QUERY SELECT n, NULL::bigint, NULL::text;
END $$;

-- Drops the monthly partitions that end on or before p_before, recording the last event they
-- held as the pruned head. Refuses to cut into the last p_min_months months.
CREATE FUNCTION eduql.audit_prune(p_before date, p_min_months integer DEFAULT 3)
RETURNS TABLE (partition text, head_seq bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    part record;
    dropped text[] := '{}';
    head record;
BEGIN
    IF p_before > (date_trunc('month', current_date) - make_interval(months => p_min_months))::date THEN
        RAISE EXCEPTION 'audit records are kept at least % months: cannot prune before %', p_min_months, p_before
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM 1 FROM eduql.audit_chain WHERE id = 1 FOR UPDATE;
    FOR part IN
        SELECT c.relname, (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([0-9-]+)'))[1]::date AS ends
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'eduql.audit_events'::regclass ORDER BY 2
    LOOP
        CONTINUE WHEN part.ends > p_before;
        EXECUTE format('SELECT seq, hash FROM eduql.%I ORDER BY seq DESC LIMIT 1', part.relname) INTO head;
        IF head.seq IS NOT NULL THEN
            INSERT INTO eduql.audit_prunes (before, head_seq, head_hash, partitions) VALUES (p_before, head.seq, head.hash, ARRAY[part.relname]);
        END IF;
        EXECUTE format('DROP TABLE eduql.%I', part.relname);
        partition := part.relname;
        head_seq := head.seq;
        RETURN NEXT;
    END LOOP;
END $$;

-- Who accessed a learner's personal data: the events whose answers carried it, in the tenant
-- of the calling statement. The engine calls it only for a learner its policy shows the caller.
CREATE FUNCTION eduql.learner_access_log(p_learner bigint, p_from timestamptz, p_to timestamptz)
RETURNS SETOF eduql.audit_events
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    SELECT * FROM eduql.audit_events a
     WHERE a.learner_ids @> ARRAY[p_learner] AND a.region_id = eduql.current_region_id()
       AND a.occurred_at >= p_from AND a.occurred_at < p_to
     ORDER BY a.seq
$$;

REVOKE ALL ON FUNCTION eduql.append_audit(jsonb), eduql.audit_verify(bigint, bigint), eduql.audit_prune(date, integer),
    eduql.learner_access_log(bigint, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.append_audit(jsonb), eduql.learner_access_log(bigint, timestamptz, timestamptz) TO eduql_app;
GRANT SELECT ON eduql.audit_documents TO eduql_app;
