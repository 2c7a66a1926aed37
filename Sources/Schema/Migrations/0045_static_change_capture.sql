-- The change feed's capture as static SQL. Until now every captured statement ran one generic
-- trigger function (eduql.capture_changes, 0022 and 0024) that built its INSERT … SELECT from the
-- trigger's arguments and ran it with EXECUTE: PostgreSQL parsed and planned it again for every
-- statement of every captured table (a lesson's journal entry: three times). Each capture
-- trigger now runs a function of its own, named as the trigger, whose INSERT is written out when
-- the table is put under capture: PL/pgSQL prepares it once per connection. What is recorded
-- is unchanged: the same columns from the same transition table, in the same order.

-- The INSERT … SELECT that records one statement's rows (as eduql.capture_changes built it).
CREATE FUNCTION eduql.capture_sql(event text, entity text, id_column text, learner_column text, organization text,
                                  operation text, municipality text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format(
        'INSERT INTO eduql.changes (region_id, municipality_id, organization_id, entity, operation, row_id, learner_id, old_row) '
        'SELECT r.region_id, %s, %s, %L, %L, r.%I, %s, %s FROM %I r ORDER BY r.%I',
        CASE WHEN organization = 'learner' THEN '(SELECT l.municipality_id FROM eduql.learners l WHERE l.id = r.learner_id)'
             WHEN municipality = 'none' THEN 'NULL::bigint' ELSE 'r.municipality_id' END,
        CASE WHEN organization = 'organization' THEN 'r.organization_id' WHEN organization = 'id' THEN 'r.id'
             WHEN organization = 'learner' THEN '(SELECT l.organization_id FROM eduql.learners l WHERE l.id = r.learner_id)' ELSE 'NULL::bigint' END,
        entity, coalesce(nullif(operation, ''), lower(event)), id_column,
        CASE WHEN learner_column = '' THEN 'NULL::bigint' ELSE format('r.%I', learner_column) END,
        CASE WHEN event = 'INSERT' OR operation <> '' THEN 'NULL::jsonb' ELSE 'to_jsonb(r)' END,
        CASE event WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END,
        id_column)
$$;

-- One capture trigger of a table for one event (INSERT, UPDATE or DELETE), with its own function.
CREATE FUNCTION eduql.capture_event(tbl regclass, event text, entity text, id_column text, learner_column text, organization text,
                                    operation text, municipality text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = tbl) || '_capture_' || lower(event);
BEGIN
    EXECUTE format('CREATE OR REPLACE FUNCTION eduql.%I() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER '
                   'SET search_path = pg_catalog, eduql AS %L', name,
                   format('BEGIN %s; RETURN NULL; END',
                          eduql.capture_sql(event, entity, id_column, learner_column, organization, operation, municipality)));
    EXECUTE format('REVOKE ALL ON FUNCTION eduql.%I() FROM PUBLIC', name);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %s', name, tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER %s ON %s REFERENCING %s FOR EACH STATEMENT EXECUTE FUNCTION eduql.%I()',
                   name, event, tbl, CASE event WHEN 'INSERT' THEN 'NEW TABLE AS new_rows' ELSE 'OLD TABLE AS old_rows' END, name);
END $$;

-- Puts a table under capture: three statement triggers (insert, update, delete). Both forms of
-- 0022 and 0024 keep their signatures.
CREATE OR REPLACE FUNCTION eduql.capture(tbl regclass, entity text, id_column text, learner_column text, organization text,
                                         operation text, municipality text) RETURNS void
LANGUAGE sql AS $$
    SELECT eduql.capture_event(tbl, event, entity, id_column, learner_column, organization, operation, municipality)
    FROM unnest(ARRAY['INSERT', 'UPDATE', 'DELETE']) event;
$$;

CREATE OR REPLACE FUNCTION eduql.capture(tbl regclass, entity text, id_column text, learner_column text, organization text,
                                         operation text DEFAULT '') RETURNS void
LANGUAGE sql AS $$
    SELECT eduql.capture(tbl, entity, id_column, learner_column, organization, operation, '');
$$;

-- Every table under capture moves to its own functions, with the arguments its triggers carry
-- (five from 0022, six from 0024).
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT tg.tgrelid::regclass AS tbl,
                    CASE WHEN tg.tgtype & 4 <> 0 THEN 'INSERT' WHEN tg.tgtype & 8 <> 0 THEN 'DELETE' ELSE 'UPDATE' END AS event,
                    regexp_split_to_array(encode(tg.tgargs, 'escape'), '\\000') AS args
             FROM pg_trigger tg WHERE tg.tgfoid = 'eduql.capture_changes()'::regprocedure
             ORDER BY tg.tgrelid, tg.tgname
    LOOP
        PERFORM eduql.capture_event(t.tbl, t.event, t.args[1], t.args[2], coalesce(t.args[3], ''), coalesce(t.args[4], ''),
                                    coalesce(t.args[5], ''), coalesce(t.args[6], ''));
    END LOOP;
END $$;

DROP FUNCTION eduql.capture_changes();
