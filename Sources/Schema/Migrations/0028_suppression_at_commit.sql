-- The suppression blocks of a region, refreshed once per transaction, at its commit, instead of
-- once per statement that changes a small class's contingent. An import writes a region's
-- enrollments one statement at a time, and every class starts below the threshold: each of its
-- first enrollments recomputed the whole region's blocks (thousands of times per import, each
-- over every class written so far). A statement now only notes its region; a deferred trigger
-- on that note refreshes it when the transaction commits, still inside it, so the blocks and the
-- contingent they hide always commit together. Two transactions that both change one region's
-- blocks are serialized on the note, as they were on the blocks' rows before.

CREATE TABLE eduql.suppression_pending (
    region_id bigint PRIMARY KEY
);
REVOKE ALL ON eduql.suppression_pending FROM PUBLIC;

-- Notes that a region's blocks must be refreshed before the transaction commits.
CREATE FUNCTION eduql.suppression_due(p_region bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    INSERT INTO eduql.suppression_pending (region_id) VALUES (p_region) ON CONFLICT DO NOTHING
$$;
REVOKE ALL ON FUNCTION eduql.suppression_due(bigint) FROM PUBLIC;

CREATE FUNCTION eduql.suppression_refresh_due() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
BEGIN
    DELETE FROM eduql.suppression_pending WHERE region_id = NEW.region_id;
    PERFORM eduql.refresh_suppression(NEW.region_id);
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER suppression_refresh_at_commit AFTER INSERT ON eduql.suppression_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION eduql.suppression_refresh_due();

CREATE OR REPLACE FUNCTION eduql.suppression_follows_contingent() RETURNS trigger
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
        PERFORM eduql.suppression_due(region);
    END LOOP;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION eduql.suppression_follows_inserts() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE region bigint;
BEGIN
    FOR region IN SELECT DISTINCT n.region_id FROM new_rows n GROUP BY n.region_id, n.class_id
        HAVING coalesce((SELECT sum(r.learners) FROM eduql.rollup_contingent r WHERE r.class_id = n.class_id), 0) - sum(n.learners)
               < (SELECT p.privacy_threshold FROM eduql.regions p WHERE p.id = n.region_id)
        ORDER BY 1
    LOOP
        PERFORM eduql.suppression_due(region);
    END LOOP;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION eduql.suppression_follows_deletes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE region bigint;
BEGIN
    FOR region IN SELECT DISTINCT o.region_id FROM old_rows o GROUP BY o.region_id, o.class_id
        HAVING coalesce((SELECT sum(r.learners) FROM eduql.rollup_contingent r WHERE r.class_id = o.class_id), 0)
               < (SELECT p.privacy_threshold FROM eduql.regions p WHERE p.id = o.region_id)
        ORDER BY 1
    LOOP
        PERFORM eduql.suppression_due(region);
    END LOOP;
    RETURN NULL;
END $$;

-- A region's threshold is an input too.
CREATE OR REPLACE FUNCTION eduql.suppression_follows_threshold() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
BEGIN
    IF NEW.privacy_threshold IS DISTINCT FROM OLD.privacy_threshold THEN
        PERFORM eduql.suppression_due(NEW.id);
    END IF;
    RETURN NULL;
END $$;
