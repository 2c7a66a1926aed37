-- Onboarding a region and closing a year: bulk import from the files of the system a region
-- replaces (idempotent by that system's own ids, people matched by SNILS), and the year's
-- rollover (grade N to N+1 in new class rows, graduates, repeaters, kindergarten groups by age).
-- Every function here runs under the caller's tenancy (row-level security), SECURITY INVOKER,
-- but for one yes/no check across organizations (eduql.learner_enrolled_elsewhere).

-- The source system's id of each row an import wrote, per region and entity: the same files
-- imported again find the same rows. A row may carry several source ids (one per system).
CREATE TABLE eduql.import_keys (
    region_id        bigint NOT NULL REFERENCES eduql.regions,
    municipality_id  bigint REFERENCES eduql.municipalities,
    organization_id  bigint REFERENCES eduql.organizations,
    entity           text NOT NULL CHECK (entity IN ('organization', 'staff', 'class', 'learner', 'guardian', 'enrollment',
                                                     'teaching_assignment')),
    source_id        text NOT NULL CHECK (length(source_id) BETWEEN 1 AND 100),
    row_id           bigint NOT NULL,
    PRIMARY KEY (region_id, entity, source_id)
);
CREATE INDEX ON eduql.import_keys (entity, row_id);
CREATE INDEX ON eduql.import_keys (municipality_id);
CREATE INDEX ON eduql.import_keys (organization_id);
SELECT eduql.apply_tenancy('eduql.import_keys');

-- Rollover: a class of the new year names the class it was promoted from (once), a learner
-- staying down a grade is marked on the enrollment, and a promoted enrollment ends as 'promoted'.
ALTER TABLE eduql.classes ADD COLUMN promoted_from_id bigint UNIQUE REFERENCES eduql.classes;
ALTER TABLE eduql.enrollments ADD COLUMN repeats_grade boolean NOT NULL DEFAULT false;
ALTER TABLE eduql.enrollments DROP CONSTRAINT enrollments_status_check;
ALTER TABLE eduql.enrollments ADD CHECK (status IN ('active', 'transferred', 'expelled', 'graduated', 'promoted'));

-- Guardians are in the change feed too (a region-level row: no organization of its own).
ALTER TABLE eduql.changes DROP CONSTRAINT changes_entity_check;
ALTER TABLE eduql.changes ADD CHECK (entity IN ('learner', 'enrollment', 'movement', 'mark', 'attendance', 'homework', 'queue_application',
    'organization', 'class', 'staff', 'teaching_assignment', 'lesson', 'guardian_link', 'curriculum_line', 'timetable_entry', 'term',
    'guardian'));
SELECT eduql.capture('eduql.guardians', 'guardian', 'id', '', '', '', 'none');

-- A problem with one row of an import: the message, and the column it is about.
CREATE FUNCTION eduql.import_problem(p_column text, p_message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'EQ422', MESSAGE = p_message, COLUMN = coalesce(p_column, '');
END $$;

-- This database's own mark in the ids it exports ('eduql:<instance>:<id>' for a row no import
-- named): such an id finds its row here again, and means nothing in another database.
CREATE TABLE eduql.instance (
    id     text PRIMARY KEY DEFAULT substr(md5(random()::text || clock_timestamp()::text), 1, 10),
    single boolean NOT NULL DEFAULT true UNIQUE CHECK (single)
);
INSERT INTO eduql.instance DEFAULT VALUES;
GRANT SELECT ON eduql.instance TO eduql_app;

CREATE FUNCTION eduql.own_source(p_row bigint) RETURNS text
LANGUAGE sql STABLE AS $$ SELECT 'eduql:' || i.id || ':' || p_row FROM eduql.instance i $$;

-- The id an export gives a row: the first source id an import gave it, else its own.
CREATE FUNCTION eduql.export_key(p_entity text, p_row bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT min(k.source_id) FROM eduql.import_keys k WHERE k.entity = p_entity AND k.row_id = p_row), eduql.own_source(p_row))
$$;

-- The row a source id names: its import key, or an id this database exported itself for a row
-- that no import named.
CREATE FUNCTION eduql.import_find(p_entity text, p_table regclass, p_source text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    existing bigint;
    own text := (SELECT 'eduql:' || i.id || ':' FROM eduql.instance i);
BEGIN
    IF p_source IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT k.row_id INTO existing FROM eduql.import_keys k
    WHERE k.region_id = eduql.current_region_id() AND k.entity = p_entity AND k.source_id = p_source;
    IF existing IS NULL AND starts_with(p_source, own) AND substr(p_source, length(own) + 1) ~ '^[0-9]{1,18}$' THEN
        EXECUTE format('SELECT t.id FROM %s t WHERE t.id = $1 AND t.region_id = $2 '
                       'AND NOT EXISTS (SELECT 1 FROM eduql.import_keys k WHERE k.entity = $3 AND k.row_id = t.id)', p_table)
            INTO existing USING substr(p_source, length(own) + 1)::bigint, eduql.current_region_id(), p_entity;
    END IF;
    RETURN existing;
END $$;

-- The row a reference column names, or a problem with that column.
CREATE FUNCTION eduql.import_ref(p_entity text, p_table regclass, p_source text, p_column text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    existing bigint := eduql.import_find(p_entity, p_table, p_source);
BEGIN
    IF existing IS NULL AND p_source IS NOT NULL THEN
        PERFORM eduql.import_problem(p_column, format('no %s with id %s, in the files or in your scope', replace(p_entity, '_', ' '), p_source));
    END IF;
    RETURN existing;
END $$;

-- Keeps the source id of a row (but a row's own exported id, which finds it without a key).
CREATE FUNCTION eduql.import_remember(p_entity text, p_source text, p_row bigint, p_municipality bigint, p_organization bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_source IS NULL OR p_source = eduql.own_source(p_row) OR EXISTS (
        SELECT 1 FROM eduql.import_keys k WHERE k.region_id = eduql.current_region_id() AND k.entity = p_entity AND k.source_id = p_source) THEN
        RETURN;
    END IF;
    INSERT INTO eduql.import_keys (region_id, municipality_id, organization_id, entity, source_id, row_id)
    VALUES (eduql.current_region_id(), p_municipality, p_organization, p_entity, p_source, p_row);
EXCEPTION WHEN unique_violation THEN
    -- Only a key the caller's tenancy hides (of another organization) can be in the way.
    PERFORM eduql.import_problem('id', format('the id %s names a record of another organization: ids must be unique in the region', p_source));
END $$;

-- Whether a SNILS belongs to a learner enrolled now at another organization of the region than
-- p_organization (which the caller's tenancy may not show): a yes or no, nothing else.
CREATE FUNCTION eduql.learner_enrolled_elsewhere(p_snils text, p_organization bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    SELECT EXISTS (SELECT 1 FROM eduql.learners l
                   JOIN eduql.enrollments e ON e.learner_id = l.id AND e.status = 'active'
                   WHERE l.region_id = eduql.current_region_id() AND l.snils = p_snils AND l.organization_id <> p_organization)
$$;
REVOKE ALL ON FUNCTION eduql.learner_enrolled_elsewhere(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.learner_enrolled_elsewhere(text, bigint) TO eduql_app;

-- The organization a row names, which must be an active one in the caller's scope.
CREATE FUNCTION eduql.import_organization_of(r jsonb, p_column text) RETURNS eduql.organizations
LANGUAGE plpgsql STABLE AS $$
DECLARE
    org eduql.organizations;
BEGIN
    SELECT * INTO org FROM eduql.organizations WHERE id = eduql.import_ref('organization', 'eduql.organizations', r->>p_column, p_column);
    IF org.id IS NULL THEN
        PERFORM eduql.import_problem(p_column, 'no organization with this id in your scope');
    END IF;
    IF org.status <> 'active' THEN
        PERFORM eduql.import_problem(p_column, 'the organization is closed; its records are read-only');
    END IF;
    RETURN org;
END $$;

CREATE FUNCTION eduql.import_municipality(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    existing eduql.municipalities;
BEGIN
    SELECT * INTO existing FROM eduql.municipalities WHERE oktmo = r->>'oktmo';
    IF existing.id IS NULL THEN
        INSERT INTO eduql.municipalities (region_id, oktmo, name, kind) VALUES (eduql.current_region_id(), r->>'oktmo', r->>'name', r->>'kind');
        RETURN 'created';
    END IF;
    IF existing.region_id <> eduql.current_region_id() THEN
        PERFORM eduql.import_problem('oktmo', 'this OKTMO belongs to a municipality of another region');
    END IF;
    UPDATE eduql.municipalities SET name = r->>'name', kind = r->>'kind'
    WHERE id = existing.id AND (name, kind) IS DISTINCT FROM (r->>'name', r->>'kind');
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE FUNCTION eduql.import_year(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    existing bigint;
BEGIN
    SELECT id INTO existing FROM eduql.academic_years WHERE region_id = eduql.current_region_id() AND name = r->>'name';
    IF existing IS NULL THEN
        INSERT INTO eduql.academic_years (region_id, name, starts_on, ends_on)
        VALUES (eduql.current_region_id(), r->>'name', (r->>'starts_on')::date, (r->>'ends_on')::date);
        RETURN 'created';
    END IF;
    UPDATE eduql.academic_years SET starts_on = (r->>'starts_on')::date, ends_on = (r->>'ends_on')::date
    WHERE id = existing AND (starts_on, ends_on) IS DISTINCT FROM ((r->>'starts_on')::date, (r->>'ends_on')::date);
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE FUNCTION eduql.import_subject(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    existing bigint;
BEGIN
    SELECT id INTO existing FROM eduql.subjects
    WHERE region_id = eduql.current_region_id() AND organization_id IS NULL AND name = r->>'name';
    IF existing IS NULL THEN
        INSERT INTO eduql.subjects (region_id, name, short_name) VALUES (eduql.current_region_id(), r->>'name', r->>'short_name');
        RETURN 'created';
    END IF;
    UPDATE eduql.subjects SET short_name = r->>'short_name' WHERE id = existing AND short_name IS DISTINCT FROM r->>'short_name';
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

-- A subject a row names: the region's directory, or the organization's own elective.
CREATE FUNCTION eduql.import_subject_of(r jsonb, p_organization bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    existing bigint;
BEGIN
    SELECT id INTO existing FROM eduql.subjects
    WHERE region_id = eduql.current_region_id() AND name = r->>'subject' AND (organization_id IS NULL OR organization_id = p_organization)
    ORDER BY organization_id NULLS LAST LIMIT 1;
    IF existing IS NULL THEN
        PERFORM eduql.import_problem('subject', format('no subject named %s in the region''s directory or the school''s electives', r->>'subject'));
    END IF;
    RETURN existing;
END $$;

CREATE FUNCTION eduql.import_organization(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    municipality eduql.municipalities;
    parent bigint := eduql.import_ref('organization', 'eduql.organizations', r->>'parent_id', 'parent_id');
    existing eduql.organizations;
BEGIN
    SELECT * INTO municipality FROM eduql.municipalities WHERE region_id = eduql.current_region_id() AND oktmo = r->>'municipality_oktmo';
    IF municipality.id IS NULL THEN
        PERFORM eduql.import_problem('municipality_oktmo', 'no municipality of the region with this OKTMO');
    END IF;
    SELECT * INTO existing FROM eduql.organizations WHERE id = eduql.import_find('organization', 'eduql.organizations', r->>'id');
    IF existing.id IS NULL THEN
        -- The same legal entity (or branch) under another system's id.
        SELECT * INTO existing FROM eduql.organizations o
        WHERE o.region_id = eduql.current_region_id() AND o.inn = r->>'inn'
          AND CASE WHEN parent IS NULL THEN o.parent_organization_id IS NULL ELSE o.kpp IS NOT DISTINCT FROM r->>'kpp' END
        ORDER BY o.id LIMIT 1;
    END IF;
    IF existing.id IS NULL THEN
        INSERT INTO eduql.organizations (region_id, municipality_id, kind, full_name, short_name, inn, kpp, ogrn, address, head_name, phone,
                                         email, settlement, parent_organization_id)
        VALUES (municipality.region_id, municipality.id, r->>'kind', r->>'full_name', r->>'short_name', r->>'inn', r->>'kpp', r->>'ogrn',
                r->>'address', r->>'head_name', r->>'phone', r->>'email', coalesce(r->>'settlement', 'urban'), parent)
        RETURNING * INTO existing;
        PERFORM eduql.import_remember('organization', r->>'id', existing.id, existing.municipality_id, existing.id);
        RETURN 'created';
    END IF;
    IF existing.status <> 'active' THEN
        PERFORM eduql.import_problem('id', 'the organization is closed; its records are read-only');
    END IF;
    IF existing.municipality_id <> municipality.id THEN
        PERFORM eduql.import_problem('municipality_oktmo', 'the organization belongs to another municipality; an import does not move it');
    END IF;
    IF existing.kind <> r->>'kind' THEN
        PERFORM eduql.import_problem('kind', 'the organization is of another kind; an import does not change it');
    END IF;
    PERFORM eduql.import_remember('organization', r->>'id', existing.id, existing.municipality_id, existing.id);
    UPDATE eduql.organizations SET full_name = r->>'full_name', short_name = r->>'short_name', inn = r->>'inn', kpp = r->>'kpp',
           ogrn = r->>'ogrn', address = r->>'address', head_name = r->>'head_name', phone = r->>'phone', email = r->>'email',
           settlement = coalesce(r->>'settlement', 'urban'), parent_organization_id = parent
    WHERE id = existing.id
      AND (full_name, short_name, inn, kpp, ogrn, address, head_name, phone, email, settlement, parent_organization_id)
          IS DISTINCT FROM (r->>'full_name', r->>'short_name', r->>'inn', r->>'kpp', r->>'ogrn', r->>'address', r->>'head_name', r->>'phone',
                            r->>'email', coalesce(r->>'settlement', 'urban'), parent);
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE FUNCTION eduql.import_staff(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    org eduql.organizations := eduql.import_organization_of(r, 'organization_id');
    existing eduql.staff;
BEGIN
    SELECT * INTO existing FROM eduql.staff WHERE id = eduql.import_find('staff', 'eduql.staff', r->>'id');
    IF existing.id IS NULL AND r->>'snils' IS NOT NULL THEN
        SELECT * INTO existing FROM eduql.staff s
        WHERE s.organization_id = org.id AND s.snils = r->>'snils' AND s.employment = coalesce(r->>'employment', 'main')
          AND s.dismissed_on IS NULL
        LIMIT 1;
    END IF;
    IF existing.id IS NULL THEN
        INSERT INTO eduql.staff (region_id, municipality_id, organization_id, last_name, first_name, middle_name, gender, birth_date, snils,
                                 position, education_level, qualification_category, experience_since, rate, employment, hired_on,
                                 dismissed_on, email, phone)
        VALUES (org.region_id, org.municipality_id, org.id, r->>'last_name', r->>'first_name', r->>'middle_name', r->>'gender',
                (r->>'birth_date')::date, r->>'snils', r->>'position', r->>'education_level', coalesce(r->>'qualification_category', 'none'),
                (r->>'experience_since')::date, coalesce((r->>'rate')::numeric, 1), coalesce(r->>'employment', 'main'),
                (r->>'hired_on')::date, (r->>'dismissed_on')::date, r->>'email', r->>'phone')
        RETURNING * INTO existing;
        PERFORM eduql.import_remember('staff', r->>'id', existing.id, existing.municipality_id, existing.organization_id);
        RETURN 'created';
    END IF;
    IF existing.organization_id <> org.id THEN
        PERFORM eduql.import_problem('organization_id', 'this person works at another organization; an import does not move them');
    END IF;
    PERFORM eduql.import_remember('staff', r->>'id', existing.id, existing.municipality_id, existing.organization_id);
    UPDATE eduql.staff SET last_name = r->>'last_name', first_name = r->>'first_name', middle_name = r->>'middle_name', gender = r->>'gender',
           birth_date = (r->>'birth_date')::date, snils = r->>'snils', position = r->>'position', education_level = r->>'education_level',
           qualification_category = coalesce(r->>'qualification_category', 'none'), experience_since = (r->>'experience_since')::date,
           rate = coalesce((r->>'rate')::numeric, 1), employment = coalesce(r->>'employment', 'main'), hired_on = (r->>'hired_on')::date,
           dismissed_on = (r->>'dismissed_on')::date, email = r->>'email', phone = r->>'phone'
    WHERE id = existing.id
      AND (last_name, first_name, middle_name, gender, birth_date, snils, position, education_level, qualification_category,
           experience_since, rate, employment, hired_on, dismissed_on, email, phone)
          IS DISTINCT FROM (r->>'last_name', r->>'first_name', r->>'middle_name', r->>'gender', (r->>'birth_date')::date, r->>'snils',
                            r->>'position', r->>'education_level', coalesce(r->>'qualification_category', 'none'),
                            (r->>'experience_since')::date, coalesce((r->>'rate')::numeric, 1), coalesce(r->>'employment', 'main'),
                            (r->>'hired_on')::date, (r->>'dismissed_on')::date, r->>'email', r->>'phone');
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE FUNCTION eduql.import_class(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    org eduql.organizations := eduql.import_organization_of(r, 'organization_id');
    v_year bigint;
    homeroom eduql.staff;
    existing eduql.classes;
    v_kind text := coalesce(r->>'kind', CASE WHEN r ? 'age_group' AND r->>'age_group' IS NOT NULL THEN 'group' ELSE 'class' END);
    v_orientation text := CASE WHEN v_kind = 'group' THEN coalesce(r->>'orientation', 'general') END;
    v_age_to smallint := CASE WHEN v_kind = 'group' THEN coalesce((r->>'age_to')::smallint, (r->>'age_group')::smallint) END;
BEGIN
    SELECT id INTO v_year FROM eduql.academic_years WHERE region_id = org.region_id AND name = r->>'year';
    IF v_year IS NULL THEN
        PERFORM eduql.import_problem('year', format('no academic year %s in the region', r->>'year'));
    END IF;
    SELECT * INTO homeroom FROM eduql.staff WHERE id = eduql.import_ref('staff', 'eduql.staff', r->>'homeroom_teacher_id', 'homeroom_teacher_id');
    IF homeroom.id IS NOT NULL AND homeroom.organization_id <> org.id THEN
        PERFORM eduql.import_problem('homeroom_teacher_id', 'the homeroom teacher works at another organization');
    END IF;
    SELECT * INTO existing FROM eduql.classes WHERE id = eduql.import_find('class', 'eduql.classes', r->>'id');
    IF existing.id IS NULL THEN
        SELECT * INTO existing FROM eduql.classes k WHERE k.organization_id = org.id AND k.academic_year_id = v_year AND k.name = r->>'name';
    END IF;
    IF existing.id IS NULL THEN
        INSERT INTO eduql.classes (region_id, municipality_id, organization_id, academic_year_id, kind, grade, age_group, letter, name,
                                   homeroom_teacher_id, shift, programme, adapted_variant, profile, age_to, orientation, compensating_kind,
                                   short_stay, capacity)
        VALUES (org.region_id, org.municipality_id, org.id, v_year, v_kind, (r->>'grade')::smallint, (r->>'age_group')::smallint, r->>'letter',
                r->>'name', homeroom.id, coalesce((r->>'shift')::smallint, 1), coalesce(r->>'programme', 'general'), r->>'adapted_variant',
                r->>'profile', v_age_to, v_orientation, r->>'compensating_kind', coalesce((r->>'short_stay')::boolean, false),
                (r->>'capacity')::integer)
        RETURNING * INTO existing;
        PERFORM eduql.import_remember('class', r->>'id', existing.id, existing.municipality_id, existing.organization_id);
        RETURN 'created';
    END IF;
    IF existing.organization_id <> org.id OR existing.academic_year_id <> v_year THEN
        PERFORM eduql.import_problem('organization_id', 'this class belongs to another organization or year; an import does not move it');
    END IF;
    PERFORM eduql.import_remember('class', r->>'id', existing.id, existing.municipality_id, existing.organization_id);
    UPDATE eduql.classes k SET kind = r_kind, grade = r_grade, age_group = r_age_group, letter = r_letter, name = r_name,
           homeroom_teacher_id = homeroom.id, shift = r_shift, programme = r_programme, adapted_variant = r_variant, profile = r_profile,
           age_to = r_age_to, orientation = r_orientation, compensating_kind = r_compensating, short_stay = r_short, capacity = r_capacity
    FROM (SELECT v_kind AS r_kind, (r->>'grade')::smallint AS r_grade, (r->>'age_group')::smallint AS r_age_group, r->>'letter' AS r_letter,
                 r->>'name' AS r_name, coalesce((r->>'shift')::smallint, 1) AS r_shift, coalesce(r->>'programme', 'general') AS r_programme,
                 r->>'adapted_variant' AS r_variant, r->>'profile' AS r_profile, v_age_to AS r_age_to, v_orientation AS r_orientation,
                 r->>'compensating_kind' AS r_compensating, coalesce((r->>'short_stay')::boolean, false) AS r_short,
                 (r->>'capacity')::integer AS r_capacity) n
    WHERE k.id = existing.id
      AND (k.kind, k.grade, k.age_group, k.letter, k.name, k.homeroom_teacher_id, k.shift, k.programme, k.adapted_variant, k.profile,
           k.age_to, k.orientation, k.compensating_kind, k.short_stay, k.capacity)
          IS DISTINCT FROM (r_kind, r_grade, r_age_group, r_letter, r_name, homeroom.id, r_shift, r_programme, r_variant, r_profile,
                            r_age_to, r_orientation, r_compensating, r_short, r_capacity);
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE FUNCTION eduql.import_learner(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    org eduql.organizations := eduql.import_organization_of(r, 'organization_id');
    existing eduql.learners;
BEGIN
    SELECT * INTO existing FROM eduql.learners WHERE id = eduql.import_find('learner', 'eduql.learners', r->>'id');
    IF existing.id IS NULL AND r->>'snils' IS NOT NULL THEN
        -- The same person under another system's id: matched by SNILS, never duplicated.
        SELECT * INTO existing FROM eduql.learners l WHERE l.region_id = org.region_id AND l.snils = r->>'snils' ORDER BY l.id LIMIT 1;
        IF existing.id IS NULL AND eduql.learner_enrolled_elsewhere(r->>'snils', org.id) THEN
            PERFORM eduql.import_problem('snils', 'a learner with this SNILS is enrolled at another organization: transfer them instead');
        END IF;
    END IF;
    IF existing.id IS NULL THEN
        INSERT INTO eduql.learners (region_id, municipality_id, organization_id, last_name, first_name, middle_name, gender, birth_date, snils,
                                    address, health_group)
        VALUES (org.region_id, org.municipality_id, org.id, r->>'last_name', r->>'first_name', r->>'middle_name', r->>'gender',
                (r->>'birth_date')::date, r->>'snils', r->>'address', (r->>'health_group')::smallint)
        RETURNING * INTO existing;
        PERFORM eduql.import_remember('learner', r->>'id', existing.id, existing.municipality_id, existing.organization_id);
        RETURN 'created';
    END IF;
    IF existing.organization_id <> org.id THEN
        PERFORM eduql.import_problem(CASE WHEN existing.snils = r->>'snils' THEN 'snils' ELSE 'organization_id' END,
                                     'this learner is at another organization: transfer them instead');
    END IF;
    PERFORM eduql.import_remember('learner', r->>'id', existing.id, existing.municipality_id, existing.organization_id);
    UPDATE eduql.learners SET last_name = r->>'last_name', first_name = r->>'first_name', middle_name = r->>'middle_name',
           gender = r->>'gender', birth_date = (r->>'birth_date')::date, snils = r->>'snils', address = r->>'address',
           health_group = (r->>'health_group')::smallint
    WHERE id = existing.id
      AND (last_name, first_name, middle_name, gender, birth_date, snils, address, health_group)
          IS DISTINCT FROM (r->>'last_name', r->>'first_name', r->>'middle_name', r->>'gender', (r->>'birth_date')::date, r->>'snils',
                            r->>'address', (r->>'health_group')::smallint);
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE FUNCTION eduql.import_guardian(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    existing eduql.guardians;
BEGIN
    SELECT * INTO existing FROM eduql.guardians WHERE id = eduql.import_find('guardian', 'eduql.guardians', r->>'id');
    IF existing.id IS NULL AND r->>'snils' IS NOT NULL THEN
        SELECT * INTO existing FROM eduql.guardians g WHERE g.region_id = eduql.current_region_id() AND g.snils = r->>'snils' ORDER BY g.id LIMIT 1;
    END IF;
    IF existing.id IS NULL THEN
        INSERT INTO eduql.guardians (region_id, last_name, first_name, middle_name, phone, email, snils, address)
        VALUES (eduql.current_region_id(), r->>'last_name', r->>'first_name', r->>'middle_name', r->>'phone', r->>'email', r->>'snils',
                r->>'address')
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
           phone = r->>'phone', email = r->>'email', snils = r->>'snils', address = r->>'address'
    WHERE id = existing.id
      AND (last_name, first_name, middle_name, phone, email, snils, address)
          IS DISTINCT FROM (r->>'last_name', r->>'first_name', r->>'middle_name', r->>'phone', r->>'email', r->>'snils', r->>'address');
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE FUNCTION eduql.import_guardian_link(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    guardian eduql.guardians;
    learner eduql.learners;
BEGIN
    SELECT * INTO guardian FROM eduql.guardians WHERE id = eduql.import_ref('guardian', 'eduql.guardians', r->>'guardian_id', 'guardian_id');
    SELECT * INTO learner FROM eduql.learners WHERE id = eduql.import_ref('learner', 'eduql.learners', r->>'learner_id', 'learner_id');
    IF guardian.snils IS NOT NULL AND guardian.snils = learner.snils THEN
        PERFORM eduql.import_problem('guardian_id', 'a guardian cannot be linked to themselves (the same SNILS as the learner)');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM eduql.guardian_learners WHERE guardian_id = guardian.id AND learner_id = learner.id) THEN
        INSERT INTO eduql.guardian_learners (region_id, guardian_id, learner_id, relation, consent_on)
        VALUES (learner.region_id, guardian.id, learner.id, r->>'relation', (r->>'consent_on')::date);
        RETURN 'created';
    END IF;
    UPDATE eduql.guardian_learners SET relation = r->>'relation', consent_on = (r->>'consent_on')::date
    WHERE guardian_id = guardian.id AND learner_id = learner.id
      AND (relation, consent_on) IS DISTINCT FROM (r->>'relation', (r->>'consent_on')::date);
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE FUNCTION eduql.import_enrollment(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    learner eduql.learners;
    class eduql.classes;
    existing eduql.enrollments;
    v_status text := coalesce(r->>'status', CASE WHEN r->>'left_on' IS NULL THEN 'active' END);
BEGIN
    SELECT * INTO learner FROM eduql.learners WHERE id = eduql.import_ref('learner', 'eduql.learners', r->>'learner_id', 'learner_id');
    SELECT * INTO class FROM eduql.classes WHERE id = eduql.import_ref('class', 'eduql.classes', r->>'class_id', 'class_id');
    IF (v_status = 'active') IS DISTINCT FROM (r->>'left_on' IS NULL) THEN
        PERFORM eduql.import_problem('status', 'an enrollment is active exactly while it has no day of leaving (left_on)');
    END IF;
    IF v_status = 'active' AND class.organization_id <> learner.organization_id THEN
        PERFORM eduql.import_problem('class_id', 'the class is of another organization than the learner''s');
    END IF;
    SELECT * INTO existing FROM eduql.enrollments WHERE id = eduql.import_find('enrollment', 'eduql.enrollments', r->>'id');
    IF existing.id IS NULL THEN
        SELECT * INTO existing FROM eduql.enrollments e
        WHERE e.learner_id = learner.id AND e.class_id = class.id AND e.enrolled_on = (r->>'enrolled_on')::date;
    END IF;
    IF existing.id IS NULL THEN
        INSERT INTO eduql.enrollments (region_id, municipality_id, organization_id, learner_id, class_id, academic_year_id, enrolled_on, left_on,
                                       status, repeats_grade)
        VALUES (class.region_id, class.municipality_id, class.organization_id, learner.id, class.id, class.academic_year_id,
                (r->>'enrolled_on')::date, (r->>'left_on')::date, v_status, coalesce((r->>'repeats_grade')::boolean, false))
        RETURNING * INTO existing;
        PERFORM eduql.import_remember('enrollment', r->>'id', existing.id, existing.municipality_id, existing.organization_id);
        RETURN 'created';
    END IF;
    IF existing.learner_id <> learner.id THEN
        PERFORM eduql.import_problem('learner_id', 'this enrollment is of another learner');
    END IF;
    PERFORM eduql.import_remember('enrollment', r->>'id', existing.id, existing.municipality_id, existing.organization_id);
    UPDATE eduql.enrollments SET class_id = class.id, organization_id = class.organization_id, municipality_id = class.municipality_id,
           academic_year_id = class.academic_year_id, enrolled_on = (r->>'enrolled_on')::date, left_on = (r->>'left_on')::date,
           status = v_status, repeats_grade = coalesce((r->>'repeats_grade')::boolean, false)
    WHERE id = existing.id
      AND (class_id, enrolled_on, left_on, status, repeats_grade)
          IS DISTINCT FROM (class.id, (r->>'enrolled_on')::date, (r->>'left_on')::date, v_status,
                            coalesce((r->>'repeats_grade')::boolean, false));
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE FUNCTION eduql.import_teaching_assignment(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    teacher eduql.staff;
    class eduql.classes;
    subject bigint;
    existing eduql.teaching_assignments;
BEGIN
    SELECT * INTO teacher FROM eduql.staff WHERE id = eduql.import_ref('staff', 'eduql.staff', r->>'staff_id', 'staff_id');
    SELECT * INTO class FROM eduql.classes WHERE id = eduql.import_ref('class', 'eduql.classes', r->>'class_id', 'class_id');
    IF teacher.organization_id <> class.organization_id THEN
        PERFORM eduql.import_problem('staff_id', 'the teacher works at another organization than the class''s');
    END IF;
    subject := eduql.import_subject_of(r, class.organization_id);
    SELECT * INTO existing FROM eduql.teaching_assignments WHERE id = eduql.import_find('teaching_assignment', 'eduql.teaching_assignments', r->>'id');
    IF existing.id IS NULL THEN
        SELECT * INTO existing FROM eduql.teaching_assignments t
        WHERE t.staff_id = teacher.id AND t.class_id = class.id AND t.subject_id = subject
          AND t.starts_on IS NOT DISTINCT FROM (r->>'starts_on')::date;
    END IF;
    IF existing.id IS NULL THEN
        INSERT INTO eduql.teaching_assignments (region_id, municipality_id, organization_id, staff_id, class_id, subject_id, academic_year_id,
                                                weekly_hours, starts_on, ends_on)
        VALUES (class.region_id, class.municipality_id, class.organization_id, teacher.id, class.id, subject, class.academic_year_id,
                (r->>'weekly_hours')::numeric, (r->>'starts_on')::date, (r->>'ends_on')::date)
        RETURNING * INTO existing;
        PERFORM eduql.import_remember('teaching_assignment', r->>'id', existing.id, existing.municipality_id, existing.organization_id);
        RETURN 'created';
    END IF;
    PERFORM eduql.import_remember('teaching_assignment', r->>'id', existing.id, existing.municipality_id, existing.organization_id);
    UPDATE eduql.teaching_assignments SET staff_id = teacher.id, class_id = class.id, subject_id = subject,
           organization_id = class.organization_id, municipality_id = class.municipality_id, academic_year_id = class.academic_year_id,
           weekly_hours = (r->>'weekly_hours')::numeric, starts_on = (r->>'starts_on')::date, ends_on = (r->>'ends_on')::date
    WHERE id = existing.id
      AND (staff_id, class_id, subject_id, weekly_hours, starts_on, ends_on)
          IS DISTINCT FROM (teacher.id, class.id, subject, (r->>'weekly_hours')::numeric, (r->>'starts_on')::date, (r->>'ends_on')::date);
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE FUNCTION eduql.import_timetable_entry(r jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    class eduql.classes;
    teacher eduql.staff;
    subject bigint;
    existing eduql.timetable_entries;
BEGIN
    SELECT * INTO class FROM eduql.classes WHERE id = eduql.import_ref('class', 'eduql.classes', r->>'class_id', 'class_id');
    SELECT * INTO teacher FROM eduql.staff WHERE id = eduql.import_ref('staff', 'eduql.staff', r->>'teacher_id', 'teacher_id');
    IF teacher.organization_id <> class.organization_id THEN
        PERFORM eduql.import_problem('teacher_id', 'the teacher works at another organization than the class''s');
    END IF;
    subject := eduql.import_subject_of(r, class.organization_id);
    SELECT * INTO existing FROM eduql.timetable_entries t
    WHERE t.class_id = class.id AND t.weekday = (r->>'weekday')::smallint AND t.period = (r->>'period')::smallint;
    IF existing.id IS NULL THEN
        INSERT INTO eduql.timetable_entries (region_id, municipality_id, organization_id, class_id, weekday, period, subject_id, teacher_id, room)
        VALUES (class.region_id, class.municipality_id, class.organization_id, class.id, (r->>'weekday')::smallint, (r->>'period')::smallint,
                subject, teacher.id, r->>'room');
        RETURN 'created';
    END IF;
    UPDATE eduql.timetable_entries SET subject_id = subject, teacher_id = teacher.id, room = r->>'room'
    WHERE id = existing.id AND (subject_id, teacher_id, room) IS DISTINCT FROM (subject, teacher.id, r->>'room');
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

-- Imports a batch of rows of one entity (a JSON array of objects, each with its '_line'): one
-- row per input row with what became of it ('created', 'updated', 'unchanged') or 'problem' with
-- the column and the message. A row with a problem writes nothing (its own subtransaction); the
-- caller rolls the whole import back if any row had one.
CREATE FUNCTION eduql.import_rows(p_entity text, p_rows jsonb)
RETURNS TABLE (line integer, outcome text, column_name text, problem text)
LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
    message text;
    state text;
    constraint_name text;
    column_named text;
BEGIN
    FOR r IN SELECT value FROM jsonb_array_elements(p_rows) LOOP
        line := (r->>'_line')::integer;
        column_name := NULL;
        problem := NULL;
        BEGIN
            outcome := CASE p_entity
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
            IF outcome IS NULL THEN
                RAISE EXCEPTION 'unknown import entity %', p_entity;
            END IF;
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

-- The rollover of one organization from one academic year to the next: per active enrollment of
-- the old year, what becomes of its learner — 'promote' to the next grade's class (or the next
-- age's group), 'repeat' the grade, 'graduate' from the organization's last grade, 'release' a
-- child leaving the kindergarten for school — with the class it goes to.
CREATE FUNCTION eduql.rollover_plan(p_organization bigint, p_from bigint)
RETURNS TABLE (enrollment_id bigint, learner_id bigint, from_class_id bigint, action text, to_name text, to_grade smallint,
               to_age_group smallint, to_age_to smallint, source_class_id bigint)
LANGUAGE sql STABLE AS $$
    WITH final AS (
        SELECT max(k.grade) AS grade FROM eduql.classes k
        WHERE k.organization_id = p_organization AND k.academic_year_id = p_from AND k.kind = 'class'
    )
    SELECT e.id, e.learner_id, k.id, s.action,
           CASE s.action
               WHEN 'promote' THEN CASE WHEN k.kind = 'class' AND k.name ~ ('^' || k.grade || '(\D|$)')
                                        THEN (k.grade + 1) || substr(k.name, length(k.grade::text) + 1)
                                        WHEN k.kind = 'class' THEN (k.grade + 1) || coalesce(k.letter, '') ELSE k.name END
               WHEN 'repeat' THEN k.name END,
           CASE WHEN k.kind = 'class' THEN k.grade + CASE s.action WHEN 'promote' THEN 1 ELSE 0 END END::smallint,
           CASE WHEN k.kind = 'group' THEN k.age_group + 1 END::smallint,
           CASE WHEN k.kind = 'group' THEN least(8, coalesce(k.age_to, k.age_group) + 1) END::smallint,
           k.id
    FROM eduql.enrollments e
    JOIN eduql.classes k ON k.id = e.class_id
    CROSS JOIN final
    CROSS JOIN LATERAL (SELECT CASE
        WHEN k.kind = 'group' AND coalesce(k.age_to, k.age_group) >= 7 THEN 'release'
        WHEN k.kind = 'group' THEN 'promote'
        WHEN e.repeats_grade THEN 'repeat'
        WHEN k.grade >= final.grade THEN 'graduate'
        ELSE 'promote' END AS action) s
    WHERE k.organization_id = p_organization AND k.academic_year_id = p_from AND e.status = 'active'
$$;

-- Why an organization's year cannot be closed yet: the number of (learner, subject) pairs of its
-- classes without a year mark; 0 when every final mark is recorded.
CREATE FUNCTION eduql.unrecorded_final_marks(p_organization bigint, p_from bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM eduql.enrollments e
    JOIN eduql.classes k ON k.id = e.class_id AND k.kind = 'class'
    CROSS JOIN LATERAL (SELECT DISTINCT t.subject_id FROM eduql.teaching_assignments t WHERE t.class_id = k.id) t
    WHERE e.organization_id = p_organization AND e.academic_year_id = p_from AND e.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM eduql.marks m WHERE m.learner_id = e.learner_id AND m.class_id = k.id AND m.subject_id = t.subject_id
                      AND m.kind = 'year')
$$;

-- Rolls one organization over from year p_from to year p_to on p_to's first day: new class rows
-- for the new year (the old classes, their journal and final marks stay as they are), learners
-- moved into them, graduates and kindergarten leavers released with a movement and the order's
-- number, repeaters kept in their grade; teaching assignments and the timetable copied when
-- asked. Idempotent: a second run finds no active enrollment of the old year and creates no
-- class twice (classes.promoted_from_id). Refused while final marks are missing, unless
-- p_override gives a reason.
CREATE FUNCTION eduql.rollover_organization(p_organization bigint, p_from bigint, p_to bigint, p_order text, p_copy_assignments boolean,
                                            p_copy_timetable boolean, p_override text)
RETURNS TABLE (promoted integer, repeated integer, graduated integer, released integer, classes_created integer)
LANGUAGE plpgsql AS $$
DECLARE
    org eduql.organizations;
    old_year eduql.academic_years;
    new_year eduql.academic_years;
    missing bigint;
BEGIN
    SELECT * INTO org FROM eduql.organizations WHERE id = p_organization FOR UPDATE;
    SELECT * INTO old_year FROM eduql.academic_years WHERE id = p_from;
    SELECT * INTO new_year FROM eduql.academic_years WHERE id = p_to;
    IF org.id IS NULL OR old_year.id IS NULL OR new_year.id IS NULL OR old_year.region_id <> org.region_id OR new_year.region_id <> org.region_id THEN
        RAISE EXCEPTION 'organization or academic year not existing' USING ERRCODE = 'EQ404';
    END IF;
    IF new_year.starts_on <= old_year.starts_on THEN
        PERFORM eduql.import_problem('toYear', 'the new academic year must begin after the old one');
    END IF;
    missing := eduql.unrecorded_final_marks(p_organization, p_from);
    IF missing > 0 AND p_override IS NULL THEN
        PERFORM eduql.import_problem('override', format('%s final (year) marks of %s are not recorded; record them, or roll over with an override and its reason',
                                                        missing, old_year.name));
    END IF;
    CREATE TEMP TABLE rollover ON COMMIT DROP AS SELECT * FROM eduql.rollover_plan(p_organization, p_from);
    -- New classes: one successor per old class with learners to promote (or a class of the same grade for repeaters).
    CREATE TEMP TABLE successors (from_class_id bigint, action text, class_id bigint, created boolean) ON COMMIT DROP;
    INSERT INTO successors
    SELECT DISTINCT r.source_class_id, r.action, NULL::bigint, false FROM rollover r WHERE r.action IN ('promote', 'repeat');
    -- A class of the new year promoted from this one already, or of the same name.
    UPDATE successors s SET class_id = k.id FROM eduql.classes k
    WHERE s.action = 'promote' AND k.promoted_from_id = s.from_class_id;
    UPDATE successors s SET class_id = k.id FROM eduql.classes k, eduql.classes old, rollover r
    WHERE s.class_id IS NULL AND old.id = s.from_class_id AND r.source_class_id = s.from_class_id AND r.action = s.action
      AND k.organization_id = p_organization AND k.academic_year_id = p_to AND k.name = r.to_name;
    WITH made AS (
        INSERT INTO eduql.classes (region_id, municipality_id, organization_id, academic_year_id, kind, grade, age_group, letter, name,
                                   homeroom_teacher_id, shift, programme, adapted_variant, profile, age_to, orientation, compensating_kind,
                                   short_stay, capacity, promoted_from_id)
        SELECT DISTINCT ON (s.from_class_id, s.action)
               old.region_id, old.municipality_id, old.organization_id, p_to, old.kind, r.to_grade, r.to_age_group, old.letter, r.to_name,
               (SELECT h.id FROM eduql.staff h WHERE h.id = old.homeroom_teacher_id AND h.dismissed_on IS NULL), old.shift, old.programme,
               old.adapted_variant, old.profile, r.to_age_to, old.orientation, old.compensating_kind, old.short_stay, old.capacity,
               CASE WHEN s.action = 'promote' THEN old.id END
        FROM successors s JOIN eduql.classes old ON old.id = s.from_class_id
        JOIN rollover r ON r.source_class_id = s.from_class_id AND r.action = s.action
        WHERE s.class_id IS NULL
        ORDER BY s.from_class_id, s.action
        ON CONFLICT (organization_id, academic_year_id, name) DO NOTHING
        RETURNING id, promoted_from_id, name
    )
    UPDATE successors s SET class_id = m.id, created = true FROM made m, rollover r
    WHERE s.class_id IS NULL AND r.source_class_id = s.from_class_id AND r.action = s.action AND m.name = r.to_name;
    -- The old enrollments end on the new year's first day; graduates and leavers with a movement.
    UPDATE eduql.enrollments e SET left_on = greatest(e.enrolled_on, new_year.starts_on),
           status = CASE WHEN r.action IN ('graduate', 'release') THEN 'graduated' ELSE 'promoted' END
    FROM rollover r WHERE e.id = r.enrollment_id;
    INSERT INTO eduql.movements (region_id, municipality_id, organization_id, learner_id, enrollment_id, kind, occurred_on, order_number,
                                 reason, class_id)
    SELECT e.region_id, e.municipality_id, e.organization_id, e.learner_id, e.id, 'graduated', e.left_on, p_order,
           concat_ws('; ', CASE r.action WHEN 'graduate' THEN 'completed ' || old_year.name ELSE 'left the kindergarten for school' END,
                     'override: ' || p_override),
           e.class_id
    FROM rollover r JOIN eduql.enrollments e ON e.id = r.enrollment_id WHERE r.action IN ('graduate', 'release');
    INSERT INTO eduql.enrollments (region_id, municipality_id, organization_id, learner_id, class_id, academic_year_id, enrolled_on, status)
    SELECT k.region_id, k.municipality_id, k.organization_id, r.learner_id, k.id, p_to, new_year.starts_on, 'active'
    FROM rollover r JOIN successors s ON s.from_class_id = r.source_class_id AND s.action = r.action JOIN eduql.classes k ON k.id = s.class_id;
    IF p_copy_assignments THEN
        INSERT INTO eduql.teaching_assignments (region_id, municipality_id, organization_id, staff_id, class_id, subject_id, academic_year_id,
                                                weekly_hours)
        SELECT t.region_id, t.municipality_id, t.organization_id, t.staff_id, s.class_id, t.subject_id, p_to, t.weekly_hours
        FROM successors s JOIN eduql.teaching_assignments t ON t.class_id = s.from_class_id AND t.ends_on IS NULL
        JOIN eduql.staff h ON h.id = t.staff_id AND h.dismissed_on IS NULL
        WHERE s.created AND s.action = 'promote'
        ON CONFLICT DO NOTHING;
    END IF;
    IF p_copy_timetable THEN
        INSERT INTO eduql.timetable_entries (region_id, municipality_id, organization_id, class_id, weekday, period, subject_id, teacher_id, room)
        SELECT t.region_id, t.municipality_id, t.organization_id, s.class_id, t.weekday, t.period, t.subject_id, t.teacher_id, t.room
        FROM successors s JOIN eduql.timetable_entries t ON t.class_id = s.from_class_id
        JOIN eduql.staff h ON h.id = t.teacher_id AND h.dismissed_on IS NULL
        WHERE s.created AND s.action = 'promote'
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN QUERY SELECT
        (SELECT count(*) FILTER (WHERE r.action = 'promote') FROM rollover r)::integer,
        (SELECT count(*) FILTER (WHERE r.action = 'repeat') FROM rollover r)::integer,
        (SELECT count(*) FILTER (WHERE r.action = 'graduate') FROM rollover r)::integer,
        (SELECT count(*) FILTER (WHERE r.action = 'release') FROM rollover r)::integer,
        (SELECT count(*) FILTER (WHERE s.created) FROM successors s)::integer;
    DROP TABLE rollover;
    DROP TABLE successors;
END $$;
