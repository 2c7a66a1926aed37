-- The guardians sheet of an import carries the birth date too.
CREATE OR REPLACE FUNCTION eduql.import_guardian(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    existing eduql.guardians;
BEGIN
    SELECT * INTO existing FROM eduql.guardians WHERE id = eduql.import_find('guardian', 'eduql.guardians', r->>'id');
    IF existing.id IS NULL AND r->>'snils' IS NOT NULL THEN
        SELECT * INTO existing FROM eduql.guardians g WHERE g.region_id = eduql.current_region_id() AND g.snils = r->>'snils' ORDER BY g.id LIMIT 1;
    END IF;
    IF existing.id IS NULL THEN
        INSERT INTO eduql.guardians (region_id, last_name, first_name, middle_name, birth_date, phone, email, snils, address)
        VALUES (eduql.current_region_id(), r->>'last_name', r->>'first_name', r->>'middle_name', (r->>'birth_date')::date, r->>'phone',
                r->>'email', r->>'snils', r->>'address')
        RETURNING * INTO existing;
        PERFORM eduql.import_remember('guardian', r->>'id', existing.id, NULL, NULL);
        RETURN 'created';
    END IF;
    PERFORM eduql.import_remember('guardian', r->>'id', existing.id, NULL, NULL);
    -- A guardian of a child outside the caller's scope is matched, and linked, but not rewritten
    -- (the learners row-level security hides are those of other organizations).
    IF EXISTS (SELECT 1 FROM eduql.guardian_learners gl WHERE gl.guardian_id = existing.id
               AND NOT EXISTS (SELECT 1 FROM eduql.learners l WHERE l.id = gl.learner_id)) THEN
        RETURN 'unchanged';
    END IF;
    UPDATE eduql.guardians SET last_name = r->>'last_name', first_name = r->>'first_name', middle_name = r->>'middle_name',
           birth_date = (r->>'birth_date')::date, phone = r->>'phone', email = r->>'email', snils = r->>'snils', address = r->>'address'
    WHERE id = existing.id
      AND (last_name, first_name, middle_name, birth_date, phone, email, snils, address)
          IS DISTINCT FROM (r->>'last_name', r->>'first_name', r->>'middle_name', (r->>'birth_date')::date, r->>'phone', r->>'email',
                            r->>'snils', r->>'address');
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;
