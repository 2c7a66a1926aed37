-- A state change stages its audit event instead of chaining it. Until now a change appended its
-- event with eduql.append_audit inside its own transaction, so it held the chain's one head row
-- from the append to its commit, across a round trip to the server: every change of the whole
-- deployment (two teachers' journals in different schools, sign-ins, the read sink's batches)
-- queued behind that lock. Now the change inserts its event into eduql.audit_staged, in the
-- same transaction (the change and its event still commit together or not at all), and the
-- chain takes staged events in at its next append: the sink's batch, which the server asks for
-- right after the change commits and before it answers, chains everything staged first, then
-- its own events, under the lock held for that one statement only.

CREATE TABLE eduql.audit_staged (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event  jsonb NOT NULL
);
REVOKE ALL ON eduql.audit_staged FROM PUBLIC;

-- Stages a batch of events (as eduql.append_audit takes them). Each is read as an audit_events
-- row now, so an event the chain could not take fails its change, not a later append.
CREATE FUNCTION eduql.stage_audit(p_events jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    item jsonb;
    e eduql.audit_events;
BEGIN
    FOR item IN SELECT value FROM jsonb_array_elements(p_events) LOOP
        e := jsonb_populate_record(NULL::eduql.audit_events, item - 'document' - 'seq' - 'prev_hash' - 'hash');
        INSERT INTO eduql.audit_staged (event) VALUES (item);
    END LOOP;
END $$;

-- As before (0010), but the staged events go first: the head row is locked, the staged events
-- visible now are taken (oldest first) and removed, then the batch's own events follow.
CREATE OR REPLACE FUNCTION eduql.append_audit(p_events jsonb) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    head record;
    item jsonb;
    e eduql.audit_events;
    staged bigint[];
    events jsonb;
    chained eduql.audit_events[] := '{}';
BEGIN
    IF jsonb_array_length(p_events) = 0 AND NOT EXISTS (SELECT 1 FROM eduql.audit_staged) THEN
        RETURN NULL;
    END IF;
    SELECT last_seq, last_hash INTO head FROM eduql.audit_chain WHERE id = 1 FOR UPDATE;
    -- Read after the lock: a staged event another append took in is gone once it committed. At
    -- most 1,000 at a time (after an outage the next appends take the rest).
    SELECT array_agg(s.id ORDER BY s.id), coalesce(jsonb_agg(s.event ORDER BY s.id), '[]') || p_events INTO staged, events
      FROM (SELECT id, event FROM eduql.audit_staged ORDER BY id LIMIT 1000) s;
    INSERT INTO eduql.audit_documents (sha256, document)
    SELECT DISTINCT ON (x->>'document_sha256') (x->>'document_sha256')::bytea, x->>'document'
      FROM jsonb_array_elements(events) x
     WHERE x->>'document' IS NOT NULL AND x->>'document_sha256' IS NOT NULL
    ON CONFLICT (sha256) DO NOTHING;
    FOR item IN SELECT value FROM jsonb_array_elements(events) LOOP
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
    INSERT INTO eduql.audit_events SELECT * FROM unnest(chained);
    IF staged IS NOT NULL THEN
        DELETE FROM eduql.audit_staged WHERE id = ANY (staged);
    END IF;
    UPDATE eduql.audit_chain SET last_seq = head.last_seq, last_hash = head.last_hash WHERE id = 1;
    RETURN head.last_seq;
END $$;

REVOKE ALL ON FUNCTION eduql.stage_audit(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.stage_audit(jsonb) TO eduql_app;
