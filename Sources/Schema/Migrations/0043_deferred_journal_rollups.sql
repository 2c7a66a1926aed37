-- The journal's rollups deferred (issue 28): a statement that writes marks or attendance no
-- longer updates the class-level rollup rows it counts in, which two teachers of one class would
-- both update and wait on until the other's commit. It inserts its net change instead, as
-- pending rows (insert-only, shared by no two writers), and marks its organizations stale for
-- the organization rollups in the same trigger (one statement trigger per journal statement,
-- where there were three).
--
-- The dashboards stay exact at every snapshot: they read rollup_marks_now,
-- rollup_subject_marks_now, rollup_attendance_now and rollup_attendance_days_now, which add the
-- pending rows to the stored ones (every reader sums). eduql.fold_pending_rollups, run by the
-- server with the organization refresh (EDUQL_ROLLUP_REFRESH_MS), moves pending rows into the
-- stored rows and deletes them in one statement, so a snapshot sees each change once.

-- A marks statement's net change per class, subject, term and kind; rollup_marks sums it
-- without the subject. The class's attributes as they were when it was written, for the rows
-- of a class deleted since.
CREATE TABLE eduql.pending_marks (
    seq                bigint GENERATED ALWAYS AS IDENTITY,
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    class_id           bigint NOT NULL,
    grade              smallint,
    academic_year_id   bigint NOT NULL,
    subject_id         bigint NOT NULL,
    term_id            bigint NOT NULL,
    kind               text NOT NULL,
    marks              bigint NOT NULL,
    value_1            bigint NOT NULL,
    value_2            bigint NOT NULL,
    value_3            bigint NOT NULL,
    value_4            bigint NOT NULL,
    value_5            bigint NOT NULL,
    value_sum          bigint NOT NULL,
    weights            bigint NOT NULL,
    weighted_sum       bigint NOT NULL,
    PRIMARY KEY (seq, region_id)
);

-- An attendance statement's net change per class, term and day (rollup_attendance sums it per
-- term, rollup_attendance_days per day).
CREATE TABLE eduql.pending_attendance (
    seq                bigint GENERATED ALWAYS AS IDENTITY,
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    class_id           bigint NOT NULL,
    grade              smallint,
    academic_year_id   bigint NOT NULL,
    term_id            bigint NOT NULL,
    day                date NOT NULL,
    records            bigint NOT NULL,
    absent             bigint NOT NULL,
    ill                bigint NOT NULL,
    excused            bigint NOT NULL,
    late               bigint NOT NULL,
    PRIMARY KEY (seq, region_id)
);

-- Queue-like tables: rows live for one refresh, so vacuum them by a small fixed count of dead
-- rows rather than a share of a table that is nearly always empty (a bloated stale set slowed
-- every organization-level dashboard that read it).
ALTER TABLE eduql.pending_marks SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000);
ALTER TABLE eduql.pending_attendance SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000);
ALTER TABLE eduql.coarse_stale SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000);

-- The triggers: a statement's rows joined to their classes (and, for attendance, lessons),
-- each row signed +1 (new) or -1 (old), summed per pending key; changes that sum to nothing
-- are not written. One body per table, printed three times by eduql.pending_trigger: a
-- transition table may be named only in the branch of the operation that has it.
CREATE FUNCTION eduql.pending_trigger(name text, signed text, guard text, body text) RETURNS void
LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE format($g$
        CREATE FUNCTION eduql.%1$I() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $body$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                WITH changed AS (%2$s) %4$s;
            ELSIF TG_OP = 'DELETE' THEN
                IF EXISTS (%5$s) THEN %6$s END IF;
                WITH changed AS (%3$s) %4$s;
            ELSE
                IF EXISTS (%5$s) THEN %6$s END IF;
                WITH changed AS (%2$s UNION ALL %3$s) %4$s;
            END IF;
            RETURN NULL;
        END $body$
        $g$, name, format(signed, 'new_rows', '1'), format(signed, 'old_rows', '-1'), body, format(guard, 'old_rows'),
        format('RAISE EXCEPTION USING ERRCODE = %L, MESSAGE = %L;', 'foreign_key_violation',
               format('rows of %s were deleted together with the rows they join in one statement; its rollups cannot follow: '
                      'delete them in separate statements', replace(name, 'pending_from_', 'eduql.'))));
END $f$;

SELECT eduql.pending_trigger('pending_from_marks',
    'SELECT s.class_id, s.subject_id, s.term_id, s.kind, s.value, s.weight, %2$s AS sign FROM %1$s s',
    'SELECT 1 FROM %1$s s WHERE NOT EXISTS (SELECT 1 FROM eduql.classes k WHERE k.id = s.class_id)',
    $$, pending AS (
        INSERT INTO eduql.pending_marks (region_id, municipality_id, organization_id, organization_kind, class_id, grade, academic_year_id,
                                         subject_id, term_id, kind, marks, value_1, value_2, value_3, value_4, value_5, value_sum, weights, weighted_sum)
        SELECT k.region_id, k.municipality_id, k.organization_id, o.kind, k.id, k.grade, k.academic_year_id, c.subject_id, c.term_id, c.kind,
               sum(c.sign), sum(c.sign * (c.value = 1)::int), sum(c.sign * (c.value = 2)::int), sum(c.sign * (c.value = 3)::int),
               sum(c.sign * (c.value = 4)::int), sum(c.sign * (c.value = 5)::int), sum(c.sign * c.value), sum(c.sign * c.weight),
               sum(c.sign * c.value * c.weight)
        FROM changed c JOIN eduql.classes k ON k.id = c.class_id JOIN eduql.organizations o ON o.id = k.organization_id
        GROUP BY k.region_id, k.municipality_id, k.organization_id, o.kind, k.id, k.grade, k.academic_year_id, c.subject_id, c.term_id, c.kind
        HAVING sum(c.sign) <> 0 OR sum(c.sign * (c.value = 1)::int) <> 0 OR sum(c.sign * (c.value = 2)::int) <> 0
            OR sum(c.sign * (c.value = 3)::int) <> 0 OR sum(c.sign * (c.value = 4)::int) <> 0 OR sum(c.sign * (c.value = 5)::int) <> 0
            OR sum(c.sign * c.value) <> 0 OR sum(c.sign * c.weight) <> 0 OR sum(c.sign * c.value * c.weight) <> 0
        RETURNING region_id, organization_id)
    INSERT INTO eduql.coarse_stale (region_id, organization_id) SELECT DISTINCT region_id, organization_id FROM pending$$);

SELECT eduql.pending_trigger('pending_from_attendance',
    'SELECT a.lesson_id, a.code, %2$s AS sign FROM %1$s a',
    'SELECT 1 FROM %1$s s WHERE NOT EXISTS (SELECT 1 FROM eduql.lessons l WHERE l.id = s.lesson_id)',
    $$, pending AS (
        INSERT INTO eduql.pending_attendance (region_id, municipality_id, organization_id, organization_kind, class_id, grade, academic_year_id,
                                              term_id, day, records, absent, ill, excused, late)
        SELECT k.region_id, k.municipality_id, k.organization_id, o.kind, k.id, k.grade, k.academic_year_id, l.term_id, l.held_on,
               sum(c.sign), sum(c.sign * (c.code = 'absent')::int), sum(c.sign * (c.code = 'ill')::int),
               sum(c.sign * (c.code = 'excused')::int), sum(c.sign * (c.code = 'late')::int)
        FROM changed c JOIN eduql.lessons l ON l.id = c.lesson_id JOIN eduql.classes k ON k.id = l.class_id
        JOIN eduql.organizations o ON o.id = k.organization_id
        GROUP BY k.region_id, k.municipality_id, k.organization_id, o.kind, k.id, k.grade, k.academic_year_id, l.term_id, l.held_on
        HAVING sum(c.sign) <> 0 OR sum(c.sign * (c.code = 'absent')::int) <> 0 OR sum(c.sign * (c.code = 'ill')::int) <> 0
            OR sum(c.sign * (c.code = 'excused')::int) <> 0 OR sum(c.sign * (c.code = 'late')::int) <> 0
        RETURNING region_id, organization_id)
    INSERT INTO eduql.coarse_stale (region_id, organization_id) SELECT DISTINCT region_id, organization_id FROM pending$$);

DROP FUNCTION eduql.pending_trigger(text, text, text, text);

-- They replace the four upserting triggers and the stale marking on the two journal tables.
-- (The rollups' other sources, lessons, classes and organizations, still update stored rows.)
DROP TRIGGER rollup_marks_from_marks_insert ON eduql.marks;
DROP TRIGGER rollup_marks_from_marks_update ON eduql.marks;
DROP TRIGGER rollup_marks_from_marks_delete ON eduql.marks;
DROP TRIGGER rollup_subject_marks_from_marks_insert ON eduql.marks;
DROP TRIGGER rollup_subject_marks_from_marks_update ON eduql.marks;
DROP TRIGGER rollup_subject_marks_from_marks_delete ON eduql.marks;
DROP TRIGGER rollup_coarse_stale_insert ON eduql.marks;
DROP TRIGGER rollup_coarse_stale_update ON eduql.marks;
DROP TRIGGER rollup_coarse_stale_delete ON eduql.marks;
DROP TRIGGER rollup_attendance_from_attendance_insert ON eduql.attendance;
DROP TRIGGER rollup_attendance_from_attendance_update ON eduql.attendance;
DROP TRIGGER rollup_attendance_from_attendance_delete ON eduql.attendance;
DROP TRIGGER rollup_attendance_days_from_attendance_insert ON eduql.attendance;
DROP TRIGGER rollup_attendance_days_from_attendance_update ON eduql.attendance;
DROP TRIGGER rollup_attendance_days_from_attendance_delete ON eduql.attendance;
DROP TRIGGER rollup_coarse_stale_insert ON eduql.attendance;
DROP TRIGGER rollup_coarse_stale_update ON eduql.attendance;
DROP TRIGGER rollup_coarse_stale_delete ON eduql.attendance;
DROP FUNCTION eduql.rollup_marks_from_marks(), eduql.rollup_subject_marks_from_marks(),
              eduql.rollup_attendance_from_attendance(), eduql.rollup_attendance_days_from_attendance(),
              eduql.coarse_stale_from_marks(), eduql.coarse_stale_from_attendance();

CREATE TRIGGER rollup_pending_insert AFTER INSERT ON eduql.marks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION eduql.pending_from_marks();
CREATE TRIGGER rollup_pending_update AFTER UPDATE ON eduql.marks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION eduql.pending_from_marks();
CREATE TRIGGER rollup_pending_delete AFTER DELETE ON eduql.marks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION eduql.pending_from_marks();
CREATE TRIGGER rollup_pending_insert AFTER INSERT ON eduql.attendance REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION eduql.pending_from_attendance();
CREATE TRIGGER rollup_pending_update AFTER UPDATE ON eduql.attendance REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION eduql.pending_from_attendance();
CREATE TRIGGER rollup_pending_delete AFTER DELETE ON eduql.attendance REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION eduql.pending_from_attendance();

-- What the dashboards read: the stored rows and the pending ones. A pending row takes its
-- class's attributes now (a class's grade or an organization's kind may have changed since),
-- or those it was written with when the class is gone.
CREATE VIEW eduql.rollup_subject_marks_now WITH (security_invoker = true) AS
SELECT region_id, municipality_id, organization_id, organization_kind, class_id, grade, academic_year_id, subject_id, term_id, kind,
       marks, value_1, value_2, value_3, value_4, value_5, value_sum, weights, weighted_sum
FROM eduql.rollup_subject_marks
UNION ALL
SELECT p.region_id, coalesce(k.municipality_id, p.municipality_id), coalesce(k.organization_id, p.organization_id),
       coalesce(o.kind, p.organization_kind), p.class_id, CASE WHEN k.id IS NULL THEN p.grade ELSE k.grade END,
       coalesce(k.academic_year_id, p.academic_year_id), p.subject_id, p.term_id, p.kind,
       p.marks, p.value_1, p.value_2, p.value_3, p.value_4, p.value_5, p.value_sum, p.weights, p.weighted_sum
FROM eduql.pending_marks p
LEFT JOIN eduql.classes k ON k.region_id = p.region_id AND k.id = p.class_id
LEFT JOIN eduql.organizations o ON o.region_id = p.region_id AND o.id = k.organization_id;

CREATE VIEW eduql.rollup_marks_now WITH (security_invoker = true) AS
SELECT region_id, municipality_id, organization_id, organization_kind, class_id, grade, academic_year_id, term_id, kind,
       marks, value_1, value_2, value_3, value_4, value_5, value_sum, weights, weighted_sum
FROM eduql.rollup_marks
UNION ALL
SELECT p.region_id, coalesce(k.municipality_id, p.municipality_id), coalesce(k.organization_id, p.organization_id),
       coalesce(o.kind, p.organization_kind), p.class_id, CASE WHEN k.id IS NULL THEN p.grade ELSE k.grade END,
       coalesce(k.academic_year_id, p.academic_year_id), p.term_id, p.kind,
       p.marks, p.value_1, p.value_2, p.value_3, p.value_4, p.value_5, p.value_sum, p.weights, p.weighted_sum
FROM eduql.pending_marks p
LEFT JOIN eduql.classes k ON k.region_id = p.region_id AND k.id = p.class_id
LEFT JOIN eduql.organizations o ON o.region_id = p.region_id AND o.id = k.organization_id;

CREATE VIEW eduql.rollup_attendance_now WITH (security_invoker = true) AS
SELECT region_id, municipality_id, organization_id, organization_kind, class_id, grade, academic_year_id, term_id,
       records, absent, ill, excused, late
FROM eduql.rollup_attendance
UNION ALL
SELECT p.region_id, coalesce(k.municipality_id, p.municipality_id), coalesce(k.organization_id, p.organization_id),
       coalesce(o.kind, p.organization_kind), p.class_id, CASE WHEN k.id IS NULL THEN p.grade ELSE k.grade END,
       coalesce(k.academic_year_id, p.academic_year_id), p.term_id, p.records, p.absent, p.ill, p.excused, p.late
FROM eduql.pending_attendance p
LEFT JOIN eduql.classes k ON k.region_id = p.region_id AND k.id = p.class_id
LEFT JOIN eduql.organizations o ON o.region_id = p.region_id AND o.id = k.organization_id;

CREATE VIEW eduql.rollup_attendance_days_now WITH (security_invoker = true) AS
SELECT region_id, municipality_id, organization_id, organization_kind, class_id, grade, academic_year_id, day,
       records, absent, ill, excused, late
FROM eduql.rollup_attendance_days
UNION ALL
SELECT p.region_id, coalesce(k.municipality_id, p.municipality_id), coalesce(k.organization_id, p.organization_id),
       coalesce(o.kind, p.organization_kind), p.class_id, CASE WHEN k.id IS NULL THEN p.grade ELSE k.grade END,
       coalesce(k.academic_year_id, p.academic_year_id), p.day, p.records, p.absent, p.ill, p.excused, p.late
FROM eduql.pending_attendance p
LEFT JOIN eduql.classes k ON k.region_id = p.region_id AND k.id = p.class_id
LEFT JOIN eduql.organizations o ON o.region_id = p.region_id AND o.id = k.organization_id;

-- Moves the pending rows into the stored ones and deletes them, in one statement per pending
-- table; stored rows whose count reaches zero are removed, as the triggers did. One fold at a
-- time across servers: another finding the lock held returns at once, unless it `wait`s (a
-- rebuild must fold first). Returns how many pending rows it folded.
CREATE FUNCTION eduql.fold_pending_rollups(wait boolean DEFAULT false) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    folded integer := 0;
    part integer;
    emptied bigint[];
    emptied_too bigint[];
BEGIN
    IF wait THEN
        PERFORM pg_advisory_xact_lock(1705, 0);
    ELSIF NOT pg_try_advisory_xact_lock(1705, 0) THEN
        RETURN 0;
    END IF;

    WITH taken AS (DELETE FROM eduql.pending_marks RETURNING *),
    net AS (
        SELECT t.region_id, t.class_id, t.subject_id, t.term_id, t.kind,
               (array_agg(t.municipality_id ORDER BY t.seq DESC))[1] AS municipality_id,
               (array_agg(t.organization_id ORDER BY t.seq DESC))[1] AS organization_id,
               (array_agg(t.organization_kind ORDER BY t.seq DESC))[1] AS organization_kind,
               (array_agg(t.grade ORDER BY t.seq DESC))[1] AS grade,
               (array_agg(t.academic_year_id ORDER BY t.seq DESC))[1] AS academic_year_id,
               sum(t.marks) AS marks, sum(t.value_1) AS value_1, sum(t.value_2) AS value_2, sum(t.value_3) AS value_3,
               sum(t.value_4) AS value_4, sum(t.value_5) AS value_5, sum(t.value_sum) AS value_sum, sum(t.weights) AS weights,
               sum(t.weighted_sum) AS weighted_sum
        FROM taken t GROUP BY t.region_id, t.class_id, t.subject_id, t.term_id, t.kind),
    attributed AS (
        SELECT n.*, coalesce(k.municipality_id, n.municipality_id) AS municipality_now, coalesce(k.organization_id, n.organization_id) AS organization_now,
               coalesce(o.kind, n.organization_kind) AS organization_kind_now, CASE WHEN k.id IS NULL THEN n.grade ELSE k.grade END AS grade_now,
               coalesce(k.academic_year_id, n.academic_year_id) AS academic_year_now
        FROM net n LEFT JOIN eduql.classes k ON k.region_id = n.region_id AND k.id = n.class_id
        LEFT JOIN eduql.organizations o ON o.region_id = n.region_id AND o.id = k.organization_id),
    per_subject AS (
        INSERT INTO eduql.rollup_subject_marks AS r (region_id, municipality_id, organization_id, organization_kind, class_id, grade, academic_year_id,
                                                     subject_id, term_id, kind, marks, value_1, value_2, value_3, value_4, value_5, value_sum, weights, weighted_sum)
        SELECT a.region_id, a.municipality_now, a.organization_now, a.organization_kind_now, a.class_id, a.grade_now, a.academic_year_now,
               a.subject_id, a.term_id, a.kind, a.marks, a.value_1, a.value_2, a.value_3, a.value_4, a.value_5, a.value_sum, a.weights, a.weighted_sum
        FROM attributed a
        WHERE (a.marks, a.value_1, a.value_2, a.value_3, a.value_4, a.value_5, a.value_sum, a.weights, a.weighted_sum) <> (0, 0, 0, 0, 0, 0, 0, 0, 0)
        ORDER BY a.class_id, a.subject_id, a.term_id, a.kind
        ON CONFLICT (class_id, subject_id, term_id, kind, region_id) DO UPDATE SET
            marks = r.marks + excluded.marks, value_1 = r.value_1 + excluded.value_1, value_2 = r.value_2 + excluded.value_2,
            value_3 = r.value_3 + excluded.value_3, value_4 = r.value_4 + excluded.value_4, value_5 = r.value_5 + excluded.value_5,
            value_sum = r.value_sum + excluded.value_sum, weights = r.weights + excluded.weights, weighted_sum = r.weighted_sum + excluded.weighted_sum
        RETURNING r.class_id, r.marks),
    per_term AS (
        INSERT INTO eduql.rollup_marks AS r (region_id, municipality_id, organization_id, organization_kind, class_id, grade, academic_year_id,
                                             term_id, kind, marks, value_1, value_2, value_3, value_4, value_5, value_sum, weights, weighted_sum)
        SELECT a.region_id, min(a.municipality_now), min(a.organization_now), min(a.organization_kind_now), a.class_id, min(a.grade_now),
               min(a.academic_year_now), a.term_id, a.kind, sum(a.marks), sum(a.value_1), sum(a.value_2), sum(a.value_3), sum(a.value_4),
               sum(a.value_5), sum(a.value_sum), sum(a.weights), sum(a.weighted_sum)
        FROM attributed a GROUP BY a.region_id, a.class_id, a.term_id, a.kind
        HAVING (sum(a.marks), sum(a.value_1), sum(a.value_2), sum(a.value_3), sum(a.value_4), sum(a.value_5), sum(a.value_sum),
                sum(a.weights), sum(a.weighted_sum)) <> (0, 0, 0, 0, 0, 0, 0, 0, 0)
        ORDER BY a.class_id, a.term_id, a.kind
        ON CONFLICT (class_id, term_id, kind, region_id) DO UPDATE SET
            marks = r.marks + excluded.marks, value_1 = r.value_1 + excluded.value_1, value_2 = r.value_2 + excluded.value_2,
            value_3 = r.value_3 + excluded.value_3, value_4 = r.value_4 + excluded.value_4, value_5 = r.value_5 + excluded.value_5,
            value_sum = r.value_sum + excluded.value_sum, weights = r.weights + excluded.weights, weighted_sum = r.weighted_sum + excluded.weighted_sum
        RETURNING r.class_id, r.marks)
    SELECT (SELECT count(*) FROM taken), ARRAY(SELECT DISTINCT class_id FROM per_subject WHERE marks = 0),
           ARRAY(SELECT DISTINCT class_id FROM per_term WHERE marks = 0)
    INTO part, emptied, emptied_too;
    folded := folded + part;
    DELETE FROM eduql.rollup_subject_marks WHERE class_id = ANY (emptied) AND marks = 0;
    DELETE FROM eduql.rollup_marks WHERE class_id = ANY (emptied_too) AND marks = 0;

    WITH taken AS (DELETE FROM eduql.pending_attendance RETURNING *),
    net AS (
        SELECT t.region_id, t.class_id, t.term_id, t.day,
               (array_agg(t.municipality_id ORDER BY t.seq DESC))[1] AS municipality_id,
               (array_agg(t.organization_id ORDER BY t.seq DESC))[1] AS organization_id,
               (array_agg(t.organization_kind ORDER BY t.seq DESC))[1] AS organization_kind,
               (array_agg(t.grade ORDER BY t.seq DESC))[1] AS grade,
               (array_agg(t.academic_year_id ORDER BY t.seq DESC))[1] AS academic_year_id,
               sum(t.records) AS records, sum(t.absent) AS absent, sum(t.ill) AS ill, sum(t.excused) AS excused, sum(t.late) AS late
        FROM taken t GROUP BY t.region_id, t.class_id, t.term_id, t.day),
    attributed AS (
        SELECT n.*, coalesce(k.municipality_id, n.municipality_id) AS municipality_now, coalesce(k.organization_id, n.organization_id) AS organization_now,
               coalesce(o.kind, n.organization_kind) AS organization_kind_now, CASE WHEN k.id IS NULL THEN n.grade ELSE k.grade END AS grade_now,
               coalesce(k.academic_year_id, n.academic_year_id) AS academic_year_now
        FROM net n LEFT JOIN eduql.classes k ON k.region_id = n.region_id AND k.id = n.class_id
        LEFT JOIN eduql.organizations o ON o.region_id = n.region_id AND o.id = k.organization_id),
    per_term AS (
        INSERT INTO eduql.rollup_attendance AS r (region_id, municipality_id, organization_id, organization_kind, class_id, grade, academic_year_id,
                                                  term_id, records, absent, ill, excused, late)
        SELECT a.region_id, min(a.municipality_now), min(a.organization_now), min(a.organization_kind_now), a.class_id, min(a.grade_now),
               min(a.academic_year_now), a.term_id, sum(a.records), sum(a.absent), sum(a.ill), sum(a.excused), sum(a.late)
        FROM attributed a GROUP BY a.region_id, a.class_id, a.term_id
        HAVING (sum(a.records), sum(a.absent), sum(a.ill), sum(a.excused), sum(a.late)) <> (0, 0, 0, 0, 0)
        ORDER BY a.class_id, a.term_id
        ON CONFLICT (class_id, term_id, region_id) DO UPDATE SET
            records = r.records + excluded.records, absent = r.absent + excluded.absent, ill = r.ill + excluded.ill,
            excused = r.excused + excluded.excused, late = r.late + excluded.late
        RETURNING r.class_id, r.records),
    per_day AS (
        INSERT INTO eduql.rollup_attendance_days AS r (region_id, municipality_id, organization_id, organization_kind, class_id, grade, academic_year_id,
                                                       day, records, absent, ill, excused, late)
        SELECT a.region_id, min(a.municipality_now), min(a.organization_now), min(a.organization_kind_now), a.class_id, min(a.grade_now),
               min(a.academic_year_now), a.day, sum(a.records), sum(a.absent), sum(a.ill), sum(a.excused), sum(a.late)
        FROM attributed a GROUP BY a.region_id, a.class_id, a.day
        HAVING (sum(a.records), sum(a.absent), sum(a.ill), sum(a.excused), sum(a.late)) <> (0, 0, 0, 0, 0)
        ORDER BY a.class_id, a.day
        ON CONFLICT (class_id, day, region_id) DO UPDATE SET
            records = r.records + excluded.records, absent = r.absent + excluded.absent, ill = r.ill + excluded.ill,
            excused = r.excused + excluded.excused, late = r.late + excluded.late
        RETURNING r.class_id, r.records)
    SELECT (SELECT count(*) FROM taken), ARRAY(SELECT DISTINCT class_id FROM per_term WHERE records = 0),
           ARRAY(SELECT DISTINCT class_id FROM per_day WHERE records = 0)
    INTO part, emptied, emptied_too;
    folded := folded + part;
    DELETE FROM eduql.rollup_attendance WHERE class_id = ANY (emptied) AND records = 0;
    DELETE FROM eduql.rollup_attendance_days WHERE class_id = ANY (emptied_too) AND records = 0;
    RETURN folded;
END $$;
REVOKE ALL ON FUNCTION eduql.fold_pending_rollups(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.fold_pending_rollups(boolean) TO eduql_app;

-- A rebuild recomputes stored rows from the raw tables: it folds the pending rows first (they
-- feed two rollups each), waiting for a fold in progress.
CREATE OR REPLACE FUNCTION eduql.rebuild_rollup(name text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    spec eduql.rollup_sources;
    computed text := eduql.rollup_computed_sql(name);
    written bigint;
BEGIN
    IF computed IS NULL THEN RAISE EXCEPTION 'no rollup named %', name; END IF;
    FOR spec IN SELECT * FROM eduql.rollup_sources WHERE rollup = name ORDER BY source LOOP
        EXECUTE format('LOCK TABLE %s IN SHARE MODE', spec.source);
    END LOOP;
    PERFORM eduql.fold_pending_rollups(true);
    SELECT * INTO spec FROM eduql.rollup_sources WHERE rollup = name AND defines;
    EXECUTE format('DELETE FROM eduql.%I', name);
    EXECUTE format('INSERT INTO eduql.%1$I (%2$s, %3$s) %4$s', name,
                   (SELECT string_agg(format('%I', k), ', ') FROM unnest(spec.keys) k),
                   (SELECT string_agg(format('%I', m), ', ') FROM unnest(spec.measures) m), computed);
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;

-- The check compares what the dashboards read (stored and pending rows, summed per key) with
-- what a rebuild would write.
CREATE OR REPLACE FUNCTION eduql.rollup_differences(name text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    spec eduql.rollup_sources;
    keys text;
    columns text;
    read text;
    differing bigint;
BEGIN
    SELECT * INTO spec FROM eduql.rollup_sources WHERE rollup = name AND defines;
    IF NOT FOUND THEN RAISE EXCEPTION 'no rollup named %', name; END IF;
    keys := (SELECT string_agg(format('%I', c), ', ') FROM unnest(spec.keys) c);
    columns := (SELECT string_agg(format('%I', c), ', ') FROM unnest(spec.keys || spec.measures) c);
    IF to_regclass(format('eduql.%I', name || '_now')) IS NULL THEN
        read := format('SELECT %s FROM eduql.%I', columns, name);
    ELSE
        read := format('SELECT %s, %s FROM eduql.%I GROUP BY %s HAVING sum(%I) <> 0', keys,
                       (SELECT string_agg(format('sum(%I)::bigint AS %I', m, m), ', ') FROM unnest(spec.measures) m),
                       name || '_now', keys, spec.measures[1]);
    END IF;
    EXECUTE format('WITH stored AS (%1$s), computed AS (%2$s) '
                   'SELECT count(*) FROM ((TABLE stored EXCEPT ALL TABLE computed) UNION ALL (TABLE computed EXCEPT ALL TABLE stored)) d',
                   read, eduql.rollup_computed_sql(name))
        INTO differing;
    RETURN differing;
END $$;

-- The organization rollups sum what the dashboards read.
CREATE OR REPLACE FUNCTION eduql.coarse_terms_of_stale() RETURNS SETOF eduql.coarse_terms
LANGUAGE sql STABLE AS $$
    SELECT x.region_id, x.municipality_id, x.organization_id, x.organization_kind, x.academic_year_id, x.term_id,
           sum(x.lessons)::bigint, sum(x.lesson_seats)::bigint, sum(x.absences)::bigint, sum(x.marks)::bigint,
           sum(x.value_1)::bigint, sum(x.value_2)::bigint, sum(x.value_3)::bigint, sum(x.value_4)::bigint, sum(x.value_5)::bigint,
           sum(x.value_sum)::bigint
    FROM (SELECT l.region_id, l.municipality_id, l.organization_id, l.organization_kind, l.academic_year_id, l.term_id,
                 l.lessons, l.lessons * coalesce((SELECT sum(c.learners) FROM eduql.rollup_contingent c
                                                  WHERE c.region_id = l.region_id AND c.class_id = l.class_id), 0) AS lesson_seats,
                 0 AS absences, 0 AS marks, 0 AS value_1, 0 AS value_2, 0 AS value_3, 0 AS value_4, 0 AS value_5, 0 AS value_sum
          FROM eduql.rollup_lessons l WHERE l.organization_id IN (SELECT s.organization_id FROM eduql.coarse_stale s WHERE eduql.in_caller_region(s.region_id))
          UNION ALL
          SELECT a.region_id, a.municipality_id, a.organization_id, a.organization_kind, a.academic_year_id, a.term_id,
                 0, 0, a.absent + a.ill + a.excused, 0, 0, 0, 0, 0, 0, 0
          FROM eduql.rollup_attendance_now a WHERE a.organization_id IN (SELECT s.organization_id FROM eduql.coarse_stale s WHERE eduql.in_caller_region(s.region_id))
          UNION ALL
          SELECT m.region_id, m.municipality_id, m.organization_id, m.organization_kind, m.academic_year_id, m.term_id,
                 0, 0, 0, m.marks, m.value_1, m.value_2, m.value_3, m.value_4, m.value_5, m.value_sum
          FROM eduql.rollup_marks_now m WHERE m.organization_id IN (SELECT s.organization_id FROM eduql.coarse_stale s WHERE eduql.in_caller_region(s.region_id)) AND m.kind IN ('current', 'test')) x
    GROUP BY x.region_id, x.municipality_id, x.organization_id, x.organization_kind, x.academic_year_id, x.term_id
$$;

-- Tenancy as on the stored rollups; the server reads the pending rows through the views and
-- writes none (the triggers and the fold do).
SELECT eduql.apply_tenancy(t) FROM unnest(ARRAY['eduql.pending_marks', 'eduql.pending_attendance']::regclass[]) t;
REVOKE INSERT, UPDATE, DELETE ON eduql.pending_marks, eduql.pending_attendance FROM eduql_app;
GRANT SELECT ON eduql.rollup_marks_now, eduql.rollup_subject_marks_now, eduql.rollup_attendance_now, eduql.rollup_attendance_days_now TO eduql_app;
