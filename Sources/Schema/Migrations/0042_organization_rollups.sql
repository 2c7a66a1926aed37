-- Organization rollups: the class-level rollups summed per organization, so that a dashboard
-- grouped by region, municipality or organization reads one row per organization and term
-- instead of one per class, term and kind (issue 28: a cold regional dashboard read ~100,000).
--
-- They are exact at every snapshot without a lock shared by two writers. A statement that
-- changes what a class-level rollup sums (marks, lessons, attendance, enrollments, learners,
-- classes), an organization or a suppression block inserts its organizations into coarse_stale
-- (insert-only: two teachers never wait for each other there). The readable views (rollup_organization_*) take an organization's stored row while it is not
-- stale, and sum its class-level rows while it is. eduql.refresh_coarse_rollups, run by the
-- server every EDUQL_ROLLUP_REFRESH_MS, recomputes the stale organizations and deletes their
-- marks in one transaction, so a snapshot sees either both or neither.

-- Organizations whose stored rows may be behind their class-level rollups.
CREATE TABLE eduql.coarse_stale (
    seq              bigint GENERATED ALWAYS AS IDENTITY,
    region_id        bigint NOT NULL,
    organization_id  bigint NOT NULL,
    PRIMARY KEY (seq, region_id)
);
CREATE INDEX ON eduql.coarse_stale (organization_id);

-- Classes and learners now, per organization and academic year.
CREATE TABLE eduql.coarse_years (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    academic_year_id   bigint NOT NULL,
    classes            bigint NOT NULL,
    learners           bigint NOT NULL,
    PRIMARY KEY (organization_id, academic_year_id, region_id)
);
CREATE INDEX ON eduql.coarse_years (region_id);

-- Per organization and term: lessons, lesson seats (each class's lessons × its learners now,
-- the attendance rate's denominator), absences, and current and test marks.
CREATE TABLE eduql.coarse_terms (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    academic_year_id   bigint NOT NULL,
    term_id            bigint NOT NULL,
    lessons            bigint NOT NULL,
    lesson_seats       bigint NOT NULL,
    absences           bigint NOT NULL,
    marks              bigint NOT NULL,
    value_1            bigint NOT NULL,
    value_2            bigint NOT NULL,
    value_3            bigint NOT NULL,
    value_4            bigint NOT NULL,
    value_5            bigint NOT NULL,
    value_sum          bigint NOT NULL,
    PRIMARY KEY (organization_id, term_id, region_id)
);
CREATE INDEX ON eduql.coarse_terms (region_id);

-- Per organization, academic year and suppression block: how many of the block's classes it has.
CREATE TABLE eduql.coarse_blocks (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    academic_year_id   bigint NOT NULL,
    block_id           bigint NOT NULL,
    block_classes      integer NOT NULL,
    classes            bigint NOT NULL,
    PRIMARY KEY (organization_id, academic_year_id, block_id, region_id)
);
CREATE INDEX ON eduql.coarse_blocks (region_id);

-- Whether a region is the caller's; every region for the refresh, which acts for none. (No
-- sub-select: the planner inlines it, so a statement's plan shows the region_id condition.)
CREATE FUNCTION eduql.in_caller_region(region bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT region = eduql.current_region_id() OR eduql.current_region_id() IS NULL
$$;

-- What each stored table holds for the stale organizations, summed from their classes: for the
-- refresh, and for the views under the caller's tenancy (the planner inlines the body, so the
-- caller's region narrows it, and it reads the class level by organization only for the stale).
CREATE FUNCTION eduql.coarse_years_of_stale() RETURNS SETOF eduql.coarse_years
LANGUAGE sql STABLE AS $$
    SELECT k.region_id, k.municipality_id, k.organization_id, o.kind, k.academic_year_id, count(*), coalesce(sum(c.n), 0)::bigint
    FROM eduql.classes k
    JOIN eduql.organizations o ON o.region_id = k.region_id AND o.id = k.organization_id
    LEFT JOIN (SELECT r.region_id, r.class_id, sum(r.learners) AS n FROM eduql.rollup_contingent r
               WHERE r.organization_id IN (SELECT s.organization_id FROM eduql.coarse_stale s WHERE eduql.in_caller_region(s.region_id)) GROUP BY r.region_id, r.class_id) c ON c.region_id = k.region_id AND c.class_id = k.id
    WHERE k.organization_id IN (SELECT s.organization_id FROM eduql.coarse_stale s WHERE eduql.in_caller_region(s.region_id))
    GROUP BY k.region_id, k.municipality_id, k.organization_id, o.kind, k.academic_year_id
$$;

CREATE FUNCTION eduql.coarse_terms_of_stale() RETURNS SETOF eduql.coarse_terms
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
          FROM eduql.rollup_attendance a WHERE a.organization_id IN (SELECT s.organization_id FROM eduql.coarse_stale s WHERE eduql.in_caller_region(s.region_id))
          UNION ALL
          SELECT m.region_id, m.municipality_id, m.organization_id, m.organization_kind, m.academic_year_id, m.term_id,
                 0, 0, 0, m.marks, m.value_1, m.value_2, m.value_3, m.value_4, m.value_5, m.value_sum
          FROM eduql.rollup_marks m WHERE m.organization_id IN (SELECT s.organization_id FROM eduql.coarse_stale s WHERE eduql.in_caller_region(s.region_id)) AND m.kind IN ('current', 'test')) x
    GROUP BY x.region_id, x.municipality_id, x.organization_id, x.organization_kind, x.academic_year_id, x.term_id
$$;

CREATE FUNCTION eduql.coarse_blocks_of_stale() RETURNS SETOF eduql.coarse_blocks
LANGUAGE sql STABLE AS $$
    SELECT b.region_id, b.municipality_id, b.organization_id, o.kind, b.academic_year_id, b.block_id, b.block_classes, count(*)
    FROM eduql.suppression_blocks b JOIN eduql.organizations o ON o.region_id = b.region_id AND o.id = b.organization_id
    WHERE b.organization_id IN (SELECT s.organization_id FROM eduql.coarse_stale s WHERE eduql.in_caller_region(s.region_id))
    GROUP BY b.region_id, b.municipality_id, b.organization_id, o.kind, b.academic_year_id, b.block_id, b.block_classes
$$;

-- What the engine reads: stored rows of organizations that are not stale, computed rows of those
-- that are. The stale set is read once per statement, not per row: the caller's region's, as
-- its row-level security would narrow it anyway. security_invoker: the caller's row-level security applies to every table underneath.
CREATE VIEW eduql.rollup_organization_years WITH (security_invoker = true) AS
    SELECT * FROM eduql.coarse_years c
    WHERE c.organization_id <> ALL (ARRAY(SELECT s.organization_id FROM eduql.coarse_stale s WHERE eduql.in_caller_region(s.region_id)))
    UNION ALL
    SELECT * FROM eduql.coarse_years_of_stale();

CREATE VIEW eduql.rollup_organization_terms WITH (security_invoker = true) AS
    SELECT * FROM eduql.coarse_terms c
    WHERE c.organization_id <> ALL (ARRAY(SELECT s.organization_id FROM eduql.coarse_stale s WHERE eduql.in_caller_region(s.region_id)))
    UNION ALL
    SELECT * FROM eduql.coarse_terms_of_stale();

CREATE VIEW eduql.rollup_organization_blocks WITH (security_invoker = true) AS
    SELECT * FROM eduql.coarse_blocks c
    WHERE c.organization_id <> ALL (ARRAY(SELECT s.organization_id FROM eduql.coarse_stale s WHERE eduql.in_caller_region(s.region_id)))
    UNION ALL
    SELECT * FROM eduql.coarse_blocks_of_stale();

-- Marks the organizations whose class-level rollups a statement moves as stale: a statement
-- trigger on each source table, named rollup_… as the rollups' own (they are rollup maintenance).
-- `touched` gives, over a transition table (%1$s), the region and organization of each row's
-- class, as the rollups key it.
CREATE FUNCTION eduql.coarse_follow(source regclass, touched text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    name text := format('coarse_stale_from_%s', (SELECT relname FROM pg_class WHERE oid = source));
BEGIN
    EXECUTE format($f$
        CREATE FUNCTION eduql.%1$I() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $body$
        BEGIN
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO eduql.coarse_stale (region_id, organization_id) %2$s;
            END IF;
            IF TG_OP <> 'INSERT' THEN
                INSERT INTO eduql.coarse_stale (region_id, organization_id) %3$s;
            END IF;
            RETURN NULL;
        END $body$
        $f$, name, format(touched, 'new_rows'), format(touched, 'old_rows'));
    EXECUTE format('CREATE TRIGGER rollup_coarse_stale_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION eduql.%I()', source, name);
    EXECUTE format('CREATE TRIGGER rollup_coarse_stale_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION eduql.%I()', source, name);
    EXECUTE format('CREATE TRIGGER rollup_coarse_stale_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION eduql.%I()', source, name);
END $$;

SELECT eduql.coarse_follow(source::regclass, touched) FROM (VALUES
    ('eduql.marks', 'SELECT DISTINCT k.region_id, k.organization_id FROM %1$s n JOIN eduql.classes k ON k.id = n.class_id'),
    ('eduql.lessons', 'SELECT DISTINCT k.region_id, k.organization_id FROM %1$s n JOIN eduql.classes k ON k.id = n.class_id'),
    ('eduql.enrollments', 'SELECT DISTINCT k.region_id, k.organization_id FROM %1$s n JOIN eduql.classes k ON k.id = n.class_id'),
    ('eduql.attendance', 'SELECT DISTINCT k.region_id, k.organization_id FROM %1$s n JOIN eduql.lessons l ON l.id = n.lesson_id '
                         'JOIN eduql.classes k ON k.id = l.class_id'),
    ('eduql.learners', 'SELECT DISTINCT k.region_id, k.organization_id FROM %1$s n JOIN eduql.enrollments e ON e.learner_id = n.id '
                       'JOIN eduql.classes k ON k.id = e.class_id'),
    ('eduql.classes', 'SELECT DISTINCT n.region_id, n.organization_id FROM %1$s n'),
    ('eduql.suppression_blocks', 'SELECT DISTINCT n.region_id, n.organization_id FROM %1$s n')) AS f(source, touched);

-- An organization's kind or municipality moves its stored rows.
CREATE FUNCTION eduql.coarse_follows_organizations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
BEGIN
    INSERT INTO eduql.coarse_stale (region_id, organization_id)
    SELECT n.region_id, n.id FROM new_rows n JOIN old_rows o ON o.id = n.id AND o.region_id = n.region_id
    WHERE (n.kind, n.municipality_id) IS DISTINCT FROM (o.kind, o.municipality_id);
    RETURN NULL;
END $$;
CREATE TRIGGER rollup_coarse_stale_update AFTER UPDATE ON eduql.organizations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION eduql.coarse_follows_organizations();

-- Recomputes the stale organizations (all regions) and forgets them, in one transaction; one
-- refresh at a time across servers (another finding the lock held returns at once). Returns how
-- many organizations it recomputed.
CREATE FUNCTION eduql.refresh_coarse_rollups() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    marks bigint[];
    orgs bigint[];
BEGIN
    IF NOT pg_try_advisory_xact_lock(1704, 0) THEN
        RETURN 0;
    END IF;
    -- The marks seen now; those committed later stay for the next refresh.
    SELECT array_agg(seq), array_agg(DISTINCT organization_id) INTO marks, orgs FROM eduql.coarse_stale;
    IF orgs IS NULL THEN
        RETURN 0;
    END IF;
    DELETE FROM eduql.coarse_years WHERE organization_id = ANY (orgs);
    INSERT INTO eduql.coarse_years SELECT * FROM eduql.coarse_years_of_stale() WHERE organization_id = ANY (orgs);
    DELETE FROM eduql.coarse_terms WHERE organization_id = ANY (orgs);
    INSERT INTO eduql.coarse_terms SELECT * FROM eduql.coarse_terms_of_stale() WHERE organization_id = ANY (orgs);
    DELETE FROM eduql.coarse_blocks WHERE organization_id = ANY (orgs);
    INSERT INTO eduql.coarse_blocks SELECT * FROM eduql.coarse_blocks_of_stale() WHERE organization_id = ANY (orgs);
    DELETE FROM eduql.coarse_stale WHERE seq = ANY (marks);
    RETURN cardinality(orgs);
END $$;
REVOKE ALL ON FUNCTION eduql.refresh_coarse_rollups() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.refresh_coarse_rollups() TO eduql_app;

-- Stored rows of organizations that are not stale and differ from what their classes sum (0 when
-- the organization rollups are current; `eduql rollups check` reports it). Marks every other
-- organization stale to compute them, then undoes that: the check changes nothing.
CREATE FUNCTION eduql.coarse_differences() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    total bigint := 0;
    part bigint;
    stored text;
BEGIN
    BEGIN
        CREATE TEMP TABLE coarse_checked ON COMMIT DROP AS
        SELECT o.region_id, o.id AS organization_id FROM eduql.organizations o
        WHERE NOT EXISTS (SELECT 1 FROM eduql.coarse_stale s WHERE s.organization_id = o.id);
        DELETE FROM eduql.coarse_stale;
        INSERT INTO eduql.coarse_stale (region_id, organization_id) SELECT region_id, organization_id FROM coarse_checked;
        FOREACH stored IN ARRAY ARRAY['coarse_years', 'coarse_terms', 'coarse_blocks'] LOOP
            EXECUTE format('WITH s AS (SELECT * FROM eduql.%1$I WHERE organization_id IN (SELECT organization_id FROM coarse_checked)), '
                           'c AS (SELECT * FROM eduql.%1$I_of_stale()) '
                           'SELECT count(*) FROM ((TABLE s EXCEPT ALL TABLE c) UNION ALL (TABLE c EXCEPT ALL TABLE s)) d', stored)
                INTO part;
            total := total + part;
        END LOOP;
        RAISE EXCEPTION USING ERRCODE = 'EQ001';
    EXCEPTION WHEN SQLSTATE 'EQ001' THEN
        NULL;
    END;
    RETURN total;
END $$;

-- Tenancy as on the class-level rollups; the server reads them through the views and writes
-- nothing (the triggers and the refresh do).
SELECT eduql.apply_tenancy(t) FROM unnest(ARRAY['eduql.coarse_stale', 'eduql.coarse_years', 'eduql.coarse_terms', 'eduql.coarse_blocks']::regclass[]) t;
REVOKE INSERT, UPDATE, DELETE ON eduql.coarse_stale, eduql.coarse_years, eduql.coarse_terms, eduql.coarse_blocks FROM eduql_app;
GRANT SELECT ON eduql.rollup_organization_years, eduql.rollup_organization_terms, eduql.rollup_organization_blocks TO eduql_app;

-- Every organization starts stale; the first refresh fills the stored rows.
INSERT INTO eduql.coarse_stale (region_id, organization_id) SELECT region_id, id FROM eduql.organizations;
SELECT eduql.refresh_coarse_rollups();
ANALYZE eduql.coarse_years, eduql.coarse_terms, eduql.coarse_blocks, eduql.coarse_stale;
