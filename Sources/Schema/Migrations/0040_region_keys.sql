-- Keys for distribution by region. Every tenant table (under the tenancy policy, with a
-- region_id) carries region_id in its primary key, and every foreign key into a tenant table
-- carries it on both sides: a row can only point at a row of its own region, and a deployment
-- may distribute the tables by region_id (Citus requires the distribution column in every
-- unique key and in the keys between co-located tables) without changing the engine, which
-- prints region_id = $n for every tenant table it reads (see the README, Keys for distribution).
--
-- region_id goes last in each key: the key's own columns still lead its index, so the lookups
-- by id that do not name the region (triggers, the owner's functions) keep their index, and no
-- index is added. The foreign keys' indexes stay on their own columns: a region has many rows
-- per key, never the other way round, so region_id would add nothing to their selectivity.
DO $$
DECLARE
    tenant oid[];
    fk record;
    pk record;
    actions text;
BEGIN
    SELECT array_agg(c.oid) INTO tenant
    FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = 'tenancy'
    WHERE c.relnamespace = 'eduql'::regnamespace AND c.relkind = 'r'
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'region_id' AND NOT a.attisdropped);

    IF EXISTS (SELECT 1 FROM pg_constraint f
               WHERE f.contype = 'f' AND f.confrelid = ANY (tenant)
                 AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = f.conrelid AND a.attname = 'region_id' AND NOT a.attisdropped)) THEN
        RAISE EXCEPTION 'a table without region_id refers to a tenant table';
    END IF;

    -- The foreign keys into tenant tables, remembered, then dropped (they hang on the old keys).
    CREATE TEMP TABLE region_foreign_keys ON COMMIT DROP AS
    SELECT f.conrelid, f.conname, f.confrelid, f.confdeltype, f.confupdtype,
           array(SELECT a.attname FROM unnest(f.conkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
           array(SELECT a.attname FROM unnest(f.confkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.n ORDER BY k.i) AS referenced
    FROM pg_constraint f
    WHERE f.contype = 'f' AND f.confrelid = ANY (tenant);
    FOR fk IN SELECT * FROM region_foreign_keys LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.conrelid::regclass, fk.conname);
    END LOOP;

    -- Each tenant table's primary key, with region_id after its own columns.
    FOR pk IN
        SELECT k.conrelid, k.conname,
               array(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY c(n, i)
                     JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = c.n ORDER BY c.i) AS columns
        FROM pg_constraint k WHERE k.contype = 'p' AND k.conrelid = ANY (tenant)
    LOOP
        CONTINUE WHEN 'region_id' = ANY (pk.columns);
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (%s, region_id)',
                       pk.conrelid::regclass, pk.conname, pk.conname,
                       (SELECT string_agg(quote_ident(c), ', ') FROM unnest(pk.columns) c));
    END LOOP;
    IF EXISTS (SELECT 1 FROM unnest(tenant) t WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = t AND k.contype = 'p')) THEN
        RAISE EXCEPTION 'a tenant table has no primary key';
    END IF;

    -- The foreign keys again, region_id on both sides; SET NULL clears only the key's own columns.
    FOR fk IN SELECT * FROM region_foreign_keys LOOP
        actions := CASE fk.confdeltype
            WHEN 'c' THEN ' ON DELETE CASCADE'
            WHEN 'r' THEN ' ON DELETE RESTRICT'
            WHEN 'n' THEN format(' ON DELETE SET NULL (%s)', (SELECT string_agg(quote_ident(c), ', ') FROM unnest(fk.columns) c))
            WHEN 'd' THEN format(' ON DELETE SET DEFAULT (%s)', (SELECT string_agg(quote_ident(c), ', ') FROM unnest(fk.columns) c))
            ELSE '' END;
        IF fk.confupdtype <> 'a' THEN
            RAISE EXCEPTION 'foreign key % has an update action this migration does not carry over', fk.conname;
        END IF;
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (%s, region_id) REFERENCES %s (%s, region_id)%s',
                       fk.conrelid::regclass, fk.conname,
                       (SELECT string_agg(quote_ident(c), ', ') FROM unnest(fk.columns) c),
                       fk.confrelid::regclass,
                       (SELECT string_agg(quote_ident(c), ', ') FROM unnest(fk.referenced) c),
                       actions);
    END LOOP;
END $$;

-- The change feed had no key: its region index becomes one (the partition key, changed_at, must
-- be in it), in place of the index it replaces.
DROP INDEX eduql.changes_region_id_xid_seq_idx;
ALTER TABLE eduql.changes ADD CONSTRAINT changes_pkey PRIMARY KEY (region_id, xid, seq, changed_at);

-- The rollups' upserts name their keys: region_id joins each (it was an attribute taken along),
-- and the statement triggers are made again from the sources.
UPDATE eduql.rollup_sources SET conflict = conflict || '{region_id}'::text[] WHERE NOT ('region_id' = ANY (conflict));
SELECT eduql.attach_rollup(s) FROM eduql.rollup_sources s;

-- A scope's name, read within its region like every other row the engine reads.
CREATE OR REPLACE FUNCTION eduql.scope_ref(p_region bigint, p_municipality bigint, p_organization bigint, p_class bigint)
RETURNS TABLE (kind text, id text, name text)
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_class IS NOT NULL THEN 'CLASS' WHEN p_organization IS NOT NULL THEN 'ORGANIZATION'
                WHEN p_municipality IS NOT NULL THEN 'MUNICIPALITY' ELSE 'REGION' END,
           coalesce(p_class, p_organization, p_municipality, p_region)::text,
           coalesce(CASE WHEN p_class IS NOT NULL THEN (SELECT c.name FROM eduql.classes c WHERE c.region_id = p_region AND c.id = p_class)
                         WHEN p_organization IS NOT NULL THEN (SELECT o.short_name FROM eduql.organizations o WHERE o.region_id = p_region AND o.id = p_organization)
                         WHEN p_municipality IS NOT NULL THEN (SELECT m.name FROM eduql.municipalities m WHERE m.region_id = p_region AND m.id = p_municipality)
                         ELSE (SELECT r.name FROM eduql.regions r WHERE r.id = p_region) END, '')
$$;

-- The term a day of an organization falls in (eduql.term_on, 0024), read within the region.
CREATE FUNCTION eduql.term_on(p_region bigint, p_organization bigint, p_day date) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT t.id FROM eduql.terms t
    JOIN eduql.organizations o ON o.region_id = p_region AND o.id = p_organization
    WHERE t.region_id = p_region AND p_day BETWEEN t.starts_on AND t.ends_on
      AND (t.organization_id = o.id OR (t.organization_id IS NULL AND NOT EXISTS (
          SELECT 1 FROM eduql.terms own WHERE own.region_id = p_region AND own.academic_year_id = t.academic_year_id AND own.organization_id = o.id)))
    ORDER BY t.organization_id IS NULL, t.scheme = CASE WHEN o.kind = 'vocational' THEN 'half' ELSE 'quarter' END DESC,
             t.scheme = 'trimester' DESC, t.number
    LIMIT 1
$$;
GRANT EXECUTE ON FUNCTION eduql.term_on(bigint, bigint, date) TO eduql_app;

-- A class's columns follow from its whole key now: the forms' datasets group by (id, region_id).
CREATE OR REPLACE FUNCTION eduql.form_classes(p_organization bigint, p_on date)
RETURNS TABLE (id bigint, label text, grade int, programme text, adapted_variant text, adapted_years int, additional_year int,
               combined_class text, rural boolean, learners int, girls int)
LANGUAGE sql STABLE AS $$
    SELECT k.id, k.name, k.grade, k.programme, k.adapted_variant, k.adapted_years, k.additional_year, k.combined_class,
           o.settlement = 'rural', count(e.id)::int, count(e.id) FILTER (WHERE l.gender = 'female')::int
    FROM eduql.classes k JOIN eduql.academic_years y ON y.id = k.academic_year_id JOIN eduql.organizations o ON o.id = k.organization_id
    LEFT JOIN eduql.enrollments e ON e.class_id = k.id AND e.enrolled_on <= p_on AND (e.left_on IS NULL OR e.left_on > p_on)
    LEFT JOIN eduql.learners l ON l.id = e.learner_id
    WHERE k.organization_id = p_organization AND k.kind = 'class' AND p_on BETWEEN y.starts_on AND y.ends_on
    GROUP BY k.id, k.region_id, o.settlement
$$;

CREATE OR REPLACE FUNCTION eduql.form_groups(p_organization bigint, p_on date)
RETURNS TABLE (id bigint, label text, orientation text, compensating_kind text, short_stay boolean, age_from int, age_to int, children int)
LANGUAGE sql STABLE AS $$
    SELECT k.id, k.name, k.orientation, eduql.impairment_of(k.compensating_kind), k.short_stay, k.age_group, coalesce(k.age_to, k.age_group),
           count(e.id)::int
    FROM eduql.classes k JOIN eduql.academic_years y ON y.id = k.academic_year_id
    LEFT JOIN eduql.enrollments e ON e.class_id = k.id AND e.enrolled_on <= p_on AND (e.left_on IS NULL OR e.left_on > p_on)
    WHERE k.organization_id = p_organization AND k.kind = 'group' AND p_on BETWEEN y.starts_on AND y.ends_on
    GROUP BY k.id, k.region_id
$$;
