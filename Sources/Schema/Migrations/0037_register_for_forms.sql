-- What the statistical forms count that the register did not hold (issue «statistical forms»):
-- learners' disabilities (ОВЗ by impairment, инвалидность) and second citizenship; classes
-- taught together (классы-комплекты), an adapted programme's length and a first additional
-- class; kindergarten groups for care only and family groups; staff by post. The forms'
-- datasets and definitions follow.

-- Learners. An impairment (ОВЗ) as the ПМПК stated it, and a disabled child's status: both
-- health data, withheld like the health group. A second citizenship only beside the Russian one.
ALTER TABLE eduql.learners
    ADD COLUMN health_limitation text CHECK (health_limitation IN ('deaf', 'hard_of_hearing', 'blind', 'low_vision', 'speech',
        'severe_speech', 'musculoskeletal', 'delayed_development', 'autism', 'intellectual', 'complex', 'other')),
    ADD COLUMN disabled boolean NOT NULL DEFAULT false,
    ADD COLUMN second_citizenship text CHECK (second_citizenship ~ '^[A-Z]{3}$' AND second_citizenship <> 'RUS'),
    ADD CHECK (second_citizenship IS NULL OR citizenship = 'RUS');
COMMENT ON COLUMN eduql.learners.health_limitation IS 'sensitive';
COMMENT ON COLUMN eduql.learners.disabled IS 'sensitive';
COMMENT ON COLUMN eduql.learners.citizenship IS 'sensitive';
COMMENT ON COLUMN eduql.learners.second_citizenship IS 'sensitive';

-- Classes. Classes of one school's year marked with the same combined class are taught
-- together as one class-complex; an adapted programme's length in years; a first additional
-- class (1 доп.) of a prolonged adapted programme, in its first or second year.
ALTER TABLE eduql.classes
    ADD COLUMN combined_class text CHECK (length(combined_class) BETWEEN 1 AND 50),
    ADD COLUMN adapted_years smallint CHECK (adapted_years BETWEEN 4 AND 13),
    ADD COLUMN additional_year smallint CHECK (additional_year IN (1, 2)),
    ADD CHECK (kind = 'class' OR (combined_class IS NULL AND adapted_years IS NULL AND additional_year IS NULL)),
    ADD CHECK (programme = 'adapted' OR (adapted_years IS NULL AND additional_year IS NULL)),
    ADD CHECK (additional_year IS NULL OR grade = 1);
CREATE INDEX ON eduql.classes (organization_id, academic_year_id, combined_class) WHERE combined_class IS NOT NULL;
-- An adapted variant's usual length (ФГОС НОО ОВЗ: X.1 as long as the general programme, the
-- others prolonged by a year; intellectual disability nine years).
CREATE FUNCTION eduql.adapted_years_of(p_variant text) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_variant LIKE '9.%' THEN 9 WHEN p_variant LIKE '%.1' THEN 4 ELSE 5 END::smallint
$$;

-- An adapted class's length defaults to its variant's usual one; a class leaving an adapted
-- programme drops both (given without one, the table's checks refuse them). One rule for every path that writes classes (API, import, seed).
CREATE FUNCTION eduql.classes_adapted_defaults() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.programme = 'adapted' THEN
        NEW.adapted_years := coalesce(NEW.adapted_years, eduql.adapted_years_of(NEW.adapted_variant));
    ELSIF TG_OP = 'UPDATE' AND OLD.programme = 'adapted' THEN
        NEW.adapted_years := NULL;
        NEW.additional_year := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER classes_adapted_defaults BEFORE INSERT OR UPDATE OF programme, adapted_variant, adapted_years, additional_year
    ON eduql.classes FOR EACH ROW EXECUTE FUNCTION eduql.classes_adapted_defaults();
-- Adapted classes before this migration: the variant's usual length.
UPDATE eduql.classes SET adapted_years = eduql.adapted_years_of(adapted_variant) WHERE programme = 'adapted';

-- Groups for care only (присмотр и уход) and family groups.
ALTER TABLE eduql.classes DROP CONSTRAINT classes_orientation_check;
ALTER TABLE eduql.classes ADD CONSTRAINT classes_orientation_check
    CHECK (orientation IN ('general', 'compensating', 'combined', 'health', 'care', 'family'));

-- Staff by post, as the forms count them; filled from the position's wording when not given.
CREATE FUNCTION eduql.staff_post_of(p_position text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_position ~* 'хозяйств|завхоз|бухгалтер|сторож|уборщ|дворник|повар|кухон|рабоч|водител|кастелян|прачк|охран' THEN 'service'
        WHEN p_position ~* 'помощник воспитател|младш\S* воспитател|лаборант|библиотек|секретар|диспетчер' THEN 'support'
        WHEN p_position ~* '^\s*(директор|заведующ|руководител[ья] (организации|филиала))' THEN 'head'
        WHEN p_position ~* 'заместител' THEN 'deputy_head'
        WHEN p_position ~* 'логопед' THEN 'speech_therapist'
        WHEN p_position ~* 'дефектолог|олигофренопедагог|сурдопедагог|тифлопедагог' THEN 'defectologist'
        WHEN p_position ~* 'психолог' THEN 'psychologist'
        WHEN p_position ~* 'социальн\S* педагог' THEN 'social_pedagogue'
        WHEN p_position ~* 'дополнительного образования' THEN 'additional_education'
        WHEN p_position ~* 'тьютор' THEN 'tutor'
        WHEN p_position ~* 'музыкальн\S* руководител' THEN 'music_director'
        WHEN p_position ~* 'инструктор по физ' THEN 'physical_instructor'
        WHEN p_position ~* 'педагог-организатор' THEN 'teacher_organizer'
        WHEN p_position ~* 'советник' THEN 'counsellor'
        WHEN p_position ~* 'воспитател' THEN 'educator'
        WHEN p_position ~* 'учител|преподавател' THEN 'teacher'
        WHEN p_position ~* 'педагог|методист|вожат' THEN 'other_pedagogical'
        ELSE 'service' END
$$;

ALTER TABLE eduql.staff ADD COLUMN post_category text CHECK (post_category IN ('head', 'deputy_head', 'teacher', 'educator',
    'psychologist', 'speech_therapist', 'defectologist', 'social_pedagogue', 'additional_education', 'tutor', 'music_director',
    'physical_instructor', 'teacher_organizer', 'counsellor', 'other_pedagogical', 'support', 'service'));
UPDATE eduql.staff SET post_category = eduql.staff_post_of(position);
ALTER TABLE eduql.staff ALTER COLUMN post_category SET NOT NULL;

CREATE FUNCTION eduql.staff_post_default() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.post_category := coalesce(NEW.post_category, eduql.staff_post_of(NEW.position));
    RETURN NEW;
END $$;
CREATE TRIGGER staff_post_default BEFORE INSERT OR UPDATE OF position, post_category ON eduql.staff
    FOR EACH ROW EXECUTE FUNCTION eduql.staff_post_default();

-- Pedagogical posts (педагогические работники), as the forms count them.
CREATE FUNCTION eduql.pedagogical_post(p_post text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_post IN ('teacher', 'educator', 'psychologist', 'speech_therapist', 'defectologist', 'social_pedagogue', 'additional_education',
                      'tutor', 'music_director', 'physical_instructor', 'teacher_organizer', 'counsellor', 'other_pedagogical')
$$;

-- A group's kind of impairment is free text; the forms count it by code, read from the codes
-- or from the usual Russian wording; what is not recognised counts as "other".
CREATE FUNCTION eduql.impairment_of(p_kind text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_kind IS NULL THEN NULL
        WHEN p_kind IN ('hearing', 'speech', 'severe_speech', 'vision', 'intellectual', 'delayed_development', 'autism', 'musculoskeletal',
                        'complex', 'other') THEN p_kind
        WHEN p_kind ~* 'сложн|множеств' THEN 'complex'
        WHEN p_kind ~* 'аутис|рас\M' THEN 'autism'
        WHEN p_kind ~* 'слух|глух' THEN 'hearing'
        WHEN p_kind ~* 'тяж\S* нарушени\S* речи|тнр' THEN 'severe_speech'
        WHEN p_kind ~* 'реч|логопед' THEN 'speech'
        WHEN p_kind ~* 'зрени|слеп|слабовид' THEN 'vision'
        WHEN p_kind ~* 'умствен|интеллект' THEN 'intellectual'
        WHEN p_kind ~* 'задержк|зпр' THEN 'delayed_development'
        WHEN p_kind ~* 'опорно|нода' THEN 'musculoskeletal'
        ELSE 'other' END
$$;

-- The datasets, with what they now count.
DROP FUNCTION eduql.form_learners(bigint, date);
CREATE FUNCTION eduql.form_learners(p_organization bigint, p_on date)
RETURNS TABLE (id bigint, label text, grade int, gender text, age int, programme text, adapted_variant text, adapted_years int,
               citizenship text, second_citizenship text, health_limitation text, disabled boolean, repeats boolean)
LANGUAGE sql STABLE AS $$
    SELECT l.id, l.last_name || ' ' || l.first_name || ' (' || k.name || ')', k.grade, l.gender,
           date_part('year', age(make_date(extract(year FROM p_on)::int + 1, 1, 1), l.birth_date))::int,
           k.programme, k.adapted_variant, k.adapted_years, l.citizenship, l.second_citizenship, l.health_limitation, l.disabled,
           e.repeats_grade
    FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.learners l ON l.id = e.learner_id
    WHERE k.organization_id = p_organization AND k.kind = 'class'
      AND e.enrolled_on <= p_on AND (e.left_on IS NULL OR e.left_on > p_on)
$$;

DROP FUNCTION eduql.form_classes(bigint, date);
CREATE FUNCTION eduql.form_classes(p_organization bigint, p_on date)
RETURNS TABLE (id bigint, label text, grade int, programme text, adapted_variant text, adapted_years int, additional_year int,
               combined_class text, rural boolean, learners int, girls int)
LANGUAGE sql STABLE AS $$
    SELECT k.id, k.name, k.grade, k.programme, k.adapted_variant, k.adapted_years, k.additional_year, k.combined_class,
           o.settlement = 'rural', count(e.id)::int, count(e.id) FILTER (WHERE l.gender = 'female')::int
    FROM eduql.classes k JOIN eduql.academic_years y ON y.id = k.academic_year_id JOIN eduql.organizations o ON o.id = k.organization_id
    LEFT JOIN eduql.enrollments e ON e.class_id = k.id AND e.enrolled_on <= p_on AND (e.left_on IS NULL OR e.left_on > p_on)
    LEFT JOIN eduql.learners l ON l.id = e.learner_id
    WHERE k.organization_id = p_organization AND k.kind = 'class' AND p_on BETWEEN y.starts_on AND y.ends_on
    GROUP BY k.id, o.settlement
$$;

-- Class units: a class taught alone, or the classes of one class-complex together; graded by
-- their senior class.
CREATE FUNCTION eduql.form_class_units(p_organization bigint, p_on date)
RETURNS TABLE (id bigint, label text, grade int, combined boolean, classes int, rural boolean, learners int)
LANGUAGE sql STABLE AS $$
    SELECT min(c.id), string_agg(c.label, ' + ' ORDER BY c.grade, c.label), max(c.grade), bool_or(c.combined_class IS NOT NULL),
           count(*)::int, bool_or(c.rural), sum(c.learners)::int
    FROM eduql.form_classes(p_organization, p_on) c
    GROUP BY coalesce('combined:' || c.combined_class, c.id::text)
$$;

DROP FUNCTION eduql.form_staff(bigint, date);
CREATE FUNCTION eduql.form_staff(p_organization bigint, p_on date)
RETURNS TABLE (id bigint, label text, post text, teacher boolean, gender text, education_level text, age int, experience int,
               rate numeric, employment text)
LANGUAGE sql STABLE AS $$
    SELECT s.id, s.last_name || ' ' || s.first_name || ' (' || s.position || ')', s.post_category, eduql.pedagogical_post(s.post_category),
           s.gender, s.education_level, date_part('year', age(p_on, s.birth_date))::int,
           date_part('year', age(p_on, s.experience_since))::int, s.rate, s.employment
    FROM eduql.staff s
    WHERE s.organization_id = p_organization AND s.hired_on <= p_on AND (s.dismissed_on IS NULL OR s.dismissed_on > p_on)
$$;

DROP FUNCTION eduql.form_children(bigint, date);
CREATE FUNCTION eduql.form_children(p_organization bigint, p_on date)
RETURNS TABLE (id bigint, label text, age int, gender text, orientation text, compensating_kind text, short_stay boolean,
               citizenship text, second_citizenship text, health_limitation text, disabled boolean)
LANGUAGE sql STABLE AS $$
    SELECT l.id, l.last_name || ' ' || l.first_name || ' (' || k.name || ')',
           date_part('year', age(make_date(extract(year FROM p_on)::int + 1, 1, 1), l.birth_date))::int,
           l.gender, k.orientation, eduql.impairment_of(k.compensating_kind), k.short_stay, l.citizenship, l.second_citizenship,
           l.health_limitation, l.disabled
    FROM eduql.enrollments e JOIN eduql.classes k ON k.id = e.class_id JOIN eduql.learners l ON l.id = e.learner_id
    WHERE k.organization_id = p_organization AND k.kind = 'group'
      AND e.enrolled_on <= p_on AND (e.left_on IS NULL OR e.left_on > p_on)
$$;

CREATE OR REPLACE FUNCTION eduql.form_groups(p_organization bigint, p_on date)
RETURNS TABLE (id bigint, label text, orientation text, compensating_kind text, short_stay boolean, age_from int, age_to int, children int)
LANGUAGE sql STABLE AS $$
    SELECT k.id, k.name, k.orientation, eduql.impairment_of(k.compensating_kind), k.short_stay, k.age_group, coalesce(k.age_to, k.age_group),
           count(e.id)::int
    FROM eduql.classes k JOIN eduql.academic_years y ON y.id = k.academic_year_id
    LEFT JOIN eduql.enrollments e ON e.class_id = k.id AND e.enrolled_on <= p_on AND (e.left_on IS NULL OR e.left_on > p_on)
    WHERE k.organization_id = p_organization AND k.kind = 'group' AND p_on BETWEEN y.starts_on AND y.ends_on
    GROUP BY k.id
$$;

-- A cell's measure is its column's sum, else its row's (a section whose rows alternate classes
-- and their learners), else the count of the units.
CREATE OR REPLACE FUNCTION eduql.form_cell_sql(p_row jsonb, p_column jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN m.measure IS NULL THEN 'count(*)' ELSE format('coalesce(sum(%s)', m.measure) END
           || format(' FILTER (WHERE (%s) AND (%s))', coalesce(p_row->>'where', 'true'), coalesce(p_column->>'where', 'true'))
           || CASE WHEN m.measure IS NULL THEN '' ELSE ', 0)' END
    FROM (SELECT coalesce(p_column->>'sum', p_row->>'sum') AS measure) m
$$;

-- The control ratios, as before, and between cells of any sections:
--   equal:  {"a", "b"}: each a cell {"section", "row", "column"} or a list of cells added up; equal;
--   atMost: {"a", "b"}: likewise, a at most b;
-- either may say where to look for the units behind a failure: "behind": {"dataset", "where"}.
CREATE OR REPLACE FUNCTION eduql.form_problems(p_form text, p_edition text, p_organization bigint, p_on date, p_cells jsonb)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    d jsonb;
    ratio jsonb;
    s jsonb;
    other jsonb;
    total_value numeric;
    parts_value numeric;
    total_def jsonb;
    part_preds text[];
    units jsonb;
    problems jsonb := '[]';
    axis text;
    across text;
    p text;
    cells_a jsonb;
    cells_b jsonb;
BEGIN
    SELECT definition INTO STRICT d FROM eduql.form_definitions WHERE form = p_form AND edition = p_edition;
    FOR ratio IN SELECT jsonb_array_elements(coalesce(d->'ratios', '[]')) LOOP
        IF ratio->>'kind' IN ('equal', 'atMost') THEN
            -- Each side a cell or a list of cells added up.
            SELECT coalesce(sum(coalesce((p_cells #>> ARRAY[x->>'section', x->>'row', x->>'column'])::numeric, 0)), 0),
                   jsonb_agg(format('%s:%s:%s', x->>'section', x->>'row', x->>'column'))
              INTO total_value, cells_a
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(ratio->'a') = 'array' THEN ratio->'a' ELSE jsonb_build_array(ratio->'a') END) x;
            SELECT coalesce(sum(coalesce((p_cells #>> ARRAY[x->>'section', x->>'row', x->>'column'])::numeric, 0)), 0),
                   jsonb_agg(format('%s:%s:%s', x->>'section', x->>'row', x->>'column'))
              INTO parts_value, cells_b
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(ratio->'b') = 'array' THEN ratio->'b' ELSE jsonb_build_array(ratio->'b') END) x;
            IF (ratio->>'kind' = 'equal' AND total_value <> parts_value) OR (ratio->>'kind' = 'atMost' AND total_value > parts_value) THEN
                -- Who is behind it, where the definition says how to find them: {"dataset", "where"}.
                units := '[]';
                IF ratio ? 'behind' THEN
                    IF to_regprocedure(format('eduql.%I(bigint, date)', 'form_' || (ratio#>>'{behind,dataset}'))) IS NULL THEN
                        RAISE EXCEPTION 'ratio % looks behind it in an unknown dataset %', ratio->>'name', ratio#>>'{behind,dataset}';
                    END IF;
                    EXECUTE format('SELECT coalesce(jsonb_agg(jsonb_build_object(''id'', u.id::text, ''label'', u.label) ORDER BY u.id), ''[]'') '
                                   'FROM (SELECT u.id, u.label FROM eduql.%I($1, $2) u WHERE (%s) ORDER BY u.id LIMIT 50) u',
                                   'form_' || (ratio#>>'{behind,dataset}'), ratio#>>'{behind,where}')
                      INTO units USING p_organization, p_on;
                END IF;
                problems := problems || jsonb_build_array(jsonb_build_object(
                    'ratio', ratio->>'name', 'section', split_part(cells_a->>0, ':', 1), 'cells', cells_a || cells_b,
                    'left', total_value, 'right', parts_value, 'units', units));
            END IF;
            CONTINUE;
        END IF;
        SELECT x INTO STRICT s FROM jsonb_array_elements(d->'sections') x WHERE x->>'number' = ratio->>'section';
        -- The axis the ratio adds along ("rows": a total row and part rows, checked in every column).
        axis := CASE WHEN ratio->>'kind' = 'notGreater' OR ratio->'total' ? 'row' THEN 'rows' ELSE 'columns' END;
        across := CASE WHEN axis = 'rows' THEN 'columns' ELSE 'rows' END;
        FOR other IN SELECT jsonb_array_elements(s->across) LOOP
            IF ratio->>'kind' = 'notGreater' THEN
                total_value := (p_cells #>> ARRAY[s->>'number', ratio->>'parent', other->>'number'])::numeric;
                parts_value := (p_cells #>> ARRAY[s->>'number', ratio->>'row', other->>'number'])::numeric;
                CONTINUE WHEN parts_value <= total_value;
                SELECT x INTO total_def FROM jsonb_array_elements(s->'rows') x WHERE x->>'number' = ratio->>'parent';
                part_preds := ARRAY[coalesce(total_def->>'where', 'true')];
                SELECT x INTO total_def FROM jsonb_array_elements(s->'rows') x WHERE x->>'number' = ratio->>'row';
            ELSE
                SELECT x INTO STRICT total_def FROM jsonb_array_elements(s->axis) x WHERE x->>'number' = ratio->'total'->>left(axis, -1);
                total_value := CASE WHEN axis = 'rows' THEN (p_cells #>> ARRAY[s->>'number', total_def->>'number', other->>'number'])
                                    ELSE (p_cells #>> ARRAY[s->>'number', other->>'number', total_def->>'number']) END::numeric;
                SELECT coalesce(sum(CASE WHEN axis = 'rows' THEN (p_cells #>> ARRAY[s->>'number', part, other->>'number'])
                                         ELSE (p_cells #>> ARRAY[s->>'number', other->>'number', part]) END::numeric), 0),
                       array_agg(coalesce(x->>'where', 'true'))
                  INTO parts_value, part_preds
                  FROM jsonb_array_elements_text(ratio->'parts') part
                  JOIN jsonb_array_elements(s->axis) x ON x->>'number' = part;
                CONTINUE WHEN total_value = parts_value;
            END IF;
            -- Who is counted in the first and in none of the others: what the organization corrects.
            EXECUTE format('SELECT coalesce(jsonb_agg(jsonb_build_object(''id'', u.id::text, ''label'', u.label) ORDER BY u.id), ''[]'') '
                           'FROM (SELECT u.id, u.label FROM eduql.%I($1, $2) u WHERE (%s) AND (%s) AND NOT coalesce(%s, false) ORDER BY u.id LIMIT 50) u',
                           'form_' || (s->>'dataset'), coalesce(total_def->>'where', 'true'), coalesce(other->>'where', 'true'),
                           '(' || array_to_string(coalesce(part_preds, ARRAY['false']), ') OR (') || ')')
              INTO units USING p_organization, p_on;
            problems := problems || jsonb_build_array(jsonb_build_object(
                'ratio', ratio->>'name', 'section', s->>'number',
                'cells', CASE WHEN ratio->>'kind' = 'notGreater'
                              THEN jsonb_build_array(format('%s:%s:%s', s->>'number', ratio->>'row', other->>'number'),
                                                     format('%s:%s:%s', s->>'number', ratio->>'parent', other->>'number'))
                              WHEN axis = 'rows' THEN jsonb_build_array(format('%s:%s:%s', s->>'number', total_def->>'number', other->>'number'))
                              ELSE jsonb_build_array(format('%s:%s:%s', s->>'number', other->>'number', total_def->>'number')) END,
                'left', CASE WHEN ratio->>'kind' = 'notGreater' THEN parts_value ELSE total_value END,
                'right', CASE WHEN ratio->>'kind' = 'notGreater' THEN total_value ELSE parts_value END,
                'units', units));
        END LOOP;
    END LOOP;
    RETURN problems;
END $$;

-- The import reads the new columns: a learner's citizenship, impairment and disability; a class's
-- programme length, first additional class and class-complex; a post's category.
CREATE OR REPLACE FUNCTION eduql.import_staff(r jsonb) RETURNS text
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
                                 dismissed_on, email, phone, post_category)
        VALUES (org.region_id, org.municipality_id, org.id, r->>'last_name', r->>'first_name', r->>'middle_name', r->>'gender',
                (r->>'birth_date')::date, r->>'snils', r->>'position', r->>'education_level', coalesce(r->>'qualification_category', 'none'),
                (r->>'experience_since')::date, coalesce((r->>'rate')::numeric, 1), coalesce(r->>'employment', 'main'),
                (r->>'hired_on')::date, (r->>'dismissed_on')::date, r->>'email', r->>'phone', r->>'post_category')
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
           dismissed_on = (r->>'dismissed_on')::date, email = r->>'email', phone = r->>'phone', post_category = r->>'post_category'
    WHERE id = existing.id
      AND (last_name, first_name, middle_name, gender, birth_date, snils, position, education_level, qualification_category,
           experience_since, rate, employment, hired_on, dismissed_on, email, phone, post_category)
          IS DISTINCT FROM (r->>'last_name', r->>'first_name', r->>'middle_name', r->>'gender', (r->>'birth_date')::date, r->>'snils',
                            r->>'position', r->>'education_level', coalesce(r->>'qualification_category', 'none'),
                            (r->>'experience_since')::date, coalesce((r->>'rate')::numeric, 1), coalesce(r->>'employment', 'main'),
                            (r->>'hired_on')::date, (r->>'dismissed_on')::date, r->>'email', r->>'phone',
                            coalesce(r->>'post_category', eduql.staff_post_of(r->>'position')));
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE OR REPLACE FUNCTION eduql.import_class(r jsonb) RETURNS text
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
                                   short_stay, capacity, adapted_years, additional_year, combined_class)
        VALUES (org.region_id, org.municipality_id, org.id, v_year, v_kind, (r->>'grade')::smallint, (r->>'age_group')::smallint, r->>'letter',
                r->>'name', homeroom.id, coalesce((r->>'shift')::smallint, 1), coalesce(r->>'programme', 'general'), r->>'adapted_variant',
                r->>'profile', v_age_to, v_orientation, r->>'compensating_kind', coalesce((r->>'short_stay')::boolean, false),
                (r->>'capacity')::integer, (r->>'adapted_years')::smallint, (r->>'additional_year')::smallint, r->>'combined_class')
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
           age_to = r_age_to, orientation = r_orientation, compensating_kind = r_compensating, short_stay = r_short, capacity = r_capacity,
           adapted_years = r_years, additional_year = r_additional, combined_class = r_combined
    FROM (SELECT v_kind AS r_kind, (r->>'grade')::smallint AS r_grade, (r->>'age_group')::smallint AS r_age_group, r->>'letter' AS r_letter,
                 r->>'name' AS r_name, coalesce((r->>'shift')::smallint, 1) AS r_shift, coalesce(r->>'programme', 'general') AS r_programme,
                 r->>'adapted_variant' AS r_variant, r->>'profile' AS r_profile, v_age_to AS r_age_to, v_orientation AS r_orientation,
                 r->>'compensating_kind' AS r_compensating, coalesce((r->>'short_stay')::boolean, false) AS r_short,
                 (r->>'capacity')::integer AS r_capacity,
                 CASE WHEN coalesce(r->>'programme', 'general') = 'adapted'
                      THEN coalesce((r->>'adapted_years')::smallint, eduql.adapted_years_of(r->>'adapted_variant')) END AS r_years,
                 (r->>'additional_year')::smallint AS r_additional, r->>'combined_class' AS r_combined) n
    WHERE k.id = existing.id
      AND (k.kind, k.grade, k.age_group, k.letter, k.name, k.homeroom_teacher_id, k.shift, k.programme, k.adapted_variant, k.profile,
           k.age_to, k.orientation, k.compensating_kind, k.short_stay, k.capacity, k.adapted_years, k.additional_year, k.combined_class)
          IS DISTINCT FROM (r_kind, r_grade, r_age_group, r_letter, r_name, homeroom.id, r_shift, r_programme, r_variant, r_profile,
                            r_age_to, r_orientation, r_compensating, r_short, r_capacity, r_years, r_additional, r_combined);
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;

CREATE OR REPLACE FUNCTION eduql.import_learner(r jsonb) RETURNS text
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
                                    address, health_group, citizenship, second_citizenship, health_limitation, disabled)
        VALUES (org.region_id, org.municipality_id, org.id, r->>'last_name', r->>'first_name', r->>'middle_name', r->>'gender',
                (r->>'birth_date')::date, r->>'snils', r->>'address', (r->>'health_group')::smallint, coalesce(r->>'citizenship', 'RUS'),
                r->>'second_citizenship', r->>'health_limitation', coalesce((r->>'disabled')::boolean, false))
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
           health_group = (r->>'health_group')::smallint, citizenship = coalesce(r->>'citizenship', 'RUS'),
           second_citizenship = r->>'second_citizenship', health_limitation = r->>'health_limitation',
           disabled = coalesce((r->>'disabled')::boolean, false)
    WHERE id = existing.id
      AND (last_name, first_name, middle_name, gender, birth_date, snils, address, health_group, citizenship, second_citizenship,
           health_limitation, disabled)
          IS DISTINCT FROM (r->>'last_name', r->>'first_name', r->>'middle_name', r->>'gender', (r->>'birth_date')::date, r->>'snils',
                            r->>'address', (r->>'health_group')::smallint, coalesce(r->>'citizenship', 'RUS'), r->>'second_citizenship',
                            r->>'health_limitation', coalesce((r->>'disabled')::boolean, false));
    RETURN CASE WHEN FOUND THEN 'updated' ELSE 'unchanged' END;
END $$;



-- The editions, with what the register now holds: ОО-1 2.1.3, 2.4 by class-complexes, 2.8 and 3.5; 85-К section 4 rows
-- 405, 419 and 420, section 6, section 7 rows 709–710 and 3.5.
UPDATE eduql.form_definitions SET definition = $definition${
 "form": "OO-1",
 "edition": "2024",
 "reportingDate": {
  "month": 9,
  "day": 20
 },
 "organizationKinds": [
  "school"
 ],
 "sections": [
  {
   "number": "2.1.1",
   "title": "Классы и обучающиеся по классам (параллелям)",
   "dataset": "classes",
   "rows": [
    {
     "number": "01",
     "label": "1 класс",
     "where": "grade = 1"
    },
    {
     "number": "02",
     "label": "2 класс",
     "where": "grade = 2"
    },
    {
     "number": "03",
     "label": "3 класс",
     "where": "grade = 3"
    },
    {
     "number": "04",
     "label": "4 класс",
     "where": "grade = 4"
    },
    {
     "number": "05",
     "label": "5 класс",
     "where": "grade = 5"
    },
    {
     "number": "06",
     "label": "6 класс",
     "where": "grade = 6"
    },
    {
     "number": "07",
     "label": "7 класс",
     "where": "grade = 7"
    },
    {
     "number": "08",
     "label": "8 класс",
     "where": "grade = 8"
    },
    {
     "number": "09",
     "label": "9 класс",
     "where": "grade = 9"
    },
    {
     "number": "10",
     "label": "10 класс",
     "where": "grade = 10"
    },
    {
     "number": "11",
     "label": "11 класс",
     "where": "grade = 11"
    },
    {
     "number": "12",
     "label": "12 класс",
     "where": "grade = 12"
    },
    {
     "number": "13",
     "label": "Всего (сумма строк 01–12)",
     "where": "true"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Число классов"
    },
    {
     "number": "4",
     "label": "Численность обучающихся",
     "sum": "learners"
    },
    {
     "number": "5",
     "label": "из них девочек",
     "sum": "girls"
    }
   ]
  },
  {
   "number": "2.1.2",
   "title": "Обучающиеся по адаптированным образовательным программам, по вариантам",
   "dataset": "learners",
   "rows": [
    {
     "number": "01",
     "label": "Всего по адаптированным программам",
     "where": "programme = 'adapted'"
    },
    {
     "number": "02",
     "label": "вариант 1.x — для обучающихся глухих",
     "where": "adapted_variant LIKE '1.%'"
    },
    {
     "number": "03",
     "label": "вариант 2.x — для обучающихся слабослышащих",
     "where": "adapted_variant LIKE '2.%'"
    },
    {
     "number": "04",
     "label": "вариант 3.x — для обучающихся слепых",
     "where": "adapted_variant LIKE '3.%'"
    },
    {
     "number": "05",
     "label": "вариант 4.x — для обучающихся слабовидящих",
     "where": "adapted_variant LIKE '4.%'"
    },
    {
     "number": "06",
     "label": "вариант 5.x — для обучающихся с тяжёлыми нарушениями речи",
     "where": "adapted_variant LIKE '5.%'"
    },
    {
     "number": "07",
     "label": "вариант 6.x — для обучающихся с нарушениями опорно-двигательного аппарата",
     "where": "adapted_variant LIKE '6.%'"
    },
    {
     "number": "08",
     "label": "вариант 7.x — для обучающихся с задержкой психического развития",
     "where": "adapted_variant LIKE '7.%'"
    },
    {
     "number": "09",
     "label": "вариант 8.x — для обучающихся с расстройствами аутистического спектра",
     "where": "adapted_variant LIKE '8.%'"
    },
    {
     "number": "10",
     "label": "вариант 9.x — для обучающихся с умственной отсталостью (интеллектуальными нарушениями)",
     "where": "adapted_variant LIKE '9.%'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Численность обучающихся"
    },
    {
     "number": "4",
     "label": "из них девочек",
     "where": "gender = 'female'"
    }
   ]
  },
  {
   "number": "2.1.3",
   "title": "Классы и обучающиеся по адаптированным программам для обучающихся с умственной отсталостью, по сроку обучения",
   "dataset": "classes",
   "rows": [
    {
     "number": "01",
     "label": "Срок обучения 9 лет: число классов",
     "where": "adapted_variant LIKE '9.%' AND adapted_years = 9"
    },
    {
     "number": "02",
     "label": "численность обучающихся в них",
     "where": "adapted_variant LIKE '9.%' AND adapted_years = 9",
     "sum": "learners"
    },
    {
     "number": "03",
     "label": "Срок обучения 10 лет: число классов",
     "where": "adapted_variant LIKE '9.%' AND adapted_years = 10"
    },
    {
     "number": "04",
     "label": "численность обучающихся в них",
     "where": "adapted_variant LIKE '9.%' AND adapted_years = 10",
     "sum": "learners"
    },
    {
     "number": "05",
     "label": "Срок обучения 11 лет: число классов",
     "where": "adapted_variant LIKE '9.%' AND adapted_years = 11"
    },
    {
     "number": "06",
     "label": "численность обучающихся в них",
     "where": "adapted_variant LIKE '9.%' AND adapted_years = 11",
     "sum": "learners"
    },
    {
     "number": "07",
     "label": "Срок обучения 12 лет: число классов",
     "where": "adapted_variant LIKE '9.%' AND adapted_years = 12"
    },
    {
     "number": "08",
     "label": "численность обучающихся в них",
     "where": "adapted_variant LIKE '9.%' AND adapted_years = 12",
     "sum": "learners"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего (сумма гр. 4–17)"
    },
    {
     "number": "4",
     "label": "1 класс",
     "where": "grade = 1 AND additional_year IS NULL"
    },
    {
     "number": "5",
     "label": "1 дополнительный класс, первый год",
     "where": "additional_year = 1"
    },
    {
     "number": "6",
     "label": "1 дополнительный класс, второй год",
     "where": "additional_year = 2"
    },
    {
     "number": "7",
     "label": "2 класс",
     "where": "grade = 2"
    },
    {
     "number": "8",
     "label": "3 класс",
     "where": "grade = 3"
    },
    {
     "number": "9",
     "label": "4 класс",
     "where": "grade = 4"
    },
    {
     "number": "10",
     "label": "5 класс",
     "where": "grade = 5"
    },
    {
     "number": "11",
     "label": "6 класс",
     "where": "grade = 6"
    },
    {
     "number": "12",
     "label": "7 класс",
     "where": "grade = 7"
    },
    {
     "number": "13",
     "label": "8 класс",
     "where": "grade = 8"
    },
    {
     "number": "14",
     "label": "9 класс",
     "where": "grade = 9"
    },
    {
     "number": "15",
     "label": "10 класс",
     "where": "grade = 10"
    },
    {
     "number": "16",
     "label": "11 класс",
     "where": "grade = 11"
    },
    {
     "number": "17",
     "label": "12 класс",
     "where": "grade = 12"
    }
   ]
  },
  {
   "number": "2.4",
   "title": "Классы (классы-комплекты) и малокомплектные классы",
   "dataset": "class_units",
   "rows": [
    {
     "number": "01",
     "label": "Всего (сумма строк 02–04)",
     "where": "true"
    },
    {
     "number": "02",
     "label": "1–4 классы",
     "where": "grade BETWEEN 1 AND 4"
    },
    {
     "number": "03",
     "label": "5–9 классы",
     "where": "grade BETWEEN 5 AND 9"
    },
    {
     "number": "04",
     "label": "10–11 (12) классы",
     "where": "grade BETWEEN 10 AND 12"
    },
    {
     "number": "05",
     "label": "из строки 01 — малокомплектные (в городе менее 25, в сельской местности менее 14 обучающихся)",
     "where": "(rural AND learners < 14) OR (NOT rural AND learners < 25)"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего классов и классов-комплектов (сумма гр. 4, 5)"
    },
    {
     "number": "4",
     "label": "классов, не входящих в классы-комплекты",
     "where": "NOT combined"
    },
    {
     "number": "5",
     "label": "классов-комплектов",
     "where": "combined"
    },
    {
     "number": "6",
     "label": "число классов, входящих в классы-комплекты",
     "where": "combined",
     "sum": "classes"
    },
    {
     "number": "7",
     "label": "Численность обучающихся",
     "sum": "learners"
    }
   ]
  },
  {
   "number": "2.5",
   "title": "Обучающиеся по возрасту (полных лет на 1 января следующего года) и полу",
   "dataset": "learners",
   "rows": [
    {
     "number": "01",
     "label": "Всего (сумма строк 02–15)",
     "where": "true"
    },
    {
     "number": "02",
     "label": "6 лет и моложе",
     "where": "age <= 6"
    },
    {
     "number": "03",
     "label": "7 лет",
     "where": "age = 7"
    },
    {
     "number": "04",
     "label": "8 лет",
     "where": "age = 8"
    },
    {
     "number": "05",
     "label": "9 лет",
     "where": "age = 9"
    },
    {
     "number": "06",
     "label": "10 лет",
     "where": "age = 10"
    },
    {
     "number": "07",
     "label": "11 лет",
     "where": "age = 11"
    },
    {
     "number": "08",
     "label": "12 лет",
     "where": "age = 12"
    },
    {
     "number": "09",
     "label": "13 лет",
     "where": "age = 13"
    },
    {
     "number": "10",
     "label": "14 лет",
     "where": "age = 14"
    },
    {
     "number": "11",
     "label": "15 лет",
     "where": "age = 15"
    },
    {
     "number": "12",
     "label": "16 лет",
     "where": "age = 16"
    },
    {
     "number": "13",
     "label": "17 лет",
     "where": "age = 17"
    },
    {
     "number": "14",
     "label": "18 лет",
     "where": "age = 18"
    },
    {
     "number": "15",
     "label": "19 лет и старше",
     "where": "age >= 19"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "из них девочек",
     "where": "gender = 'female'"
    },
    {
     "number": "5",
     "label": "из них иностранных граждан",
     "where": "citizenship NOT IN ('RUS', 'stateless')"
    },
    {
     "number": "6",
     "label": "из них с двойным гражданством",
     "where": "second_citizenship IS NOT NULL"
    },
    {
     "number": "7",
     "label": "из них лиц без гражданства",
     "where": "citizenship = 'stateless'"
    }
   ]
  },
  {
   "number": "2.6",
   "title": "Движение обучающихся за предыдущий учебный год",
   "dataset": "movements",
   "rows": [
    {
     "number": "01",
     "label": "Прибыло обучающихся",
     "where": "kind = 'admitted'"
    },
    {
     "number": "02",
     "label": "Выбыло обучающихся (сумма строк 03, 04)",
     "where": "kind IN ('transferred', 'expelled')"
    },
    {
     "number": "03",
     "label": "из них переведено в другие организации",
     "where": "kind = 'transferred'"
    },
    {
     "number": "04",
     "label": "из них отчислено",
     "where": "kind = 'expelled'"
    },
    {
     "number": "05",
     "label": "Выпущено (завершили обучение)",
     "where": "kind = 'graduated'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего (сумма гр. 4–6)"
    },
    {
     "number": "4",
     "label": "1–4 классы",
     "where": "grade BETWEEN 1 AND 4"
    },
    {
     "number": "5",
     "label": "5–9 классы",
     "where": "grade BETWEEN 5 AND 9"
    },
    {
     "number": "6",
     "label": "10–11 (12) классы",
     "where": "grade BETWEEN 10 AND 12"
    }
   ]
  },
  {
   "number": "2.7",
   "title": "Обучающиеся, оставленные на повторное обучение",
   "dataset": "learners",
   "rows": [
    {
     "number": "01",
     "label": "Численность обучающихся",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них оставлены на повторное обучение",
     "where": "repeats"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего (сумма гр. 4–6)"
    },
    {
     "number": "4",
     "label": "1–4 классы",
     "where": "grade BETWEEN 1 AND 4"
    },
    {
     "number": "5",
     "label": "5–9 классы",
     "where": "grade BETWEEN 5 AND 9"
    },
    {
     "number": "6",
     "label": "10–11 (12) классы",
     "where": "grade BETWEEN 10 AND 12"
    }
   ]
  },
  {
   "number": "2.8",
   "title": "Обучающиеся с ограниченными возможностями здоровья и дети-инвалиды",
   "dataset": "learners",
   "rows": [
    {
     "number": "01",
     "label": "Обучающиеся с ОВЗ — всего (сумма строк 02–13)",
     "where": "health_limitation IS NOT NULL"
    },
    {
     "number": "02",
     "label": "глухие",
     "where": "health_limitation = 'deaf'"
    },
    {
     "number": "03",
     "label": "слабослышащие и позднооглохшие",
     "where": "health_limitation = 'hard_of_hearing'"
    },
    {
     "number": "04",
     "label": "слепые",
     "where": "health_limitation = 'blind'"
    },
    {
     "number": "05",
     "label": "слабовидящие",
     "where": "health_limitation = 'low_vision'"
    },
    {
     "number": "06",
     "label": "с нарушениями речи",
     "where": "health_limitation = 'speech'"
    },
    {
     "number": "07",
     "label": "с тяжёлыми нарушениями речи",
     "where": "health_limitation = 'severe_speech'"
    },
    {
     "number": "08",
     "label": "с нарушениями опорно-двигательного аппарата",
     "where": "health_limitation = 'musculoskeletal'"
    },
    {
     "number": "09",
     "label": "с задержкой психического развития",
     "where": "health_limitation = 'delayed_development'"
    },
    {
     "number": "10",
     "label": "с расстройствами аутистического спектра",
     "where": "health_limitation = 'autism'"
    },
    {
     "number": "11",
     "label": "с умственной отсталостью (интеллектуальными нарушениями)",
     "where": "health_limitation = 'intellectual'"
    },
    {
     "number": "12",
     "label": "со сложными дефектами",
     "where": "health_limitation = 'complex'"
    },
    {
     "number": "13",
     "label": "с иными нарушениями",
     "where": "health_limitation = 'other'"
    },
    {
     "number": "14",
     "label": "Дети-инвалиды — всего",
     "where": "disabled"
    },
    {
     "number": "15",
     "label": "из них с ОВЗ",
     "where": "disabled AND health_limitation IS NOT NULL"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Численность обучающихся"
    },
    {
     "number": "4",
     "label": "из них девочек",
     "where": "gender = 'female'"
    },
    {
     "number": "5",
     "label": "обучаются по адаптированным программам",
     "where": "programme = 'adapted'"
    },
    {
     "number": "6",
     "label": "обучаются в общеобразовательных классах (инклюзивно)",
     "where": "programme <> 'adapted'"
    }
   ]
  },
  {
   "number": "3.1",
   "title": "Работники по уровню образования",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    },
    {
     "number": "03",
     "label": "из них основные работники (не совместители)",
     "where": "employment = 'main'"
    },
    {
     "number": "04",
     "label": "в том числе руководитель организации",
     "where": "post = 'head'"
    },
    {
     "number": "05",
     "label": "заместители руководителя",
     "where": "post = 'deputy_head'"
    },
    {
     "number": "06",
     "label": "учителя, преподаватели",
     "where": "post = 'teacher'"
    },
    {
     "number": "07",
     "label": "воспитатели (включая старших)",
     "where": "post = 'educator'"
    },
    {
     "number": "08",
     "label": "педагоги-психологи",
     "where": "post = 'psychologist'"
    },
    {
     "number": "09",
     "label": "учителя-логопеды",
     "where": "post = 'speech_therapist'"
    },
    {
     "number": "10",
     "label": "учителя-дефектологи",
     "where": "post = 'defectologist'"
    },
    {
     "number": "11",
     "label": "социальные педагоги",
     "where": "post = 'social_pedagogue'"
    },
    {
     "number": "12",
     "label": "педагоги дополнительного образования",
     "where": "post = 'additional_education'"
    },
    {
     "number": "13",
     "label": "тьюторы",
     "where": "post = 'tutor'"
    },
    {
     "number": "14",
     "label": "музыкальные руководители",
     "where": "post = 'music_director'"
    },
    {
     "number": "15",
     "label": "инструкторы по физической культуре",
     "where": "post = 'physical_instructor'"
    },
    {
     "number": "16",
     "label": "педагоги-организаторы",
     "where": "post = 'teacher_organizer'"
    },
    {
     "number": "17",
     "label": "советники руководителя по воспитанию",
     "where": "post = 'counsellor'"
    },
    {
     "number": "18",
     "label": "иные педагогические работники",
     "where": "post = 'other_pedagogical'"
    },
    {
     "number": "19",
     "label": "учебно-вспомогательный персонал",
     "where": "post = 'support'"
    },
    {
     "number": "20",
     "label": "административно-хозяйственный и обслуживающий персонал",
     "where": "post = 'service'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "из них женщины",
     "where": "gender = 'female'"
    },
    {
     "number": "5",
     "label": "Высшее образование",
     "where": "education_level IN ('higher', 'higher_pedagogical')"
    },
    {
     "number": "6",
     "label": "из него педагогическое",
     "where": "education_level = 'higher_pedagogical'"
    },
    {
     "number": "7",
     "label": "Среднее профессиональное",
     "where": "education_level IN ('secondary_vocational', 'secondary_vocational_pedagogical')"
    },
    {
     "number": "8",
     "label": "из него педагогическое",
     "where": "education_level = 'secondary_vocational_pedagogical'"
    },
    {
     "number": "9",
     "label": "Среднее общее",
     "where": "education_level = 'secondary'"
    }
   ]
  },
  {
   "number": "3.2",
   "title": "Работники по возрасту (полных лет на отчётную дату)",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    },
    {
     "number": "03",
     "label": "из них основные работники (не совместители)",
     "where": "employment = 'main'"
    },
    {
     "number": "04",
     "label": "в том числе руководитель организации",
     "where": "post = 'head'"
    },
    {
     "number": "05",
     "label": "заместители руководителя",
     "where": "post = 'deputy_head'"
    },
    {
     "number": "06",
     "label": "учителя, преподаватели",
     "where": "post = 'teacher'"
    },
    {
     "number": "07",
     "label": "воспитатели (включая старших)",
     "where": "post = 'educator'"
    },
    {
     "number": "08",
     "label": "педагоги-психологи",
     "where": "post = 'psychologist'"
    },
    {
     "number": "09",
     "label": "учителя-логопеды",
     "where": "post = 'speech_therapist'"
    },
    {
     "number": "10",
     "label": "учителя-дефектологи",
     "where": "post = 'defectologist'"
    },
    {
     "number": "11",
     "label": "социальные педагоги",
     "where": "post = 'social_pedagogue'"
    },
    {
     "number": "12",
     "label": "педагоги дополнительного образования",
     "where": "post = 'additional_education'"
    },
    {
     "number": "13",
     "label": "тьюторы",
     "where": "post = 'tutor'"
    },
    {
     "number": "14",
     "label": "музыкальные руководители",
     "where": "post = 'music_director'"
    },
    {
     "number": "15",
     "label": "инструкторы по физической культуре",
     "where": "post = 'physical_instructor'"
    },
    {
     "number": "16",
     "label": "педагоги-организаторы",
     "where": "post = 'teacher_organizer'"
    },
    {
     "number": "17",
     "label": "советники руководителя по воспитанию",
     "where": "post = 'counsellor'"
    },
    {
     "number": "18",
     "label": "иные педагогические работники",
     "where": "post = 'other_pedagogical'"
    },
    {
     "number": "19",
     "label": "учебно-вспомогательный персонал",
     "where": "post = 'support'"
    },
    {
     "number": "20",
     "label": "административно-хозяйственный и обслуживающий персонал",
     "where": "post = 'service'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "моложе 25 лет",
     "where": "age < 25"
    },
    {
     "number": "5",
     "label": "25–29",
     "where": "age BETWEEN 25 AND 29"
    },
    {
     "number": "6",
     "label": "30–34",
     "where": "age BETWEEN 30 AND 34"
    },
    {
     "number": "7",
     "label": "35–39",
     "where": "age BETWEEN 35 AND 39"
    },
    {
     "number": "8",
     "label": "40–44",
     "where": "age BETWEEN 40 AND 44"
    },
    {
     "number": "9",
     "label": "45–49",
     "where": "age BETWEEN 45 AND 49"
    },
    {
     "number": "10",
     "label": "50–54",
     "where": "age BETWEEN 50 AND 54"
    },
    {
     "number": "11",
     "label": "55–59",
     "where": "age BETWEEN 55 AND 59"
    },
    {
     "number": "12",
     "label": "60–64",
     "where": "age BETWEEN 60 AND 64"
    },
    {
     "number": "13",
     "label": "65 лет и старше",
     "where": "age >= 65"
    }
   ]
  },
  {
   "number": "3.3",
   "title": "Работники по стажу педагогической работы",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    },
    {
     "number": "03",
     "label": "из них основные работники (не совместители)",
     "where": "employment = 'main'"
    },
    {
     "number": "04",
     "label": "в том числе руководитель организации",
     "where": "post = 'head'"
    },
    {
     "number": "05",
     "label": "заместители руководителя",
     "where": "post = 'deputy_head'"
    },
    {
     "number": "06",
     "label": "учителя, преподаватели",
     "where": "post = 'teacher'"
    },
    {
     "number": "07",
     "label": "воспитатели (включая старших)",
     "where": "post = 'educator'"
    },
    {
     "number": "08",
     "label": "педагоги-психологи",
     "where": "post = 'psychologist'"
    },
    {
     "number": "09",
     "label": "учителя-логопеды",
     "where": "post = 'speech_therapist'"
    },
    {
     "number": "10",
     "label": "учителя-дефектологи",
     "where": "post = 'defectologist'"
    },
    {
     "number": "11",
     "label": "социальные педагоги",
     "where": "post = 'social_pedagogue'"
    },
    {
     "number": "12",
     "label": "педагоги дополнительного образования",
     "where": "post = 'additional_education'"
    },
    {
     "number": "13",
     "label": "тьюторы",
     "where": "post = 'tutor'"
    },
    {
     "number": "14",
     "label": "музыкальные руководители",
     "where": "post = 'music_director'"
    },
    {
     "number": "15",
     "label": "инструкторы по физической культуре",
     "where": "post = 'physical_instructor'"
    },
    {
     "number": "16",
     "label": "педагоги-организаторы",
     "where": "post = 'teacher_organizer'"
    },
    {
     "number": "17",
     "label": "советники руководителя по воспитанию",
     "where": "post = 'counsellor'"
    },
    {
     "number": "18",
     "label": "иные педагогические работники",
     "where": "post = 'other_pedagogical'"
    },
    {
     "number": "19",
     "label": "учебно-вспомогательный персонал",
     "where": "post = 'support'"
    },
    {
     "number": "20",
     "label": "административно-хозяйственный и обслуживающий персонал",
     "where": "post = 'service'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "до 3 лет",
     "where": "experience < 3"
    },
    {
     "number": "5",
     "label": "от 3 до 5 лет",
     "where": "experience >= 3 AND experience < 5"
    },
    {
     "number": "6",
     "label": "от 5 до 10 лет",
     "where": "experience >= 5 AND experience < 10"
    },
    {
     "number": "7",
     "label": "от 10 до 15 лет",
     "where": "experience >= 10 AND experience < 15"
    },
    {
     "number": "8",
     "label": "от 15 до 20 лет",
     "where": "experience >= 15 AND experience < 20"
    },
    {
     "number": "9",
     "label": "20 лет и более",
     "where": "experience >= 20"
    }
   ]
  },
  {
   "number": "3.4",
   "title": "Штатные единицы и ставки",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Работников"
    },
    {
     "number": "4",
     "label": "Занятых ставок",
     "sum": "rate"
    },
    {
     "number": "5",
     "label": "основных работников",
     "where": "employment = 'main'"
    },
    {
     "number": "6",
     "label": "внутренних совместителей",
     "where": "employment = 'part_time'"
    }
   ]
  },
  {
   "number": "3.5",
   "title": "Работники по должностям",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Всего (сумма строк 02–18)",
     "where": "true"
    },
    {
     "number": "02",
     "label": "Руководитель организации",
     "where": "post = 'head'"
    },
    {
     "number": "03",
     "label": "Заместители руководителя",
     "where": "post = 'deputy_head'"
    },
    {
     "number": "04",
     "label": "Учителя, преподаватели",
     "where": "post = 'teacher'"
    },
    {
     "number": "05",
     "label": "Воспитатели (включая старших)",
     "where": "post = 'educator'"
    },
    {
     "number": "06",
     "label": "Педагоги-психологи",
     "where": "post = 'psychologist'"
    },
    {
     "number": "07",
     "label": "Учителя-логопеды",
     "where": "post = 'speech_therapist'"
    },
    {
     "number": "08",
     "label": "Учителя-дефектологи",
     "where": "post = 'defectologist'"
    },
    {
     "number": "09",
     "label": "Социальные педагоги",
     "where": "post = 'social_pedagogue'"
    },
    {
     "number": "10",
     "label": "Педагоги дополнительного образования",
     "where": "post = 'additional_education'"
    },
    {
     "number": "11",
     "label": "Тьюторы",
     "where": "post = 'tutor'"
    },
    {
     "number": "12",
     "label": "Музыкальные руководители",
     "where": "post = 'music_director'"
    },
    {
     "number": "13",
     "label": "Инструкторы по физической культуре",
     "where": "post = 'physical_instructor'"
    },
    {
     "number": "14",
     "label": "Педагоги-организаторы",
     "where": "post = 'teacher_organizer'"
    },
    {
     "number": "15",
     "label": "Советники руководителя по воспитанию",
     "where": "post = 'counsellor'"
    },
    {
     "number": "16",
     "label": "Иные педагогические работники",
     "where": "post = 'other_pedagogical'"
    },
    {
     "number": "17",
     "label": "Учебно-вспомогательный персонал",
     "where": "post = 'support'"
    },
    {
     "number": "18",
     "label": "Административно-хозяйственный и обслуживающий персонал",
     "where": "post = 'service'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Численность работников"
    },
    {
     "number": "4",
     "label": "из них женщины",
     "where": "gender = 'female'"
    },
    {
     "number": "5",
     "label": "основные работники",
     "where": "employment = 'main'"
    },
    {
     "number": "6",
     "label": "внутренние совместители",
     "where": "employment = 'part_time'"
    },
    {
     "number": "7",
     "label": "Занятых ставок",
     "sum": "rate"
    }
   ]
  }
 ],
 "ratios": [
  {
   "name": "2.6: стр. 02 = стр. 03 + стр. 04",
   "kind": "sum",
   "section": "2.6",
   "total": {
    "row": "02"
   },
   "parts": [
    "03",
    "04"
   ]
  },
  {
   "name": "2.6: гр. 3 = сумма гр. 4–6",
   "kind": "sum",
   "section": "2.6",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6"
   ]
  },
  {
   "name": "2.7: стр. 02 ≤ стр. 01",
   "kind": "notGreater",
   "section": "2.7",
   "row": "02",
   "parent": "01"
  },
  {
   "name": "2.7: гр. 3 = сумма гр. 4–6",
   "kind": "sum",
   "section": "2.7",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6"
   ]
  },
  {
   "name": "2.7 стр. 01 гр. 3 = 2.1.1 стр. 13 гр. 4",
   "kind": "equal",
   "a": {
    "section": "2.7",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "2.1.1",
    "row": "13",
    "column": "4"
   }
  },
  {
   "name": "2.1.1: стр. 13 = сумма стр. 01–12",
   "kind": "sum",
   "section": "2.1.1",
   "total": {
    "row": "13"
   },
   "parts": [
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12"
   ]
  },
  {
   "name": "2.1.2: стр. 01 = сумма стр. 02–10",
   "kind": "sum",
   "section": "2.1.2",
   "total": {
    "row": "01"
   },
   "parts": [
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10"
   ]
  },
  {
   "name": "2.4: стр. 01 = стр. 02 + 03 + 04",
   "kind": "sum",
   "section": "2.4",
   "total": {
    "row": "01"
   },
   "parts": [
    "02",
    "03",
    "04"
   ]
  },
  {
   "name": "2.4: стр. 05 ≤ стр. 01",
   "kind": "notGreater",
   "section": "2.4",
   "row": "05",
   "parent": "01"
  },
  {
   "name": "2.4: гр. 3 = гр. 4 + гр. 5",
   "kind": "sum",
   "section": "2.4",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5"
   ]
  },
  {
   "name": "2.4 стр. 01: гр. 4 + гр. 6 = 2.1.1 стр. 13 гр. 3",
   "kind": "equal",
   "a": [
    {
     "section": "2.4",
     "row": "01",
     "column": "4"
    },
    {
     "section": "2.4",
     "row": "01",
     "column": "6"
    }
   ],
   "b": {
    "section": "2.1.1",
    "row": "13",
    "column": "3"
   }
  },
  {
   "name": "2.4 стр. 01 гр. 3 ≤ 2.1.1 стр. 13 гр. 3",
   "kind": "atMost",
   "a": {
    "section": "2.4",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "2.1.1",
    "row": "13",
    "column": "3"
   }
  },
  {
   "name": "2.4 стр. 01 гр. 7 = 2.1.1 стр. 13 гр. 4",
   "kind": "equal",
   "a": {
    "section": "2.4",
    "row": "01",
    "column": "7"
   },
   "b": {
    "section": "2.1.1",
    "row": "13",
    "column": "4"
   }
  },
  {
   "name": "2.1.3: гр. 3 = сумма гр. 4–17",
   "kind": "sum",
   "section": "2.1.3",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17"
   ]
  },
  {
   "name": "2.1.3 стр. 02 + 04 + 06 + 08 гр. 3 = 2.1.2 стр. 10 гр. 3",
   "kind": "equal",
   "a": [
    {
     "section": "2.1.3",
     "row": "02",
     "column": "3"
    },
    {
     "section": "2.1.3",
     "row": "04",
     "column": "3"
    },
    {
     "section": "2.1.3",
     "row": "06",
     "column": "3"
    },
    {
     "section": "2.1.3",
     "row": "08",
     "column": "3"
    }
   ],
   "b": {
    "section": "2.1.2",
    "row": "10",
    "column": "3"
   },
   "behind": {
    "dataset": "classes",
    "where": "adapted_variant LIKE '9.%' AND learners > 0 AND (adapted_years IS NULL OR adapted_years NOT BETWEEN 9 AND 12)"
   }
  },
  {
   "name": "2.8: стр. 01 = сумма стр. 02–13",
   "kind": "sum",
   "section": "2.8",
   "total": {
    "row": "01"
   },
   "parts": [
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13"
   ]
  },
  {
   "name": "2.8: гр. 3 = гр. 5 + гр. 6",
   "kind": "sum",
   "section": "2.8",
   "total": {
    "column": "3"
   },
   "parts": [
    "5",
    "6"
   ]
  },
  {
   "name": "2.8: стр. 15 ≤ стр. 14",
   "kind": "notGreater",
   "section": "2.8",
   "row": "15",
   "parent": "14"
  },
  {
   "name": "2.8 стр. 01 гр. 5 ≤ 2.1.2 стр. 01 гр. 3",
   "kind": "atMost",
   "a": {
    "section": "2.8",
    "row": "01",
    "column": "5"
   },
   "b": {
    "section": "2.1.2",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "2.8 стр. 01 гр. 3 ≤ 2.5 стр. 01 гр. 3",
   "kind": "atMost",
   "a": {
    "section": "2.8",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "2.5",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "2.5: стр. 01 = сумма стр. 02–15",
   "kind": "sum",
   "section": "2.5",
   "total": {
    "row": "01"
   },
   "parts": [
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15"
   ]
  },
  {
   "name": "2.5 стр. 01 гр. 3 = 2.1.1 стр. 13 гр. 4",
   "kind": "equal",
   "a": {
    "section": "2.5",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "2.1.1",
    "row": "13",
    "column": "4"
   }
  },
  {
   "name": "3.1: гр. 3 = гр. 5 + гр. 7 + гр. 9",
   "kind": "sum",
   "section": "3.1",
   "total": {
    "column": "3"
   },
   "parts": [
    "5",
    "7",
    "9"
   ]
  },
  {
   "name": "3.1: стр. 02 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.1",
   "row": "02",
   "parent": "01"
  },
  {
   "name": "3.1: стр. 03 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.1",
   "row": "03",
   "parent": "01"
  },
  {
   "name": "3.2: гр. 3 = сумма гр. 4–13",
   "kind": "sum",
   "section": "3.2",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
    "12",
    "13"
   ]
  },
  {
   "name": "3.3: гр. 3 = сумма гр. 4–9",
   "kind": "sum",
   "section": "3.3",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8",
    "9"
   ]
  },
  {
   "name": "3.4: гр. 3 = гр. 5 + гр. 6",
   "kind": "sum",
   "section": "3.4",
   "total": {
    "column": "3"
   },
   "parts": [
    "5",
    "6"
   ]
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.2 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.2",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.3 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.3",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.4 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.4",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1: стр. 01 = сумма стр. 04–20",
   "kind": "sum",
   "section": "3.1",
   "total": {
    "row": "01"
   },
   "parts": [
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "20"
   ]
  },
  {
   "name": "3.2: стр. 01 = сумма стр. 04–20",
   "kind": "sum",
   "section": "3.2",
   "total": {
    "row": "01"
   },
   "parts": [
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "20"
   ]
  },
  {
   "name": "3.3: стр. 01 = сумма стр. 04–20",
   "kind": "sum",
   "section": "3.3",
   "total": {
    "row": "01"
   },
   "parts": [
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "20"
   ]
  },
  {
   "name": "3.2: стр. 02 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.2",
   "row": "02",
   "parent": "01"
  },
  {
   "name": "3.3: стр. 02 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.3",
   "row": "02",
   "parent": "01"
  },
  {
   "name": "3.5: стр. 01 = сумма стр. 02–18",
   "kind": "sum",
   "section": "3.5",
   "total": {
    "row": "01"
   },
   "parts": [
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18"
   ]
  },
  {
   "name": "3.5: гр. 3 = гр. 5 + гр. 6",
   "kind": "sum",
   "section": "3.5",
   "total": {
    "column": "3"
   },
   "parts": [
    "5",
    "6"
   ]
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.5 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.5",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1 стр. 02 гр. 3 = сумма педагогических должностей 3.5 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "02",
    "column": "3"
   },
   "b": [
    {
     "section": "3.5",
     "row": "04",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "05",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "06",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "07",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "08",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "09",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "10",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "11",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "12",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "13",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "14",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "15",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "16",
     "column": "3"
    }
   ]
  },
  {
   "name": "3.4 стр. 01 гр. 4 = 3.5 стр. 01 гр. 7",
   "kind": "equal",
   "a": {
    "section": "3.4",
    "row": "01",
    "column": "4"
   },
   "b": {
    "section": "3.5",
    "row": "01",
    "column": "7"
   }
  }
 ]
}$definition$ WHERE form = 'OO-1' AND edition = '2024';
UPDATE eduql.form_definitions SET definition = $definition${
 "form": "85-K",
 "edition": "2024",
 "reportingDate": {
  "month": 12,
  "day": 31
 },
 "organizationKinds": [
  "kindergarten"
 ],
 "sections": [
  {
   "number": "4",
   "title": "Группы по направленности и возрасту детей (на 31 декабря)",
   "dataset": "groups",
   "rows": [
    {
     "number": "401",
     "label": "Всего групп (сумма строк 402, 413, 414, 418–421)",
     "where": "true"
    },
    {
     "number": "402",
     "label": "компенсирующей направленности (сумма строк 403–412, кроме 405 и 409)",
     "where": "orientation = 'compensating' AND NOT short_stay"
    },
    {
     "number": "403",
     "label": "для детей с нарушениями слуха",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('hearing')"
    },
    {
     "number": "404",
     "label": "для детей с нарушениями речи",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('speech', 'severe_speech')"
    },
    {
     "number": "405",
     "label": "из них с тяжёлыми нарушениями речи",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('severe_speech')"
    },
    {
     "number": "406",
     "label": "для детей с нарушениями зрения",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('vision')"
    },
    {
     "number": "407",
     "label": "для детей с умственной отсталостью (интеллектуальными нарушениями)",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('intellectual')"
    },
    {
     "number": "408",
     "label": "для детей с задержкой психического развития",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('delayed_development', 'autism')"
    },
    {
     "number": "409",
     "label": "из них с расстройствами аутистического спектра",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('autism')"
    },
    {
     "number": "410",
     "label": "для детей с нарушениями опорно-двигательного аппарата",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('musculoskeletal')"
    },
    {
     "number": "411",
     "label": "для детей со сложными дефектами",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('complex')"
    },
    {
     "number": "412",
     "label": "для детей с иными ограниченными возможностями здоровья",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('other')"
    },
    {
     "number": "413",
     "label": "общеразвивающей направленности",
     "where": "coalesce(orientation, 'general') = 'general' AND NOT short_stay"
    },
    {
     "number": "414",
     "label": "оздоровительной направленности",
     "where": "orientation = 'health' AND NOT short_stay"
    },
    {
     "number": "418",
     "label": "комбинированной направленности",
     "where": "orientation = 'combined' AND NOT short_stay"
    },
    {
     "number": "419",
     "label": "по присмотру и уходу",
     "where": "orientation = 'care' AND NOT short_stay"
    },
    {
     "number": "420",
     "label": "семейные группы",
     "where": "orientation = 'family' AND NOT short_stay"
    },
    {
     "number": "421",
     "label": "кратковременного пребывания",
     "where": "short_stay"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего групп"
    },
    {
     "number": "4",
     "label": "от 2 месяцев до 1 года",
     "where": "age_to < 1"
    },
    {
     "number": "5",
     "label": "от 1 года до 3 лет",
     "where": "age_from >= 1 AND age_to <= 2"
    },
    {
     "number": "6",
     "label": "от 3 до 5 лет",
     "where": "age_from >= 3 AND age_to <= 4"
    },
    {
     "number": "7",
     "label": "от 5 лет и старше",
     "where": "age_from >= 5"
    },
    {
     "number": "8",
     "label": "разновозрастные",
     "where": "NOT ((age_to < 1) OR (age_from >= 1 AND age_to <= 2) OR (age_from >= 3 AND age_to <= 4) OR (age_from >= 5))"
    },
    {
     "number": "9",
     "label": "Численность детей в группах",
     "sum": "children"
    }
   ]
  },
  {
   "number": "6",
   "title": "Дети с ограниченными возможностями здоровья и дети-инвалиды",
   "dataset": "children",
   "rows": [
    {
     "number": "601",
     "label": "Дети с ОВЗ — всего (сумма строк 602–613)",
     "where": "health_limitation IS NOT NULL"
    },
    {
     "number": "602",
     "label": "глухие",
     "where": "health_limitation = 'deaf'"
    },
    {
     "number": "603",
     "label": "слабослышащие и позднооглохшие",
     "where": "health_limitation = 'hard_of_hearing'"
    },
    {
     "number": "604",
     "label": "слепые",
     "where": "health_limitation = 'blind'"
    },
    {
     "number": "605",
     "label": "слабовидящие",
     "where": "health_limitation = 'low_vision'"
    },
    {
     "number": "606",
     "label": "с нарушениями речи",
     "where": "health_limitation = 'speech'"
    },
    {
     "number": "607",
     "label": "с тяжёлыми нарушениями речи",
     "where": "health_limitation = 'severe_speech'"
    },
    {
     "number": "608",
     "label": "с нарушениями опорно-двигательного аппарата",
     "where": "health_limitation = 'musculoskeletal'"
    },
    {
     "number": "609",
     "label": "с задержкой психического развития",
     "where": "health_limitation = 'delayed_development'"
    },
    {
     "number": "610",
     "label": "с расстройствами аутистического спектра",
     "where": "health_limitation = 'autism'"
    },
    {
     "number": "611",
     "label": "с умственной отсталостью (интеллектуальными нарушениями)",
     "where": "health_limitation = 'intellectual'"
    },
    {
     "number": "612",
     "label": "со сложными дефектами",
     "where": "health_limitation = 'complex'"
    },
    {
     "number": "613",
     "label": "с иными нарушениями",
     "where": "health_limitation = 'other'"
    },
    {
     "number": "614",
     "label": "Дети-инвалиды — всего",
     "where": "disabled"
    },
    {
     "number": "615",
     "label": "из них с ОВЗ",
     "where": "disabled AND health_limitation IS NOT NULL"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Численность детей"
    },
    {
     "number": "4",
     "label": "из них девочки",
     "where": "gender = 'female'"
    },
    {
     "number": "5",
     "label": "в группах компенсирующей направленности",
     "where": "orientation = 'compensating'"
    },
    {
     "number": "6",
     "label": "в группах комбинированной направленности",
     "where": "orientation = 'combined'"
    }
   ]
  },
  {
   "number": "7",
   "title": "Численность детей по возрасту (полных лет на 1 января следующего года)",
   "dataset": "children",
   "rows": [
    {
     "number": "701",
     "label": "Численность детей — всего",
     "where": "true"
    },
    {
     "number": "702",
     "label": "из них девочки",
     "where": "gender = 'female'"
    },
    {
     "number": "703",
     "label": "осваивающих образовательные программы дошкольного образования",
     "where": "true"
    },
    {
     "number": "704",
     "label": "из них девочки",
     "where": "gender = 'female'"
    },
    {
     "number": "705",
     "label": "осваивающих адаптированные образовательные программы",
     "where": "orientation = 'compensating' OR (orientation = 'combined' AND health_limitation IS NOT NULL)"
    },
    {
     "number": "706",
     "label": "из них девочки",
     "where": "(orientation = 'compensating' OR (orientation = 'combined' AND health_limitation IS NOT NULL)) AND gender = 'female'"
    },
    {
     "number": "707",
     "label": "иностранные граждане",
     "where": "citizenship NOT IN ('RUS', 'stateless')"
    },
    {
     "number": "708",
     "label": "из них девочки",
     "where": "citizenship NOT IN ('RUS', 'stateless') AND gender = 'female'"
    },
    {
     "number": "709",
     "label": "лица с двойным гражданством",
     "where": "second_citizenship IS NOT NULL"
    },
    {
     "number": "710",
     "label": "из них девочки",
     "where": "second_citizenship IS NOT NULL AND gender = 'female'"
    },
    {
     "number": "711",
     "label": "лица без гражданства",
     "where": "citizenship = 'stateless'"
    },
    {
     "number": "712",
     "label": "из них девочки",
     "where": "citizenship = 'stateless' AND gender = 'female'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего (сумма гр. 4–11)"
    },
    {
     "number": "4",
     "label": "до 1 года",
     "where": "age < 1"
    },
    {
     "number": "5",
     "label": "1 год",
     "where": "age = 1"
    },
    {
     "number": "6",
     "label": "2 года",
     "where": "age = 2"
    },
    {
     "number": "7",
     "label": "3 года",
     "where": "age = 3"
    },
    {
     "number": "8",
     "label": "4 года",
     "where": "age = 4"
    },
    {
     "number": "9",
     "label": "5 лет",
     "where": "age = 5"
    },
    {
     "number": "10",
     "label": "6 лет",
     "where": "age = 6"
    },
    {
     "number": "11",
     "label": "7 лет и старше",
     "where": "age >= 7"
    }
   ]
  },
  {
   "number": "3.1",
   "title": "Работники по уровню образования",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    },
    {
     "number": "03",
     "label": "из них основные работники (не совместители)",
     "where": "employment = 'main'"
    },
    {
     "number": "04",
     "label": "в том числе руководитель организации",
     "where": "post = 'head'"
    },
    {
     "number": "05",
     "label": "заместители руководителя",
     "where": "post = 'deputy_head'"
    },
    {
     "number": "06",
     "label": "учителя, преподаватели",
     "where": "post = 'teacher'"
    },
    {
     "number": "07",
     "label": "воспитатели (включая старших)",
     "where": "post = 'educator'"
    },
    {
     "number": "08",
     "label": "педагоги-психологи",
     "where": "post = 'psychologist'"
    },
    {
     "number": "09",
     "label": "учителя-логопеды",
     "where": "post = 'speech_therapist'"
    },
    {
     "number": "10",
     "label": "учителя-дефектологи",
     "where": "post = 'defectologist'"
    },
    {
     "number": "11",
     "label": "социальные педагоги",
     "where": "post = 'social_pedagogue'"
    },
    {
     "number": "12",
     "label": "педагоги дополнительного образования",
     "where": "post = 'additional_education'"
    },
    {
     "number": "13",
     "label": "тьюторы",
     "where": "post = 'tutor'"
    },
    {
     "number": "14",
     "label": "музыкальные руководители",
     "where": "post = 'music_director'"
    },
    {
     "number": "15",
     "label": "инструкторы по физической культуре",
     "where": "post = 'physical_instructor'"
    },
    {
     "number": "16",
     "label": "педагоги-организаторы",
     "where": "post = 'teacher_organizer'"
    },
    {
     "number": "17",
     "label": "советники руководителя по воспитанию",
     "where": "post = 'counsellor'"
    },
    {
     "number": "18",
     "label": "иные педагогические работники",
     "where": "post = 'other_pedagogical'"
    },
    {
     "number": "19",
     "label": "учебно-вспомогательный персонал",
     "where": "post = 'support'"
    },
    {
     "number": "20",
     "label": "административно-хозяйственный и обслуживающий персонал",
     "where": "post = 'service'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "из них женщины",
     "where": "gender = 'female'"
    },
    {
     "number": "5",
     "label": "Высшее образование",
     "where": "education_level IN ('higher', 'higher_pedagogical')"
    },
    {
     "number": "6",
     "label": "из него педагогическое",
     "where": "education_level = 'higher_pedagogical'"
    },
    {
     "number": "7",
     "label": "Среднее профессиональное",
     "where": "education_level IN ('secondary_vocational', 'secondary_vocational_pedagogical')"
    },
    {
     "number": "8",
     "label": "из него педагогическое",
     "where": "education_level = 'secondary_vocational_pedagogical'"
    },
    {
     "number": "9",
     "label": "Среднее общее",
     "where": "education_level = 'secondary'"
    }
   ]
  },
  {
   "number": "3.2",
   "title": "Работники по возрасту (полных лет на отчётную дату)",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    },
    {
     "number": "03",
     "label": "из них основные работники (не совместители)",
     "where": "employment = 'main'"
    },
    {
     "number": "04",
     "label": "в том числе руководитель организации",
     "where": "post = 'head'"
    },
    {
     "number": "05",
     "label": "заместители руководителя",
     "where": "post = 'deputy_head'"
    },
    {
     "number": "06",
     "label": "учителя, преподаватели",
     "where": "post = 'teacher'"
    },
    {
     "number": "07",
     "label": "воспитатели (включая старших)",
     "where": "post = 'educator'"
    },
    {
     "number": "08",
     "label": "педагоги-психологи",
     "where": "post = 'psychologist'"
    },
    {
     "number": "09",
     "label": "учителя-логопеды",
     "where": "post = 'speech_therapist'"
    },
    {
     "number": "10",
     "label": "учителя-дефектологи",
     "where": "post = 'defectologist'"
    },
    {
     "number": "11",
     "label": "социальные педагоги",
     "where": "post = 'social_pedagogue'"
    },
    {
     "number": "12",
     "label": "педагоги дополнительного образования",
     "where": "post = 'additional_education'"
    },
    {
     "number": "13",
     "label": "тьюторы",
     "where": "post = 'tutor'"
    },
    {
     "number": "14",
     "label": "музыкальные руководители",
     "where": "post = 'music_director'"
    },
    {
     "number": "15",
     "label": "инструкторы по физической культуре",
     "where": "post = 'physical_instructor'"
    },
    {
     "number": "16",
     "label": "педагоги-организаторы",
     "where": "post = 'teacher_organizer'"
    },
    {
     "number": "17",
     "label": "советники руководителя по воспитанию",
     "where": "post = 'counsellor'"
    },
    {
     "number": "18",
     "label": "иные педагогические работники",
     "where": "post = 'other_pedagogical'"
    },
    {
     "number": "19",
     "label": "учебно-вспомогательный персонал",
     "where": "post = 'support'"
    },
    {
     "number": "20",
     "label": "административно-хозяйственный и обслуживающий персонал",
     "where": "post = 'service'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "моложе 25 лет",
     "where": "age < 25"
    },
    {
     "number": "5",
     "label": "25–29",
     "where": "age BETWEEN 25 AND 29"
    },
    {
     "number": "6",
     "label": "30–34",
     "where": "age BETWEEN 30 AND 34"
    },
    {
     "number": "7",
     "label": "35–39",
     "where": "age BETWEEN 35 AND 39"
    },
    {
     "number": "8",
     "label": "40–44",
     "where": "age BETWEEN 40 AND 44"
    },
    {
     "number": "9",
     "label": "45–49",
     "where": "age BETWEEN 45 AND 49"
    },
    {
     "number": "10",
     "label": "50–54",
     "where": "age BETWEEN 50 AND 54"
    },
    {
     "number": "11",
     "label": "55–59",
     "where": "age BETWEEN 55 AND 59"
    },
    {
     "number": "12",
     "label": "60–64",
     "where": "age BETWEEN 60 AND 64"
    },
    {
     "number": "13",
     "label": "65 лет и старше",
     "where": "age >= 65"
    }
   ]
  },
  {
   "number": "3.3",
   "title": "Работники по стажу педагогической работы",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    },
    {
     "number": "03",
     "label": "из них основные работники (не совместители)",
     "where": "employment = 'main'"
    },
    {
     "number": "04",
     "label": "в том числе руководитель организации",
     "where": "post = 'head'"
    },
    {
     "number": "05",
     "label": "заместители руководителя",
     "where": "post = 'deputy_head'"
    },
    {
     "number": "06",
     "label": "учителя, преподаватели",
     "where": "post = 'teacher'"
    },
    {
     "number": "07",
     "label": "воспитатели (включая старших)",
     "where": "post = 'educator'"
    },
    {
     "number": "08",
     "label": "педагоги-психологи",
     "where": "post = 'psychologist'"
    },
    {
     "number": "09",
     "label": "учителя-логопеды",
     "where": "post = 'speech_therapist'"
    },
    {
     "number": "10",
     "label": "учителя-дефектологи",
     "where": "post = 'defectologist'"
    },
    {
     "number": "11",
     "label": "социальные педагоги",
     "where": "post = 'social_pedagogue'"
    },
    {
     "number": "12",
     "label": "педагоги дополнительного образования",
     "where": "post = 'additional_education'"
    },
    {
     "number": "13",
     "label": "тьюторы",
     "where": "post = 'tutor'"
    },
    {
     "number": "14",
     "label": "музыкальные руководители",
     "where": "post = 'music_director'"
    },
    {
     "number": "15",
     "label": "инструкторы по физической культуре",
     "where": "post = 'physical_instructor'"
    },
    {
     "number": "16",
     "label": "педагоги-организаторы",
     "where": "post = 'teacher_organizer'"
    },
    {
     "number": "17",
     "label": "советники руководителя по воспитанию",
     "where": "post = 'counsellor'"
    },
    {
     "number": "18",
     "label": "иные педагогические работники",
     "where": "post = 'other_pedagogical'"
    },
    {
     "number": "19",
     "label": "учебно-вспомогательный персонал",
     "where": "post = 'support'"
    },
    {
     "number": "20",
     "label": "административно-хозяйственный и обслуживающий персонал",
     "where": "post = 'service'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "до 3 лет",
     "where": "experience < 3"
    },
    {
     "number": "5",
     "label": "от 3 до 5 лет",
     "where": "experience >= 3 AND experience < 5"
    },
    {
     "number": "6",
     "label": "от 5 до 10 лет",
     "where": "experience >= 5 AND experience < 10"
    },
    {
     "number": "7",
     "label": "от 10 до 15 лет",
     "where": "experience >= 10 AND experience < 15"
    },
    {
     "number": "8",
     "label": "от 15 до 20 лет",
     "where": "experience >= 15 AND experience < 20"
    },
    {
     "number": "9",
     "label": "20 лет и более",
     "where": "experience >= 20"
    }
   ]
  },
  {
   "number": "3.4",
   "title": "Штатные единицы и ставки",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Работников"
    },
    {
     "number": "4",
     "label": "Занятых ставок",
     "sum": "rate"
    },
    {
     "number": "5",
     "label": "основных работников",
     "where": "employment = 'main'"
    },
    {
     "number": "6",
     "label": "внутренних совместителей",
     "where": "employment = 'part_time'"
    }
   ]
  },
  {
   "number": "3.5",
   "title": "Работники по должностям",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Всего (сумма строк 02–18)",
     "where": "true"
    },
    {
     "number": "02",
     "label": "Руководитель организации",
     "where": "post = 'head'"
    },
    {
     "number": "03",
     "label": "Заместители руководителя",
     "where": "post = 'deputy_head'"
    },
    {
     "number": "04",
     "label": "Учителя, преподаватели",
     "where": "post = 'teacher'"
    },
    {
     "number": "05",
     "label": "Воспитатели (включая старших)",
     "where": "post = 'educator'"
    },
    {
     "number": "06",
     "label": "Педагоги-психологи",
     "where": "post = 'psychologist'"
    },
    {
     "number": "07",
     "label": "Учителя-логопеды",
     "where": "post = 'speech_therapist'"
    },
    {
     "number": "08",
     "label": "Учителя-дефектологи",
     "where": "post = 'defectologist'"
    },
    {
     "number": "09",
     "label": "Социальные педагоги",
     "where": "post = 'social_pedagogue'"
    },
    {
     "number": "10",
     "label": "Педагоги дополнительного образования",
     "where": "post = 'additional_education'"
    },
    {
     "number": "11",
     "label": "Тьюторы",
     "where": "post = 'tutor'"
    },
    {
     "number": "12",
     "label": "Музыкальные руководители",
     "where": "post = 'music_director'"
    },
    {
     "number": "13",
     "label": "Инструкторы по физической культуре",
     "where": "post = 'physical_instructor'"
    },
    {
     "number": "14",
     "label": "Педагоги-организаторы",
     "where": "post = 'teacher_organizer'"
    },
    {
     "number": "15",
     "label": "Советники руководителя по воспитанию",
     "where": "post = 'counsellor'"
    },
    {
     "number": "16",
     "label": "Иные педагогические работники",
     "where": "post = 'other_pedagogical'"
    },
    {
     "number": "17",
     "label": "Учебно-вспомогательный персонал",
     "where": "post = 'support'"
    },
    {
     "number": "18",
     "label": "Административно-хозяйственный и обслуживающий персонал",
     "where": "post = 'service'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Численность работников"
    },
    {
     "number": "4",
     "label": "из них женщины",
     "where": "gender = 'female'"
    },
    {
     "number": "5",
     "label": "основные работники",
     "where": "employment = 'main'"
    },
    {
     "number": "6",
     "label": "внутренние совместители",
     "where": "employment = 'part_time'"
    },
    {
     "number": "7",
     "label": "Занятых ставок",
     "sum": "rate"
    }
   ]
  }
 ],
 "ratios": [
  {
   "name": "4: стр. 401 = стр. 402 + 413 + 414 + 418 + 419 + 420 + 421",
   "kind": "sum",
   "section": "4",
   "total": {
    "row": "401"
   },
   "parts": [
    "402",
    "413",
    "414",
    "418",
    "419",
    "420",
    "421"
   ]
  },
  {
   "name": "4: стр. 402 = сумма стр. 403–412 (кроме 405 и 409)",
   "kind": "sum",
   "section": "4",
   "total": {
    "row": "402"
   },
   "parts": [
    "403",
    "404",
    "406",
    "407",
    "408",
    "410",
    "411",
    "412"
   ]
  },
  {
   "name": "4: стр. 405 ≤ стр. 404",
   "kind": "notGreater",
   "section": "4",
   "row": "405",
   "parent": "404"
  },
  {
   "name": "4: стр. 409 ≤ стр. 408",
   "kind": "notGreater",
   "section": "4",
   "row": "409",
   "parent": "408"
  },
  {
   "name": "4: гр. 3 = сумма гр. 4–8",
   "kind": "sum",
   "section": "4",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8"
   ]
  },
  {
   "name": "7: гр. 3 = сумма гр. 4–11",
   "kind": "sum",
   "section": "7",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11"
   ]
  },
  {
   "name": "7: стр. 702 ≤ стр. 701",
   "kind": "notGreater",
   "section": "7",
   "row": "702",
   "parent": "701"
  },
  {
   "name": "7: стр. 703 ≤ стр. 701",
   "kind": "notGreater",
   "section": "7",
   "row": "703",
   "parent": "701"
  },
  {
   "name": "7: стр. 704 ≤ стр. 703",
   "kind": "notGreater",
   "section": "7",
   "row": "704",
   "parent": "703"
  },
  {
   "name": "7: стр. 705 ≤ стр. 703",
   "kind": "notGreater",
   "section": "7",
   "row": "705",
   "parent": "703"
  },
  {
   "name": "7: стр. 706 ≤ стр. 705",
   "kind": "notGreater",
   "section": "7",
   "row": "706",
   "parent": "705"
  },
  {
   "name": "7: стр. 707 ≤ стр. 701",
   "kind": "notGreater",
   "section": "7",
   "row": "707",
   "parent": "701"
  },
  {
   "name": "7: стр. 708 ≤ стр. 707",
   "kind": "notGreater",
   "section": "7",
   "row": "708",
   "parent": "707"
  },
  {
   "name": "7: стр. 709 ≤ стр. 701",
   "kind": "notGreater",
   "section": "7",
   "row": "709",
   "parent": "701"
  },
  {
   "name": "7: стр. 710 ≤ стр. 709",
   "kind": "notGreater",
   "section": "7",
   "row": "710",
   "parent": "709"
  },
  {
   "name": "7: стр. 711 ≤ стр. 701",
   "kind": "notGreater",
   "section": "7",
   "row": "711",
   "parent": "701"
  },
  {
   "name": "7: стр. 712 ≤ стр. 711",
   "kind": "notGreater",
   "section": "7",
   "row": "712",
   "parent": "711"
  },
  {
   "name": "6: стр. 601 = сумма стр. 602–613",
   "kind": "sum",
   "section": "6",
   "total": {
    "row": "601"
   },
   "parts": [
    "602",
    "603",
    "604",
    "605",
    "606",
    "607",
    "608",
    "609",
    "610",
    "611",
    "612",
    "613"
   ]
  },
  {
   "name": "6: стр. 615 ≤ стр. 614",
   "kind": "notGreater",
   "section": "6",
   "row": "615",
   "parent": "614"
  },
  {
   "name": "6 стр. 601 гр. 3 ≤ 7 стр. 701 гр. 3",
   "kind": "atMost",
   "a": {
    "section": "6",
    "row": "601",
    "column": "3"
   },
   "b": {
    "section": "7",
    "row": "701",
    "column": "3"
   }
  },
  {
   "name": "4 стр. 401 гр. 9 = 7 стр. 701 гр. 3",
   "kind": "equal",
   "a": {
    "section": "4",
    "row": "401",
    "column": "9"
   },
   "b": {
    "section": "7",
    "row": "701",
    "column": "3"
   }
  },
  {
   "name": "3.1: гр. 3 = гр. 5 + гр. 7 + гр. 9",
   "kind": "sum",
   "section": "3.1",
   "total": {
    "column": "3"
   },
   "parts": [
    "5",
    "7",
    "9"
   ]
  },
  {
   "name": "3.1: стр. 02 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.1",
   "row": "02",
   "parent": "01"
  },
  {
   "name": "3.1: стр. 03 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.1",
   "row": "03",
   "parent": "01"
  },
  {
   "name": "3.2: гр. 3 = сумма гр. 4–13",
   "kind": "sum",
   "section": "3.2",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
    "12",
    "13"
   ]
  },
  {
   "name": "3.3: гр. 3 = сумма гр. 4–9",
   "kind": "sum",
   "section": "3.3",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8",
    "9"
   ]
  },
  {
   "name": "3.4: гр. 3 = гр. 5 + гр. 6",
   "kind": "sum",
   "section": "3.4",
   "total": {
    "column": "3"
   },
   "parts": [
    "5",
    "6"
   ]
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.2 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.2",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.3 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.3",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.4 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.4",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1: стр. 01 = сумма стр. 04–20",
   "kind": "sum",
   "section": "3.1",
   "total": {
    "row": "01"
   },
   "parts": [
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "20"
   ]
  },
  {
   "name": "3.2: стр. 01 = сумма стр. 04–20",
   "kind": "sum",
   "section": "3.2",
   "total": {
    "row": "01"
   },
   "parts": [
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "20"
   ]
  },
  {
   "name": "3.3: стр. 01 = сумма стр. 04–20",
   "kind": "sum",
   "section": "3.3",
   "total": {
    "row": "01"
   },
   "parts": [
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "20"
   ]
  },
  {
   "name": "3.2: стр. 02 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.2",
   "row": "02",
   "parent": "01"
  },
  {
   "name": "3.3: стр. 02 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.3",
   "row": "02",
   "parent": "01"
  },
  {
   "name": "3.5: стр. 01 = сумма стр. 02–18",
   "kind": "sum",
   "section": "3.5",
   "total": {
    "row": "01"
   },
   "parts": [
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18"
   ]
  },
  {
   "name": "3.5: гр. 3 = гр. 5 + гр. 6",
   "kind": "sum",
   "section": "3.5",
   "total": {
    "column": "3"
   },
   "parts": [
    "5",
    "6"
   ]
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.5 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.5",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1 стр. 02 гр. 3 = сумма педагогических должностей 3.5 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "02",
    "column": "3"
   },
   "b": [
    {
     "section": "3.5",
     "row": "04",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "05",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "06",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "07",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "08",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "09",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "10",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "11",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "12",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "13",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "14",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "15",
     "column": "3"
    },
    {
     "section": "3.5",
     "row": "16",
     "column": "3"
    }
   ]
  },
  {
   "name": "3.4 стр. 01 гр. 4 = 3.5 стр. 01 гр. 7",
   "kind": "equal",
   "a": {
    "section": "3.4",
    "row": "01",
    "column": "4"
   },
   "b": {
    "section": "3.5",
    "row": "01",
    "column": "7"
   }
  }
 ]
}$definition$ WHERE form = '85-K' AND edition = '2024';
