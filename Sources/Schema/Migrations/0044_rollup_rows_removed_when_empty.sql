-- A stored row of a deferred rollup (migration 0043) is a partial sum while pending rows of its
-- key wait to be folded: its count can reach zero while another measure has not (a lesson moved
-- to another term moves all its attendance, part of which is still pending). Removing such a row
-- at a zero count, as the triggers did when stored rows were whole, would lose that measure. A
-- row is removed only when every measure is zero: by the fold, by the triggers of the rollups'
-- other sources (lessons, classes, organizations), and the check compares groups in which any
-- measure is not zero. For rollups without pending rows nothing changes: a count of zero there
-- means every measure is.

-- The generated upsert of a rollup's source removes a row only when every measure is zero
-- (as eduql.rollup_delta_sql of 0012 otherwise).
CREATE OR REPLACE FUNCTION eduql.rollup_delta_sql(spec eduql.rollup_sources, delta text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    WITH a AS (SELECT coalesce(array_agg(k ORDER BY o), '{}') AS attributes
               FROM unnest(spec.keys) WITH ORDINALITY AS u(k, o) WHERE k <> ALL (spec.conflict))
    SELECT format(
        'INSERT INTO eduql.%1$I AS r (%2$s) SELECT %3$s FROM (%4$s) x GROUP BY %5$s HAVING %6$s ORDER BY %5$s '
        'ON CONFLICT (%5$s) DO UPDATE SET %7$s; '
        'DELETE FROM eduql.%1$I r USING (SELECT DISTINCT %5$s FROM (%4$s) x) d WHERE %8$s AND %9$s',
        spec.rollup,
        (SELECT string_agg(format('%I', c), ', ') FROM unnest(spec.conflict || a.attributes || spec.measures) c),
        (SELECT string_agg(e, ', ') FROM unnest(
            ARRAY(SELECT format('%I', k) FROM unnest(spec.conflict) k)
            || ARRAY(SELECT format('(array_agg(%I ORDER BY sign_ DESC))[1]', k) FROM unnest(a.attributes) k)
            || ARRAY(SELECT format('sum(%I)::bigint', m) FROM unnest(spec.measures) m)) e),
        delta,
        (SELECT string_agg(format('%I', k), ', ') FROM unnest(spec.conflict) k),
        (SELECT string_agg(e, ' OR ') FROM unnest(
            ARRAY(SELECT format('sum(%I) <> 0', m) FROM unnest(spec.measures) m)
            || ARRAY(SELECT format('count(DISTINCT ROW(%s)) > 1', string_agg(format('%I', k), ', ')) FROM unnest(a.attributes) k
                     HAVING count(*) > 0)) e),
        (SELECT string_agg(e, ', ') FROM unnest(
            ARRAY(SELECT format('%I = r.%I + excluded.%I', m, m, m) FROM unnest(spec.measures) m)
            || ARRAY(SELECT format('%I = excluded.%I', k, k) FROM unnest(a.attributes) k)) e),
        (SELECT string_agg(format('r.%I = d.%I', k, k), ' AND ') FROM unnest(spec.conflict) k),
        (SELECT string_agg(format('r.%I = 0', m), ' AND ') FROM unnest(spec.measures) m))
    FROM a
$$;

-- The deferred rollups' other sources, their triggers printed again with that removal (the
-- journal's own tables keep the pending triggers of 0043).
SELECT eduql.attach_rollup(s) FROM eduql.rollup_sources s
WHERE s.rollup IN ('rollup_marks', 'rollup_subject_marks', 'rollup_attendance', 'rollup_attendance_days') AND NOT s.defines;

-- The fold removes a stored row only when every measure is zero.
CREATE OR REPLACE FUNCTION eduql.fold_pending_rollups(wait boolean DEFAULT false) RETURNS integer
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
        RETURNING r.*),
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
        RETURNING r.*)
    SELECT (SELECT count(*) FROM taken), ARRAY(SELECT DISTINCT class_id FROM per_subject p WHERE (p.marks, p.value_1, p.value_2, p.value_3, p.value_4, p.value_5, p.value_sum, p.weights, p.weighted_sum) = (0, 0, 0, 0, 0, 0, 0, 0, 0)),
           ARRAY(SELECT DISTINCT class_id FROM per_term p WHERE (p.marks, p.value_1, p.value_2, p.value_3, p.value_4, p.value_5, p.value_sum, p.weights, p.weighted_sum) = (0, 0, 0, 0, 0, 0, 0, 0, 0))
    INTO part, emptied, emptied_too;
    folded := folded + part;
    DELETE FROM eduql.rollup_subject_marks r WHERE r.class_id = ANY (emptied) AND (r.marks, r.value_1, r.value_2, r.value_3, r.value_4, r.value_5, r.value_sum, r.weights, r.weighted_sum) = (0, 0, 0, 0, 0, 0, 0, 0, 0);
    DELETE FROM eduql.rollup_marks r WHERE r.class_id = ANY (emptied_too) AND (r.marks, r.value_1, r.value_2, r.value_3, r.value_4, r.value_5, r.value_sum, r.weights, r.weighted_sum) = (0, 0, 0, 0, 0, 0, 0, 0, 0);

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
        RETURNING r.*),
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
        RETURNING r.*)
    SELECT (SELECT count(*) FROM taken), ARRAY(SELECT DISTINCT class_id FROM per_term p WHERE (p.records, p.absent, p.ill, p.excused, p.late) = (0, 0, 0, 0, 0)),
           ARRAY(SELECT DISTINCT class_id FROM per_day p WHERE (p.records, p.absent, p.ill, p.excused, p.late) = (0, 0, 0, 0, 0))
    INTO part, emptied, emptied_too;
    folded := folded + part;
    DELETE FROM eduql.rollup_attendance r WHERE r.class_id = ANY (emptied) AND (r.records, r.absent, r.ill, r.excused, r.late) = (0, 0, 0, 0, 0);
    DELETE FROM eduql.rollup_attendance_days r WHERE r.class_id = ANY (emptied_too) AND (r.records, r.absent, r.ill, r.excused, r.late) = (0, 0, 0, 0, 0);
    RETURN folded;
END $$;
REVOKE ALL ON FUNCTION eduql.fold_pending_rollups(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.fold_pending_rollups(boolean) TO eduql_app;

-- The check compares the groups in which any measure is not zero.
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
        read := format('SELECT %s, %s FROM eduql.%I GROUP BY %s HAVING %s', keys,
                       (SELECT string_agg(format('sum(%I)::bigint AS %I', m, m), ', ') FROM unnest(spec.measures) m),
                       name || '_now', keys,
                       (SELECT string_agg(format('sum(%I) <> 0', m), ' OR ') FROM unnest(spec.measures) m));
    END IF;
    EXECUTE format('WITH stored AS (%1$s), computed AS (%2$s) '
                   'SELECT count(*) FROM ((TABLE stored EXCEPT ALL TABLE computed) UNION ALL (TABLE computed EXCEPT ALL TABLE stored)) d',
                   read, eduql.rollup_computed_sql(name))
        INTO differing;
    RETURN differing;
END $$;
