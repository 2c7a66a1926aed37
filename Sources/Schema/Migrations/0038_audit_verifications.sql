-- The audit chain's verifications (issue «web console»): every walk of the chain is kept, so an
-- administrator sees when the chain was last found intact and how far, and an operator sees a
-- break without walking the chain by hand.
--
-- The server walks only what is new since the last intact walk, after checking that the event
-- that walk ended on still has the hash it had then: whoever rewrites earlier events and
-- recomputes the hashes after them to hide it must change that hash too, and is caught there. An
-- event changed without its hash is caught by a walk over it: `eduql audit verify` walks the
-- whole chain (schedule it, e.g. nightly) and records the walk the same way. The chain is one for
-- the whole installation, so its verifications are too: they name sequence numbers and counts,
-- never an event's content.

CREATE TABLE eduql.audit_verifications (
    id           bigserial PRIMARY KEY,
    verified_at  timestamptz NOT NULL DEFAULT now(),
    full_walk    boolean NOT NULL,
    -- Events found intact by this walk, and the last intact event (with its hash then).
    checked      bigint NOT NULL,
    through_seq  bigint,
    through_hash bytea,
    -- The first broken link, and why; null when intact.
    broken_seq   bigint,
    reason       text
);

-- Walks the chain (p_full: all of it; otherwise what is new since the last walk, or all of it
-- when that walk's last event was pruned since) and records the walk. A break once found stands:
-- the walks after it answer it again until a whole walk, run by an operator who has looked into
-- it (and restored the log, if need be), finds the chain intact.
CREATE FUNCTION eduql.audit_check(p_full boolean DEFAULT false)
RETURNS eduql.audit_verifications
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    last eduql.audit_verifications;
    done eduql.audit_verifications;
    walk record;
    start bigint;
    stored bytea;
BEGIN
    -- One walk at a time, whichever process asks.
    PERFORM pg_advisory_xact_lock(hashtext('eduql.audit_check'));
    IF NOT p_full THEN
        SELECT * INTO last FROM eduql.audit_verifications v ORDER BY v.id DESC LIMIT 1;
        IF last.broken_seq IS NOT NULL THEN
            RETURN last;
        END IF;
        IF last.through_seq IS NOT NULL THEN
            SELECT a.hash INTO stored FROM eduql.audit_events a WHERE a.seq = last.through_seq;
            IF NOT FOUND AND EXISTS (SELECT 1 FROM eduql.audit_prunes p WHERE p.head_seq >= last.through_seq) THEN
                last := NULL;
            ELSIF stored IS DISTINCT FROM last.through_hash THEN
                INSERT INTO eduql.audit_verifications (full_walk, checked, broken_seq, reason)
                VALUES (false, 0, last.through_seq, CASE WHEN stored IS NULL THEN 'an event found intact before is missing'
                        ELSE 'an event found intact before has another hash now: the chain was rewritten up to it' END)
                RETURNING * INTO done;
                RETURN done;
            END IF;
        END IF;
    END IF;
    IF last.through_seq IS NULL THEN
        start := (SELECT min(a.seq) FROM eduql.audit_events a);
        SELECT * INTO walk FROM eduql.audit_verify(NULL, NULL);
        done.full_walk := true;
    ELSE
        start := last.through_seq + 1;
        SELECT * INTO walk FROM eduql.audit_verify(start, NULL);
        done.full_walk := false;
    END IF;
    done.checked := walk.checked;
    done.broken_seq := walk.broken_seq;
    done.reason := walk.reason;
    done.through_seq := CASE WHEN walk.checked > 0 THEN start + walk.checked - 1 ELSE last.through_seq END;
    done.through_hash := (SELECT a.hash FROM eduql.audit_events a WHERE a.seq = done.through_seq);
    INSERT INTO eduql.audit_verifications (full_walk, checked, through_seq, through_hash, broken_seq, reason)
    VALUES (done.full_walk, done.checked, done.through_seq, done.through_hash, done.broken_seq, done.reason)
    RETURNING * INTO done;
    RETURN done;
END $$;

REVOKE ALL ON FUNCTION eduql.audit_check(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.audit_check(boolean) TO eduql_app;
GRANT SELECT ON eduql.audit_verifications TO eduql_app;
