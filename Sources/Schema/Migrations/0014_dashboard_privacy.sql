-- Dashboards, part two: attendance by day, and complementary suppression.

-- Lessons and lesson-attendance records by class and day, for attendance rates per day and
-- week. Defined like the per-term rollups (0012), with the day in place of the term.
CREATE TABLE eduql.rollup_lesson_days (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    class_id           bigint NOT NULL,
    grade              smallint,
    academic_year_id   bigint NOT NULL,
    day                date NOT NULL,
    lessons            bigint NOT NULL,
    PRIMARY KEY (class_id, day)
);
CREATE INDEX ON eduql.rollup_lesson_days (organization_id, day);
CREATE INDEX ON eduql.rollup_lesson_days (municipality_id, day);
CREATE INDEX ON eduql.rollup_lesson_days (region_id, day);

CREATE TABLE eduql.rollup_attendance_days (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    class_id           bigint NOT NULL,
    grade              smallint,
    academic_year_id   bigint NOT NULL,
    day                date NOT NULL,
    records            bigint NOT NULL,
    absent             bigint NOT NULL,
    ill                bigint NOT NULL,
    excused            bigint NOT NULL,
    late               bigint NOT NULL,
    PRIMARY KEY (class_id, day)
);
CREATE INDEX ON eduql.rollup_attendance_days (organization_id, day);
CREATE INDEX ON eduql.rollup_attendance_days (municipality_id, day);
CREATE INDEX ON eduql.rollup_attendance_days (region_id, day);

INSERT INTO eduql.rollup_sources
SELECT replace(rollup, 'rollup_lessons', 'rollup_lesson_days'), source,
       array_replace(keys, 'term_id', 'day'), array_replace(conflict, 'term_id', 'day'), measures,
       replace(rows, 's.term_id', 's.held_on AS day'), defines, orphans
FROM eduql.rollup_sources WHERE rollup = 'rollup_lessons'
UNION ALL
SELECT 'rollup_attendance_days', source,
       array_replace(keys, 'term_id', 'day'), array_replace(conflict, 'term_id', 'day'), measures,
       replace(rows, 'l.term_id', 'l.held_on AS day'), defines, orphans
FROM eduql.rollup_sources WHERE rollup = 'rollup_attendance';

SELECT eduql.attach_rollup(s) FROM eduql.rollup_sources s WHERE s.rollup IN ('rollup_lesson_days', 'rollup_attendance_days');
SELECT eduql.rebuild_rollup(r) FROM (VALUES ('rollup_lesson_days'), ('rollup_attendance_days')) x(r);
SELECT eduql.apply_tenancy(t) FROM (VALUES ('eduql.rollup_lesson_days'::regclass), ('eduql.rollup_attendance_days'::regclass)) x(t);
REVOKE INSERT, UPDATE, DELETE ON eduql.rollup_lesson_days, eduql.rollup_attendance_days FROM eduql_app;

-- Complementary suppression. Every dashboard measure is a sum over classes (the atoms), and a
-- published group is a set of classes: a territory (region, municipality, organization, class)
-- narrowed by academic year, organization kind and grade. A class with learners but fewer than
-- its region's threshold is "below"; below classes are gathered into blocks of at least the
-- threshold learners (adding a complementary class where they cannot reach it), and a group is
-- published only when it holds every class of a block or none: then any sum or difference of
-- published groups holds whole blocks, and no class of a block — and no group cutting one — can
-- be derived, whatever answers are combined. The blocks are a function of the data alone (the
-- same data gives the same blocks), recomputed when a class's learners or place change.
CREATE TABLE eduql.suppression_blocks (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    class_id           bigint PRIMARY KEY,
    academic_year_id   bigint NOT NULL,
    -- The block: its smallest class id, and how many classes it has.
    block_id           bigint NOT NULL,
    block_classes      integer NOT NULL,
    -- Below the threshold itself (else suppressed only to complement others).
    below              boolean NOT NULL
);
CREATE INDEX ON eduql.suppression_blocks (region_id);
CREATE INDEX ON eduql.suppression_blocks (municipality_id);
CREATE INDEX ON eduql.suppression_blocks (organization_id);

-- Recomputes one region's blocks. Below classes are pooled level by level, each level wider
-- than the last: the organization and grade; the municipality, organization kind and grade;
-- the municipality and kind; the municipality; the region's academic year; the region. In each
-- pool, classes (fewest learners first, then id) are gathered into blocks of at least the
-- threshold; what remains joins the pool's last block, or else a block already in the pool's
-- territory, or else takes in the lowest-id class of that territory not below the threshold as
-- its complement, or else waits for the next level. Blocks therefore stay inside one grade and
-- one organization where they can, so the groups a regional dashboard reads (municipalities,
-- grades) are rarely cut.
CREATE FUNCTION eduql.refresh_suppression(region bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    threshold integer := (SELECT privacy_threshold FROM eduql.regions WHERE id = region);
    levels text[] := ARRAY['academic_year_id, organization_id, grade',
                           'academic_year_id, municipality_id, organization_kind, grade',
                           'academic_year_id, municipality_id, organization_kind',
                           'academic_year_id, municipality_id',
                           'academic_year_id',
                           'region_id'];
    level text;
    pool record;
    members bigint[];
    running bigint;
    formed bigint;
    joined bigint;
BEGIN
    -- One refresh of a region at a time; the next one reads what this one's writer committed.
    PERFORM pg_advisory_xact_lock(1702, region::integer);
    CREATE TEMP TABLE IF NOT EXISTS suppression_atoms (
        class_id bigint PRIMARY KEY, region_id bigint, municipality_id bigint, organization_id bigint,
        organization_kind text, grade smallint, academic_year_id bigint, learners bigint,
        below boolean, block bigint, pending boolean) ON COMMIT DROP;
    TRUNCATE suppression_atoms;
    INSERT INTO suppression_atoms
    SELECT c.class_id, min(c.region_id), min(c.municipality_id), min(c.organization_id), min(c.organization_kind),
           min(c.grade), min(c.academic_year_id), sum(c.learners), sum(c.learners) < threshold, NULL, sum(c.learners) < threshold
    FROM eduql.rollup_contingent c WHERE c.region_id = region GROUP BY c.class_id;

    FOREACH level IN ARRAY levels LOOP
        FOR pool IN EXECUTE format(
            'SELECT ROW(%1$s)::text AS territory, array_agg(class_id ORDER BY learners, class_id) AS classes, '
            'array_agg(learners ORDER BY learners, class_id) AS learners FROM suppression_atoms WHERE pending GROUP BY %1$s', level)
        LOOP
            members := '{}'; running := 0; formed := NULL;
            FOR i IN 1 .. cardinality(pool.classes) LOOP
                members := members || pool.classes[i];
                running := running + pool.learners[i];
                IF running >= threshold THEN
                    formed := (SELECT min(m) FROM unnest(members) m);
                    UPDATE suppression_atoms SET block = formed, pending = false WHERE class_id = ANY (members);
                    members := '{}'; running := 0;
                END IF;
            END LOOP;
            CONTINUE WHEN cardinality(members) = 0;
            joined := formed;
            IF joined IS NULL THEN
                EXECUTE format('SELECT min(block) FROM suppression_atoms WHERE block IS NOT NULL AND ROW(%s)::text = $1', level)
                    INTO joined USING pool.territory;
            END IF;
            IF joined IS NULL THEN
                EXECUTE format('SELECT min(class_id) FROM suppression_atoms WHERE NOT below AND block IS NULL AND ROW(%s)::text = $1', level)
                    INTO joined USING pool.territory;
                IF joined IS NOT NULL THEN
                    members := members || joined;
                    joined := (SELECT min(m) FROM unnest(members) m);
                END IF;
            END IF;
            IF joined IS NOT NULL THEN
                -- A block's id is its smallest class id, also when a pool joins it.
                UPDATE suppression_atoms SET block = joined, pending = false WHERE class_id = ANY (members);
                UPDATE suppression_atoms a SET block = b.id FROM (SELECT block, min(class_id) AS id FROM suppression_atoms
                    WHERE block = joined GROUP BY block) b WHERE a.block = b.block;
            END IF;
        END LOOP;
    END LOOP;
    -- A region with fewer learners in all than its threshold: what is left is one block (and
    -- every group of the region is below the threshold anyway).
    UPDATE suppression_atoms SET block = (SELECT min(class_id) FROM suppression_atoms WHERE pending), pending = false WHERE pending;

    DELETE FROM eduql.suppression_blocks WHERE region_id = region;
    INSERT INTO eduql.suppression_blocks
    SELECT region_id, municipality_id, organization_id, class_id, academic_year_id, block,
           count(*) OVER (PARTITION BY block), below
    FROM suppression_atoms WHERE block IS NOT NULL;
END $$;

-- The inputs of the blocks: which classes have learners, how many when below the threshold, and
-- each class's place. A change that leaves every class it touches at or above the threshold,
-- in the same place, cannot change them and costs nothing more.
CREATE FUNCTION eduql.suppression_follows_contingent() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    region bigint;
BEGIN
    FOR region IN
        WITH changed AS (
            SELECT class_id, region_id, ROW(municipality_id, organization_id, organization_kind, grade, academic_year_id)::text AS place,
                   learners FROM new_rows WHERE TG_OP <> 'DELETE'
            UNION ALL
            SELECT class_id, region_id, ROW(municipality_id, organization_id, organization_kind, grade, academic_year_id)::text,
                   -learners FROM old_rows WHERE TG_OP <> 'INSERT'),
        classes AS (
            SELECT c.class_id, array_agg(DISTINCT c.region_id) AS regions, count(DISTINCT c.place) AS places, sum(c.learners) AS delta,
                   coalesce((SELECT sum(r.learners) FROM eduql.rollup_contingent r WHERE r.class_id = c.class_id), 0) AS now
            FROM changed c GROUP BY c.class_id)
        SELECT DISTINCT unnest(c.regions) FROM classes c
        WHERE c.places > 1 OR least(c.now, c.now - c.delta) < coalesce(
            (SELECT max(p.privacy_threshold) FROM eduql.regions p WHERE p.id = ANY (c.regions)), 1000)
        ORDER BY 1
    LOOP
        PERFORM eduql.refresh_suppression(region);
    END LOOP;
    RETURN NULL;
END $$;

-- Transition tables cannot name a table a trigger does not have: one function per event.
CREATE FUNCTION eduql.suppression_follows_inserts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE region bigint;
BEGIN
    FOR region IN SELECT DISTINCT n.region_id FROM new_rows n GROUP BY n.region_id, n.class_id
        HAVING coalesce((SELECT sum(r.learners) FROM eduql.rollup_contingent r WHERE r.class_id = n.class_id), 0) - sum(n.learners)
               < (SELECT p.privacy_threshold FROM eduql.regions p WHERE p.id = n.region_id)
        ORDER BY 1
    LOOP
        PERFORM eduql.refresh_suppression(region);
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION eduql.suppression_follows_deletes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE region bigint;
BEGIN
    FOR region IN SELECT DISTINCT o.region_id FROM old_rows o GROUP BY o.region_id, o.class_id
        HAVING coalesce((SELECT sum(r.learners) FROM eduql.rollup_contingent r WHERE r.class_id = o.class_id), 0)
               < (SELECT p.privacy_threshold FROM eduql.regions p WHERE p.id = o.region_id)
        ORDER BY 1
    LOOP
        PERFORM eduql.refresh_suppression(region);
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER suppression_follows_updates AFTER UPDATE ON eduql.rollup_contingent
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION eduql.suppression_follows_contingent();
CREATE TRIGGER suppression_follows_inserts AFTER INSERT ON eduql.rollup_contingent
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION eduql.suppression_follows_inserts();
CREATE TRIGGER suppression_follows_deletes AFTER DELETE ON eduql.rollup_contingent
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION eduql.suppression_follows_deletes();

-- A region's threshold is an input too.
CREATE FUNCTION eduql.suppression_follows_threshold() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
BEGIN
    IF NEW.privacy_threshold IS DISTINCT FROM OLD.privacy_threshold THEN
        PERFORM eduql.refresh_suppression(NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER suppression_follows_threshold AFTER UPDATE OF privacy_threshold ON eduql.regions
    FOR EACH ROW EXECUTE FUNCTION eduql.suppression_follows_threshold();

-- Rows in which the stored blocks differ from what a refresh computes now (0 when current);
-- the refresh is undone.
CREATE FUNCTION eduql.suppression_differences() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    differing bigint;
BEGIN
    CREATE TEMP TABLE stored_blocks ON COMMIT DROP AS SELECT * FROM eduql.suppression_blocks;
    BEGIN
        PERFORM eduql.refresh_suppression(id) FROM eduql.regions ORDER BY id;
        SELECT count(*) INTO differing FROM ((TABLE stored_blocks EXCEPT ALL TABLE eduql.suppression_blocks)
                                             UNION ALL (TABLE eduql.suppression_blocks EXCEPT ALL TABLE stored_blocks)) d;
        -- Undo the refresh: the check changes nothing.
        RAISE EXCEPTION USING ERRCODE = 'EQ001';
    EXCEPTION WHEN SQLSTATE 'EQ001' THEN
        NULL;
    END;
    DROP TABLE stored_blocks;
    RETURN differing;
END $$;

SELECT eduql.refresh_suppression(id) FROM eduql.regions ORDER BY id;
SELECT eduql.apply_tenancy('eduql.suppression_blocks');
REVOKE INSERT, UPDATE, DELETE ON eduql.suppression_blocks FROM eduql_app;
ANALYZE eduql.rollup_lesson_days, eduql.rollup_attendance_days, eduql.suppression_blocks;
