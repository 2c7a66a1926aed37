-- An import's batch in one subtransaction, not one per row: a batch (1,000 rows) is first tried
-- whole; only a batch in which some row has a problem is undone and tried again row by row, each
-- row in its own subtransaction as before, so the report still names every row's problem and a
-- row with one still writes nothing. A source id is kept without a subtransaction of its own
-- (ON CONFLICT instead of catching the unique violation). What a batch writes, and what it
-- reports, is the same either way: the rows run in the same order, and a batch that ran whole
-- had no problem in any row.

-- Keeps the source id of a row (but a row's own exported id, which finds it without a key).
CREATE OR REPLACE FUNCTION eduql.import_remember(p_entity text, p_source text, p_row bigint, p_municipality bigint, p_organization bigint)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_source IS NULL OR p_source = eduql.own_source(p_row) THEN
        RETURN;
    END IF;
    INSERT INTO eduql.import_keys (region_id, municipality_id, organization_id, entity, source_id, row_id)
    VALUES (eduql.current_region_id(), p_municipality, p_organization, p_entity, p_source, p_row)
    ON CONFLICT (region_id, entity, source_id) DO NOTHING;
    -- A key in the way that the caller's tenancy hides is one of another organization.
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM eduql.import_keys k
                                 WHERE k.region_id = eduql.current_region_id() AND k.entity = p_entity AND k.source_id = p_source) THEN
        PERFORM eduql.import_problem('id', format('the id %s names a record of another organization: ids must be unique in the region', p_source));
    END IF;
END $$;

-- Imports one row of one entity: 'created', 'updated' or 'unchanged', or raises its problem.
CREATE FUNCTION eduql.import_row(p_entity text, r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    outcome text := CASE p_entity
        WHEN 'municipality' THEN eduql.import_municipality(r)
        WHEN 'year' THEN eduql.import_year(r)
        WHEN 'subject' THEN eduql.import_subject(r)
        WHEN 'organization' THEN eduql.import_organization(r)
        WHEN 'staff' THEN eduql.import_staff(r)
        WHEN 'class' THEN eduql.import_class(r)
        WHEN 'learner' THEN eduql.import_learner(r)
        WHEN 'guardian' THEN eduql.import_guardian(r)
        WHEN 'guardian_link' THEN eduql.import_guardian_link(r)
        WHEN 'enrollment' THEN eduql.import_enrollment(r)
        WHEN 'teaching_assignment' THEN eduql.import_teaching_assignment(r)
        WHEN 'timetable_entry' THEN eduql.import_timetable_entry(r)
    END;
BEGIN
    IF outcome IS NULL THEN
        RAISE EXCEPTION 'unknown import entity %', p_entity;
    END IF;
    RETURN outcome;
END $$;

-- Imports a batch of rows of one entity (a JSON array of objects, each with its '_line'): one
-- row per input row with what became of it ('created', 'updated', 'unchanged') or 'problem' with
-- the column and the message. A row with a problem writes nothing; the caller rolls the whole
-- import back if any row had one.
CREATE OR REPLACE FUNCTION eduql.import_rows(p_entity text, p_rows jsonb)
RETURNS TABLE (line integer, outcome text, column_name text, problem text)
LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    outcomes text[] := ARRAY[]::text[];
    message text;
    state text;
    constraint_name text;
    column_named text;
BEGIN
    -- The whole batch at once; its outcomes are returned only once all of it went in (rows
    -- returned from inside a block are not taken back when the block is undone).
    BEGIN
        FOR r IN SELECT value FROM jsonb_array_elements(p_rows) LOOP
            outcomes := outcomes || eduql.import_row(p_entity, r);
        END LOOP;
    EXCEPTION WHEN OTHERS THEN
        outcomes := NULL;
    END;
    IF outcomes IS NOT NULL THEN
        RETURN QUERY SELECT (e.value->>'_line')::integer, outcomes[e.ordinality::integer], NULL::text, NULL::text
                     FROM jsonb_array_elements(p_rows) WITH ORDINALITY e;
        RETURN;
    END IF;
    -- Some row has a problem: row by row, each in its own subtransaction.
    FOR r IN SELECT value FROM jsonb_array_elements(p_rows) LOOP
        line := (r->>'_line')::integer;
        column_name := NULL;
        problem := NULL;
        BEGIN
            outcome := eduql.import_row(p_entity, r);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, state = RETURNED_SQLSTATE, constraint_name = CONSTRAINT_NAME,
                                    column_named = COLUMN_NAME;
            outcome := 'problem';
            column_name := nullif(column_named, '');
            problem := CASE
                WHEN state = 'EQ422' THEN message
                WHEN state = '42501' THEN 'outside your scope: ' || message
                WHEN state = 'EQ423' THEN 'the organization is closed; its records are read-only'
                WHEN state = '23505' THEN 'the same record exists already (' || constraint_name || ')'
                WHEN state IN ('23514', '23503', '23502') THEN 'breaks a rule of the records (' || coalesce(nullif(constraint_name, ''), message) || ')'
                ELSE message END;
        END;
        RETURN NEXT;
    END LOOP;
END $$;
