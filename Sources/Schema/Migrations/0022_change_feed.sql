-- The change feed: every insert, update and deletion of learners, enrollments, movements,
-- marks, attendance, homework and queue applications (their choices included), captured by
-- statement triggers into eduql.changes, so no write path can bypass it.
--
-- Order and completeness. Each change carries the id of the transaction that made it (xid8)
-- and a sequence number. The feed is read in (xid, seq) order, and only below the reader's
-- horizon: pg_snapshot_xmin(pg_current_snapshot()), the oldest transaction still in progress.
-- Every transaction below the horizon has ended, and every transaction that starts later gets
-- a larger id, so no change can ever appear behind a cursor handed out: a reader never skips
-- a change that commits late, and never sees one twice.
--
-- Retention. Monthly partitions; eduql.prune_changes drops those past the retention (at least
-- 3 months) and records the last position they held. A cursor before it has lost changes:
-- eduql.change_window refuses it with SQLSTATE EQ410 (the API's CURSOR_EXPIRED).

CREATE SEQUENCE eduql.change_seq;

CREATE TABLE eduql.changes (
    xid              xid8 NOT NULL DEFAULT pg_current_xact_id(),
    seq              bigint NOT NULL DEFAULT nextval('eduql.change_seq'),
    changed_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    region_id        bigint NOT NULL,
    municipality_id  bigint,
    organization_id  bigint,
    entity           text NOT NULL CHECK (entity IN ('learner', 'enrollment', 'movement', 'mark', 'attendance', 'homework', 'queue_application')),
    operation        text NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
    -- The row's id; for attendance and homework, their lesson's.
    row_id           bigint NOT NULL,
    -- The learner the row concerns (for attendance, the second half of its key).
    learner_id       bigint,
    -- The row before an update or a deletion, for deciding who may see the change.
    old_row          jsonb
) PARTITION BY RANGE (changed_at);
CREATE INDEX ON eduql.changes (xid, seq);
CREATE INDEX ON eduql.changes (region_id, xid, seq);
CREATE INDEX ON eduql.changes (municipality_id, xid, seq);
CREATE INDEX ON eduql.changes (organization_id, xid, seq);
CREATE TABLE eduql.changes_default PARTITION OF eduql.changes DEFAULT;

-- The last position pruned: a cursor before it has lost changes.
CREATE TABLE eduql.change_prunes (
    id        integer PRIMARY KEY CHECK (id = 1),
    xid       xid8 NOT NULL,
    seq       bigint NOT NULL,
    pruned_at timestamptz NOT NULL DEFAULT now()
);

-- Creates the month's partition if it is missing; the server keeps this month and the next.
CREATE FUNCTION eduql.ensure_change_partition(month date) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    name text := format('changes_%s', to_char(first, 'YYYY_MM'));
BEGIN
    IF to_regclass('eduql.' || name) IS NULL THEN
        -- Rows of the month caught by the default partition move into the new one.
        CREATE TEMP TABLE IF NOT EXISTS caught (LIKE eduql.changes) ON COMMIT DROP;
        WITH moved AS (DELETE FROM eduql.changes_default WHERE changed_at >= first AND changed_at < (first + interval '1 month') RETURNING *)
        INSERT INTO caught SELECT * FROM moved;
        EXECUTE format('CREATE TABLE eduql.%I PARTITION OF eduql.changes FOR VALUES FROM (%L) TO (%L)',
                       name, first, (first + interval '1 month')::date);
        INSERT INTO eduql.changes SELECT * FROM caught;
        DELETE FROM caught;
    END IF;
    RETURN name;
END $$;
SELECT eduql.ensure_change_partition(current_date);
SELECT eduql.ensure_change_partition((current_date + interval '1 month')::date);

-- Drops the monthly partitions (and deletes the default partition's rows) older than the
-- retention, recording the last position they held. Refuses a retention under 3 months.
CREATE FUNCTION eduql.prune_changes(p_retention_months integer DEFAULT 3)
RETURNS TABLE (partition text, removed bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    cutoff date := (date_trunc('month', current_date) - make_interval(months => p_retention_months))::date;
    part record;
    tail record;
BEGIN
    IF p_retention_months < 3 THEN
        RAISE EXCEPTION 'changes are kept at least 3 months, not %', p_retention_months USING ERRCODE = 'check_violation';
    END IF;
    LOCK TABLE eduql.change_prunes IN EXCLUSIVE MODE;
    FOR part IN
        SELECT c.relname, (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([0-9-]+)'))[1]::date AS ends
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'eduql.changes'::regclass AND c.relname <> 'changes_default' ORDER BY 2
    LOOP
        CONTINUE WHEN part.ends > cutoff;
        EXECUTE format('SELECT xid, seq, count(*) OVER () AS n FROM eduql.%I ORDER BY xid DESC, seq DESC LIMIT 1', part.relname) INTO tail;
        PERFORM eduql.note_change_prune(tail.xid, tail.seq);
        EXECUTE format('DROP TABLE eduql.%I', part.relname);
        partition := part.relname;
        removed := coalesce(tail.n, 0);
        RETURN NEXT;
    END LOOP;
    SELECT max(xid) AS xid, NULL::bigint AS seq, count(*) AS n INTO tail FROM eduql.changes_default WHERE changed_at < cutoff;
    IF tail.n > 0 THEN
        SELECT d.xid, d.seq INTO tail FROM eduql.changes_default d WHERE changed_at < cutoff ORDER BY xid DESC, seq DESC LIMIT 1;
        PERFORM eduql.note_change_prune(tail.xid, tail.seq);
        DELETE FROM eduql.changes_default WHERE changed_at < cutoff;
        GET DIAGNOSTICS removed = ROW_COUNT;
        partition := 'changes_default';
        RETURN NEXT;
    END IF;
END $$;

-- Raises the pruned position to (p_xid, p_seq) when that is later.
CREATE FUNCTION eduql.note_change_prune(p_xid xid8, p_seq bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    INSERT INTO eduql.change_prunes (id, xid, seq) SELECT 1, p_xid, p_seq WHERE p_xid IS NOT NULL
    ON CONFLICT (id) DO UPDATE SET xid = excluded.xid, seq = excluded.seq, pruned_at = now()
    WHERE (change_prunes.xid, change_prunes.seq) < (excluded.xid, excluded.seq)
$$;

-- Where a page of the feed starts and where it must stop: after the cursor (the start when
-- none), below the horizon. A cursor before the pruned position is refused (EQ410).
CREATE FUNCTION eduql.change_window(p_xid xid8, p_seq bigint)
RETURNS TABLE (after_xid xid8, after_seq bigint, horizon xid8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    pruned record;
BEGIN
    IF p_xid IS NOT NULL THEN
        SELECT p.xid, p.seq INTO pruned FROM eduql.change_prunes p WHERE p.id = 1;
        IF pruned.xid IS NOT NULL AND (p_xid, p_seq) < (pruned.xid, pruned.seq) THEN
            RAISE EXCEPTION 'the changes after this cursor were pruned' USING ERRCODE = 'EQ410';
        END IF;
    END IF;
    after_xid := coalesce(p_xid, '0'::xid8);
    after_seq := coalesce(p_seq, 0);
    horizon := pg_snapshot_xmin(pg_current_snapshot());
    RETURN NEXT;
END $$;

-- The capture: one INSERT … SELECT per statement over its transition table. Arguments: the
-- entity, the id column, the learner column ('' for none), whether rows carry an
-- organization, and the operation to record ('' for the statement's own).
CREATE FUNCTION eduql.capture_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    recorded text := coalesce(nullif(TG_ARGV[4], ''), lower(TG_OP));
BEGIN
    EXECUTE format(
        'INSERT INTO eduql.changes (region_id, municipality_id, organization_id, entity, operation, row_id, learner_id, old_row) '
        'SELECT r.region_id, r.municipality_id, %s, %L, %L, r.%I, %s, %s FROM %I r ORDER BY r.%I',
        CASE WHEN TG_ARGV[3] = 'organization' THEN 'r.organization_id' ELSE 'NULL::bigint' END,
        TG_ARGV[0], recorded, TG_ARGV[1],
        CASE WHEN TG_ARGV[2] = '' THEN 'NULL::bigint' ELSE format('r.%I', TG_ARGV[2]) END,
        CASE WHEN TG_OP = 'INSERT' OR TG_ARGV[4] <> '' THEN 'NULL::jsonb' ELSE 'to_jsonb(r)' END,
        CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END,
        TG_ARGV[1]);
    RETURN NULL;
END $$;

-- Puts a table under capture: three statement triggers (insert, update, delete).
CREATE FUNCTION eduql.capture(tbl regclass, entity text, id_column text, learner_column text, organization text,
                              operation text DEFAULT '') RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = tbl);
    arguments text := format('%L, %L, %L, %L, %L', entity, id_column, learner_column, organization, operation);
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION eduql.capture_changes(%s)',
                   name || '_capture_insert', tbl, arguments);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION eduql.capture_changes(%s)',
                   name || '_capture_update', tbl, arguments);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION eduql.capture_changes(%s)',
                   name || '_capture_delete', tbl, arguments);
END $$;

SELECT eduql.capture('eduql.learners', 'learner', 'id', 'id', 'organization');
SELECT eduql.capture('eduql.enrollments', 'enrollment', 'id', 'learner_id', 'organization');
SELECT eduql.capture('eduql.movements', 'movement', 'id', 'learner_id', 'organization');
SELECT eduql.capture('eduql.marks', 'mark', 'id', 'learner_id', 'organization');
SELECT eduql.capture('eduql.attendance', 'attendance', 'lesson_id', 'learner_id', 'organization');
SELECT eduql.capture('eduql.homework', 'homework', 'lesson_id', '', 'organization');
SELECT eduql.capture('eduql.queue_applications', 'queue_application', 'id', 'learner_id', '');
-- A change of choices is an update of their application.
SELECT eduql.capture('eduql.queue_application_choices', 'queue_application', 'application_id', '', '', 'update');

-- Read within the tenant, under the same tenancy policy as every tenant table; written only by
-- the capture and the housekeeping functions (the owner's).
SELECT eduql.apply_tenancy('eduql.changes');
REVOKE INSERT, UPDATE, DELETE ON eduql.changes FROM eduql_app;
REVOKE ALL ON FUNCTION eduql.ensure_change_partition(date), eduql.prune_changes(integer), eduql.note_change_prune(xid8, bigint),
    eduql.change_window(xid8, bigint), eduql.capture_changes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.ensure_change_partition(date), eduql.prune_changes(integer), eduql.change_window(xid8, bigint) TO eduql_app;
