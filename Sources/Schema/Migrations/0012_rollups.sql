-- Rollups: the dashboards' counts, kept current by the tables themselves. Each rollup is a
-- sum over rows of a raw table (or of a join of it); its definition is data in
-- eduql.rollup_sources, from which both the rebuild (eduql.rebuild_rollup) and the statement
-- triggers that keep it current (eduql.attach_rollup) are made, so that the two cannot
-- disagree. A trigger runs in the writing transaction, once per statement, over the statement's
-- transition tables: whoever writes — the server, the seed, an operator's SQL — the rollups
-- move with the raw rows, or the write fails. Rows whose counts reach zero are deleted, so a
-- rebuild and the incremental state are the same rows.

-- The class-level rollups carry the class's place and attributes (organization and its kind,
-- grade, academic year), so that a dashboard filters and groups them without a join.

-- Marks by class, term and kind: how many, how many of each value, their sum, their weights
-- and the sum of value × weight (for weighted averages).
CREATE TABLE eduql.rollup_marks (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    class_id           bigint NOT NULL,
    grade              smallint,
    academic_year_id   bigint NOT NULL,
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
    PRIMARY KEY (class_id, term_id, kind)
);
CREATE INDEX ON eduql.rollup_marks (organization_id);
CREATE INDEX ON eduql.rollup_marks (municipality_id);
CREATE INDEX ON eduql.rollup_marks (region_id);

-- Lessons by class and term.
CREATE TABLE eduql.rollup_lessons (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    class_id           bigint NOT NULL,
    grade              smallint,
    academic_year_id   bigint NOT NULL,
    term_id            bigint NOT NULL,
    lessons            bigint NOT NULL,
    PRIMARY KEY (class_id, term_id)
);
CREATE INDEX ON eduql.rollup_lessons (organization_id);
CREATE INDEX ON eduql.rollup_lessons (municipality_id);
CREATE INDEX ON eduql.rollup_lessons (region_id);

-- Lesson attendance records by class and term, one count per code.
CREATE TABLE eduql.rollup_attendance (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    class_id           bigint NOT NULL,
    grade              smallint,
    academic_year_id   bigint NOT NULL,
    term_id            bigint NOT NULL,
    records            bigint NOT NULL,
    absent             bigint NOT NULL,
    ill                bigint NOT NULL,
    excused            bigint NOT NULL,
    late               bigint NOT NULL,
    PRIMARY KEY (class_id, term_id)
);
CREATE INDEX ON eduql.rollup_attendance (organization_id);
CREATE INDEX ON eduql.rollup_attendance (municipality_id);
CREATE INDEX ON eduql.rollup_attendance (region_id);

-- Active enrollments (the contingent) by class and gender.
CREATE TABLE eduql.rollup_contingent (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    class_id           bigint NOT NULL,
    grade              smallint,
    academic_year_id   bigint NOT NULL,
    gender             text NOT NULL,
    learners           bigint NOT NULL,
    PRIMARY KEY (class_id, gender)
);
CREATE INDEX ON eduql.rollup_contingent (organization_id);
CREATE INDEX ON eduql.rollup_contingent (municipality_id);
CREATE INDEX ON eduql.rollup_contingent (region_id);

-- Movements by class (of the enrollment), month and kind.
CREATE TABLE eduql.rollup_movements (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    class_id           bigint NOT NULL,
    grade              smallint,
    academic_year_id   bigint NOT NULL,
    month              date NOT NULL,
    kind               text NOT NULL,
    movements          bigint NOT NULL,
    PRIMARY KEY (class_id, month, kind)
);
CREATE INDEX ON eduql.rollup_movements (organization_id);
CREATE INDEX ON eduql.rollup_movements (municipality_id);
CREATE INDEX ON eduql.rollup_movements (region_id);

-- Queue applications by municipality, age group, priority class and status.
CREATE TABLE eduql.rollup_queue (
    region_id        bigint NOT NULL,
    municipality_id  bigint NOT NULL,
    age_group        smallint NOT NULL,
    priority_rank    smallint NOT NULL,
    status           text NOT NULL,
    applications     bigint NOT NULL,
    PRIMARY KEY (municipality_id, age_group, priority_rank, status)
);
CREATE INDEX ON eduql.rollup_queue (region_id);

-- Queue applications naming a kindergarten among their choices, by kindergarten, age group,
-- priority class and status.
CREATE TABLE eduql.rollup_queue_choices (
    region_id        bigint NOT NULL,
    municipality_id  bigint NOT NULL,
    organization_id  bigint NOT NULL,
    age_group        smallint NOT NULL,
    priority_rank    smallint NOT NULL,
    status           text NOT NULL,
    applications     bigint NOT NULL,
    PRIMARY KEY (organization_id, age_group, priority_rank, status)
);
CREATE INDEX ON eduql.rollup_queue_choices (municipality_id);
CREATE INDEX ON eduql.rollup_queue_choices (region_id);

-- What each rollup sums. `rows` is a query over `%1$s` — the source table, or a statement's
-- transition table — giving, per raw row, the rollup's key columns and the row's contribution
-- to each measure. Several sources may feed one rollup (a join's other side).
CREATE TABLE eduql.rollup_sources (
    rollup      text NOT NULL,
    source      regclass NOT NULL,
    keys        text[] NOT NULL,
    conflict    text[] NOT NULL,
    measures    text[] NOT NULL,
    rows        text NOT NULL,
    -- The source a rebuild sums. The others are the joined side: they only follow its updates
    -- (an inserted row of it has no rows referencing it but those counted by the defining
    -- source's trigger, a deleted one none at all).
    defines     boolean NOT NULL,
    -- For a defining source read through a join: the rows of %1$s whose joined row is gone.
    -- A statement that deletes both sides at once is refused (its rows could no longer be
    -- subtracted); delete the referencing rows first.
    orphans     text,
    PRIMARY KEY (rollup, source)
);
CREATE UNIQUE INDEX ON eduql.rollup_sources (rollup) WHERE defines;

INSERT INTO eduql.rollup_sources VALUES
('rollup_marks', 'eduql.marks',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,term_id,kind}', '{class_id,term_id,kind}',
 '{marks,value_1,value_2,value_3,value_4,value_5,value_sum,weights,weighted_sum}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, s.term_id, s.kind, 1 AS marks, (s.value = 1)::int AS value_1, (s.value = 2)::int AS value_2, (s.value = 3)::int AS value_3, (s.value = 4)::int AS value_4, (s.value = 5)::int AS value_5, s.value AS value_sum, s.weight AS weights, s.value * s.weight AS weighted_sum FROM %1$s s JOIN eduql.classes k ON k.id = s.class_id JOIN eduql.organizations o ON o.id = k.organization_id', true, 'SELECT 1 FROM %1$s s WHERE NOT EXISTS (SELECT 1 FROM eduql.classes k WHERE k.id = s.class_id)'),
('rollup_marks', 'eduql.classes',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,term_id,kind}', '{class_id,term_id,kind}',
 '{marks,value_1,value_2,value_3,value_4,value_5,value_sum,weights,weighted_sum}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, s.term_id, s.kind, 1 AS marks, (s.value = 1)::int AS value_1, (s.value = 2)::int AS value_2, (s.value = 3)::int AS value_3, (s.value = 4)::int AS value_4, (s.value = 5)::int AS value_5, s.value AS value_sum, s.weight AS weights, s.value * s.weight AS weighted_sum FROM %1$s k JOIN eduql.organizations o ON o.id = k.organization_id JOIN eduql.marks s ON s.class_id = k.id', false, NULL),
('rollup_marks', 'eduql.organizations',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,term_id,kind}', '{class_id,term_id,kind}',
 '{marks,value_1,value_2,value_3,value_4,value_5,value_sum,weights,weighted_sum}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, s.term_id, s.kind, 1 AS marks, (s.value = 1)::int AS value_1, (s.value = 2)::int AS value_2, (s.value = 3)::int AS value_3, (s.value = 4)::int AS value_4, (s.value = 5)::int AS value_5, s.value AS value_sum, s.weight AS weights, s.value * s.weight AS weighted_sum FROM %1$s o JOIN eduql.classes k ON k.organization_id = o.id JOIN eduql.marks s ON s.class_id = k.id', false, NULL),
('rollup_lessons', 'eduql.lessons',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,term_id}', '{class_id,term_id}',
 '{lessons}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, s.term_id, 1 AS lessons FROM %1$s s JOIN eduql.classes k ON k.id = s.class_id JOIN eduql.organizations o ON o.id = k.organization_id', true, 'SELECT 1 FROM %1$s s WHERE NOT EXISTS (SELECT 1 FROM eduql.classes k WHERE k.id = s.class_id)'),
('rollup_lessons', 'eduql.classes',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,term_id}', '{class_id,term_id}',
 '{lessons}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, s.term_id, 1 AS lessons FROM %1$s k JOIN eduql.organizations o ON o.id = k.organization_id JOIN eduql.lessons s ON s.class_id = k.id', false, NULL),
('rollup_lessons', 'eduql.organizations',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,term_id}', '{class_id,term_id}',
 '{lessons}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, s.term_id, 1 AS lessons FROM %1$s o JOIN eduql.classes k ON k.organization_id = o.id JOIN eduql.lessons s ON s.class_id = k.id', false, NULL),
('rollup_attendance', 'eduql.attendance',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,term_id}', '{class_id,term_id}',
 '{records,absent,ill,excused,late}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, l.term_id, 1 AS records, (a.code = ''absent'')::int AS absent, (a.code = ''ill'')::int AS ill, (a.code = ''excused'')::int AS excused, (a.code = ''late'')::int AS late FROM %1$s a JOIN eduql.lessons l ON l.id = a.lesson_id JOIN eduql.classes k ON k.id = l.class_id JOIN eduql.organizations o ON o.id = k.organization_id', true, 'SELECT 1 FROM %1$s s WHERE NOT EXISTS (SELECT 1 FROM eduql.lessons l WHERE l.id = s.lesson_id)'),
('rollup_attendance', 'eduql.lessons',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,term_id}', '{class_id,term_id}',
 '{records,absent,ill,excused,late}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, l.term_id, 1 AS records, (a.code = ''absent'')::int AS absent, (a.code = ''ill'')::int AS ill, (a.code = ''excused'')::int AS excused, (a.code = ''late'')::int AS late FROM %1$s l JOIN eduql.attendance a ON a.lesson_id = l.id JOIN eduql.classes k ON k.id = l.class_id JOIN eduql.organizations o ON o.id = k.organization_id', false, NULL),
('rollup_attendance', 'eduql.classes',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,term_id}', '{class_id,term_id}',
 '{records,absent,ill,excused,late}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, l.term_id, 1 AS records, (a.code = ''absent'')::int AS absent, (a.code = ''ill'')::int AS ill, (a.code = ''excused'')::int AS excused, (a.code = ''late'')::int AS late FROM %1$s k JOIN eduql.organizations o ON o.id = k.organization_id JOIN eduql.lessons l ON l.class_id = k.id JOIN eduql.attendance a ON a.lesson_id = l.id', false, NULL),
('rollup_attendance', 'eduql.organizations',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,term_id}', '{class_id,term_id}',
 '{records,absent,ill,excused,late}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, l.term_id, 1 AS records, (a.code = ''absent'')::int AS absent, (a.code = ''ill'')::int AS ill, (a.code = ''excused'')::int AS excused, (a.code = ''late'')::int AS late FROM %1$s o JOIN eduql.classes k ON k.organization_id = o.id JOIN eduql.lessons l ON l.class_id = k.id JOIN eduql.attendance a ON a.lesson_id = l.id', false, NULL),
('rollup_contingent', 'eduql.enrollments',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,gender}', '{class_id,gender}',
 '{learners}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, p.gender, 1 AS learners FROM %1$s e JOIN eduql.learners p ON p.id = e.learner_id JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.organizations o ON o.id = k.organization_id WHERE e.status = ''active''', true, 'SELECT 1 FROM %1$s s WHERE NOT EXISTS (SELECT 1 FROM eduql.learners p WHERE p.id = s.learner_id) OR NOT EXISTS (SELECT 1 FROM eduql.classes k WHERE k.id = s.class_id)'),
('rollup_contingent', 'eduql.learners',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,gender}', '{class_id,gender}',
 '{learners}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, p.gender, 1 AS learners FROM %1$s p JOIN eduql.enrollments e ON e.learner_id = p.id AND e.status = ''active'' JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.organizations o ON o.id = k.organization_id', false, NULL),
('rollup_contingent', 'eduql.classes',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,gender}', '{class_id,gender}',
 '{learners}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, p.gender, 1 AS learners FROM %1$s k JOIN eduql.organizations o ON o.id = k.organization_id JOIN eduql.enrollments e ON e.class_id = k.id AND e.status = ''active'' JOIN eduql.learners p ON p.id = e.learner_id', false, NULL),
('rollup_contingent', 'eduql.organizations',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,gender}', '{class_id,gender}',
 '{learners}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, p.gender, 1 AS learners FROM %1$s o JOIN eduql.classes k ON k.organization_id = o.id JOIN eduql.enrollments e ON e.class_id = k.id AND e.status = ''active'' JOIN eduql.learners p ON p.id = e.learner_id', false, NULL),
('rollup_movements', 'eduql.movements',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,month,kind}', '{class_id,month,kind}',
 '{movements}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, date_trunc(''month'', s.occurred_on)::date AS month, s.kind, 1 AS movements FROM %1$s s JOIN eduql.enrollments e ON e.id = s.enrollment_id JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.organizations o ON o.id = k.organization_id', true, 'SELECT 1 FROM %1$s s WHERE NOT EXISTS (SELECT 1 FROM eduql.enrollments e WHERE e.id = s.enrollment_id)'),
('rollup_movements', 'eduql.classes',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,month,kind}', '{class_id,month,kind}',
 '{movements}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, date_trunc(''month'', s.occurred_on)::date AS month, s.kind, 1 AS movements FROM %1$s k JOIN eduql.organizations o ON o.id = k.organization_id JOIN eduql.enrollments e ON e.class_id = k.id JOIN eduql.movements s ON s.enrollment_id = e.id', false, NULL),
('rollup_movements', 'eduql.organizations',
 '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,month,kind}', '{class_id,month,kind}',
 '{movements}',
 'SELECT k.region_id, k.municipality_id, k.organization_id, o.kind AS organization_kind, k.id AS class_id, k.grade, k.academic_year_id, date_trunc(''month'', s.occurred_on)::date AS month, s.kind, 1 AS movements FROM %1$s o JOIN eduql.classes k ON k.organization_id = o.id JOIN eduql.enrollments e ON e.class_id = k.id JOIN eduql.movements s ON s.enrollment_id = e.id', false, NULL),
('rollup_queue', 'eduql.queue_applications',
 '{region_id,municipality_id,age_group,priority_rank,status}', '{municipality_id,age_group,priority_rank,status}',
 '{applications}',
 'SELECT s.region_id, s.municipality_id, s.age_group, s.priority_rank, s.status, 1 AS applications FROM %1$s s', true, NULL),
('rollup_queue_choices', 'eduql.queue_application_choices',
 '{region_id,municipality_id,organization_id,age_group,priority_rank,status}', '{organization_id,age_group,priority_rank,status}',
 '{applications}',
 'SELECT s.region_id, s.municipality_id, s.organization_id, q.age_group, q.priority_rank, q.status, 1 AS applications FROM %1$s s JOIN eduql.queue_applications q ON q.id = s.application_id', true, 'SELECT 1 FROM %1$s s WHERE NOT EXISTS (SELECT 1 FROM eduql.queue_applications q WHERE q.id = s.application_id)'),
('rollup_queue_choices', 'eduql.queue_applications',
 '{region_id,municipality_id,organization_id,age_group,priority_rank,status}', '{organization_id,age_group,priority_rank,status}',
 '{applications}',
 'SELECT c.region_id, c.municipality_id, c.organization_id, s.age_group, s.priority_rank, s.status, 1 AS applications FROM %1$s s JOIN eduql.queue_application_choices c ON c.application_id = s.id', false, NULL);

-- The statements that add the contributions of `delta` (rows of `spec.rows` with a sign_
-- column, +1 new and -1 old) to a rollup, in key order (so that concurrent writers lock rollup
-- rows in one order), then delete the rows whose counts reached zero. Per rollup row, the
-- attributes outside its key (a class's grade, its organization's kind) are taken from the new
-- side, so an update of a joined table moves them. Two statements: one statement cannot
-- update a row and then delete it.
CREATE FUNCTION eduql.rollup_delta_sql(spec eduql.rollup_sources, delta text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    WITH a AS (SELECT coalesce(array_agg(k ORDER BY o), '{}') AS attributes
               FROM unnest(spec.keys) WITH ORDINALITY AS u(k, o) WHERE k <> ALL (spec.conflict))
    SELECT format(
        'INSERT INTO eduql.%1$I AS r (%2$s) SELECT %3$s FROM (%4$s) x GROUP BY %5$s HAVING %6$s ORDER BY %5$s '
        'ON CONFLICT (%5$s) DO UPDATE SET %7$s; '
        'DELETE FROM eduql.%1$I r USING (SELECT DISTINCT %5$s FROM (%4$s) x) d WHERE %8$s AND r.%9$I = 0',
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
        spec.measures[1])
    FROM a
$$;

-- Creates the statement triggers that keep `spec.rollup` current from `spec.source`: for the
-- defining source on every insert, update and delete; for a joined side on updates only.
CREATE FUNCTION eduql.attach_rollup(spec eduql.rollup_sources) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    name text := format('%s_from_%s', spec.rollup, (SELECT relname FROM pg_class WHERE oid = spec.source));
    plus text := format('SELECT p.*, 1 AS sign_ FROM (%s) p', format(spec.rows, 'new_rows'));
    minus text := format('SELECT %s, %s, -1 AS sign_ FROM (%s) m',
                         (SELECT string_agg(format('%I', k), ', ') FROM unnest(spec.keys) k),
                         (SELECT string_agg(format('-%I AS %I', m, m), ', ') FROM unnest(spec.measures) m),
                         format(spec.rows, 'old_rows'));
    guard text := CASE WHEN spec.orphans IS NULL THEN '' ELSE format(
        'IF EXISTS (%s) THEN RAISE EXCEPTION USING ERRCODE = %L, MESSAGE = %L; END IF;',
        format(spec.orphans, 'old_rows'), 'foreign_key_violation',
        format('rows of %s were deleted together with the rows they join in one statement; %s cannot follow: delete them in separate statements',
               spec.source, spec.rollup)) END;
BEGIN
    EXECUTE format($f$
        CREATE FUNCTION eduql.%1$I() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $body$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                %2$s;
            ELSIF TG_OP = 'DELETE' THEN
                %5$s
                %3$s;
            ELSE
                %5$s
                %4$s;
            END IF;
            RETURN NULL;
        END $body$
        $f$, name,
        eduql.rollup_delta_sql(spec, plus), eduql.rollup_delta_sql(spec, minus),
        eduql.rollup_delta_sql(spec, plus || ' UNION ALL ' || minus), guard);
    EXECUTE format('CREATE TRIGGER %1$I_update AFTER UPDATE ON %2$s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION eduql.%1$I()', name, spec.source);
    IF spec.defines THEN
        EXECUTE format('CREATE TRIGGER %1$I_insert AFTER INSERT ON %2$s REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION eduql.%1$I()', name, spec.source);
        EXECUTE format('CREATE TRIGGER %1$I_delete AFTER DELETE ON %2$s REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION eduql.%1$I()', name, spec.source);
    END IF;
END $$;

-- What a rollup holds when computed from the raw tables: its defining source summed.
CREATE FUNCTION eduql.rollup_computed_sql(name text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format('SELECT %1$s, %2$s FROM (%3$s) x GROUP BY %1$s',
                  (SELECT string_agg(format('%I', k), ', ') FROM unnest(s.keys) k),
                  (SELECT string_agg(format('sum(%I)::bigint AS %I', m, m), ', ') FROM unnest(s.measures) m),
                  format(s.rows, s.source))
    FROM eduql.rollup_sources s WHERE s.rollup = name AND s.defines
$$;

-- Recomputes one rollup from the raw tables, writes to its sources held off meanwhile
-- (`eduql rollups rebuild` runs it for every rollup); returns its rows.
CREATE FUNCTION eduql.rebuild_rollup(name text) RETURNS bigint
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
    SELECT * INTO spec FROM eduql.rollup_sources WHERE rollup = name AND defines;
    EXECUTE format('DELETE FROM eduql.%I', name);
    EXECUTE format('INSERT INTO eduql.%1$I (%2$s, %3$s) %4$s', name,
                   (SELECT string_agg(format('%I', k), ', ') FROM unnest(spec.keys) k),
                   (SELECT string_agg(format('%I', m), ', ') FROM unnest(spec.measures) m), computed);
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;

-- Rows in which a rollup differs from what a rebuild would write (0 when it is current).
CREATE FUNCTION eduql.rollup_differences(name text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    spec eduql.rollup_sources;
    columns text;
    differing bigint;
BEGIN
    SELECT * INTO spec FROM eduql.rollup_sources WHERE rollup = name AND defines;
    IF NOT FOUND THEN RAISE EXCEPTION 'no rollup named %', name; END IF;
    columns := (SELECT string_agg(format('%I', c), ', ') FROM unnest(spec.keys || spec.measures) c);
    EXECUTE format('WITH stored AS (SELECT %1$s FROM eduql.%2$I), computed AS (%3$s) '
                   'SELECT count(*) FROM ((TABLE stored EXCEPT ALL TABLE computed) UNION ALL (TABLE computed EXCEPT ALL TABLE stored)) d',
                   columns, name, eduql.rollup_computed_sql(name))
        INTO differing;
    RETURN differing;
END $$;

SELECT eduql.attach_rollup(s) FROM eduql.rollup_sources s;
SELECT eduql.rebuild_rollup(r) FROM (SELECT DISTINCT rollup FROM eduql.rollup_sources) x(r);

-- Tenancy as on the raw tables; the server reads rollups and never writes them (the triggers do).
SELECT eduql.apply_tenancy(('eduql.' || r)::regclass) FROM (SELECT DISTINCT rollup FROM eduql.rollup_sources) x(r);
REVOKE INSERT, UPDATE, DELETE ON eduql.rollup_marks, eduql.rollup_lessons, eduql.rollup_attendance, eduql.rollup_contingent,
    eduql.rollup_movements, eduql.rollup_queue, eduql.rollup_queue_choices FROM eduql_app;
ANALYZE eduql.rollup_marks, eduql.rollup_lessons, eduql.rollup_attendance, eduql.rollup_contingent, eduql.rollup_movements,
    eduql.rollup_queue, eduql.rollup_queue_choices;
