-- The queue's workflow: parents file, change and withdraw applications; the municipality
-- reviews them, decides claimed benefits, transfers them, and distributes places; parents
-- accept or refuse an offer.

-- A claimed benefit counts only once the municipality confirms it: until then the priority
-- class stays general.
ALTER TABLE eduql.queue_applications
    ADD COLUMN benefit_document text CHECK (length(btrim(benefit_document)) BETWEEN 1 AND 100),
    ADD COLUMN benefit_status text CHECK (benefit_status IN ('claimed', 'confirmed', 'refused')),
    ADD COLUMN offer_expires_on date,
    ADD COLUMN child_gender text CHECK (child_gender IN ('male', 'female'));
UPDATE eduql.queue_applications SET benefit_status = 'confirmed' WHERE benefit_category_id IS NOT NULL;
UPDATE eduql.queue_applications SET offer_expires_on = (status_changed_at AT TIME ZONE 'Europe/Moscow')::date + 14 WHERE status = 'allocated';
-- Generated applications name the child's gender only through the patronymic.
UPDATE eduql.queue_applications SET child_gender = CASE WHEN child_middle_name ~ '(вна|чна|ична)$' THEN 'female' ELSE 'male' END;
ALTER TABLE eduql.queue_applications ALTER COLUMN child_gender SET NOT NULL;
DO $$
DECLARE name text;
BEGIN
    SELECT conname INTO name FROM pg_constraint
    WHERE conrelid = 'eduql.queue_applications'::regclass AND contype = 'c'
      AND pg_get_constraintdef(oid) LIKE '%benefit_category_id IS NULL%priority_rank = 3%';
    EXECUTE format('ALTER TABLE eduql.queue_applications DROP CONSTRAINT %I', name);
END $$;
ALTER TABLE eduql.queue_applications
    ADD CONSTRAINT queue_benefit_claimed CHECK ((benefit_category_id IS NULL) = (benefit_status IS NULL)),
    ADD CONSTRAINT queue_priority_confirmed CHECK (priority_rank = 3 OR benefit_status = 'confirmed'),
    ADD CONSTRAINT queue_offer_open CHECK ((status = 'allocated') = (offer_expires_on IS NOT NULL));

-- One active application per child and municipality: by SNILS where given, and by the
-- applicant, name and birth date always.
CREATE UNIQUE INDEX queue_one_active_per_snils ON eduql.queue_applications (municipality_id, child_snils)
    WHERE status IN ('new', 'queued', 'allocated') AND child_snils IS NOT NULL;
CREATE UNIQUE INDEX queue_one_active_per_child ON eduql.queue_applications
    (municipality_id, applicant_guardian_id, lower(child_last_name), lower(child_first_name), child_birth_date)
    WHERE status IN ('new', 'queued', 'allocated');

-- Who changed a status.
ALTER TABLE eduql.queue_status_history
    ADD COLUMN changed_by bigint REFERENCES eduql.users,
    ADD COLUMN changed_by_name text;
CREATE INDEX ON eduql.queue_status_history (changed_by);

-- A run is named by its caller: the same name twice is the same run.
ALTER TABLE eduql.distribution_runs
    ADD COLUMN run_key text CHECK (length(run_key) BETWEEN 1 AND 100),
    ADD COLUMN run_by bigint REFERENCES eduql.users;
CREATE UNIQUE INDEX distribution_runs_by_key ON eduql.distribution_runs (municipality_id, run_key);
CREATE INDEX ON eduql.distribution_runs (run_by);

-- What became of an offered place.
ALTER TABLE eduql.allocations
    ADD COLUMN response text CHECK (response IN ('accepted', 'refused', 'expired')),
    ADD COLUMN responded_at timestamptz,
    ADD COLUMN age_group smallint,
    ADD CHECK ((response IS NULL) = (responded_at IS NULL)),
    ADD CHECK (response IS NULL OR outcome = 'allocated');
CREATE INDEX ON eduql.allocations (run_id);
UPDATE eduql.allocations l SET age_group = q.age_group FROM eduql.queue_applications q WHERE q.id = l.application_id;
UPDATE eduql.allocations l SET response = 'accepted', responded_at = q.status_changed_at
FROM eduql.queue_applications q WHERE q.id = l.application_id AND q.status = 'enrolled' AND l.outcome = 'allocated';

-- A transfer to another municipality of the region: the one queue write that leaves the
-- municipality, so it runs with the owner's rights and checks itself that the session acts in
-- the application's municipality, that the application is waiting (new or queued), that the
-- destination is another municipality of the region, and that every choice is one of its
-- kindergartens. The registration date-time is kept; the choices are replaced.
CREATE FUNCTION eduql.transfer_queue_application(p_application bigint, p_to_municipality bigint, p_choices bigint[], p_reason text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a eduql.queue_applications;
BEGIN
    SELECT * INTO a FROM eduql.queue_applications WHERE id = p_application FOR UPDATE;
    IF a.id IS NULL OR a.municipality_id IS DISTINCT FROM eduql.current_municipality_id()
       OR a.region_id IS DISTINCT FROM eduql.current_region_id() OR a.status NOT IN ('new', 'queued')
       OR p_to_municipality = a.municipality_id
       OR NOT EXISTS (SELECT 1 FROM eduql.municipalities m WHERE m.id = p_to_municipality AND m.region_id = a.region_id)
       OR cardinality(p_choices) NOT BETWEEN 1 AND 5
       OR (SELECT count(DISTINCT c) FROM unnest(p_choices) c) <> cardinality(p_choices)
       OR EXISTS (SELECT 1 FROM unnest(p_choices) c WHERE NOT EXISTS (
              SELECT 1 FROM eduql.organizations o WHERE o.id = c AND o.municipality_id = p_to_municipality
              AND o.kind = 'kindergarten' AND o.status = 'active')) THEN
        RETURN NULL;
    END IF;
    DELETE FROM eduql.queue_application_choices WHERE application_id = a.id;
    UPDATE eduql.queue_applications SET municipality_id = p_to_municipality WHERE id = a.id;
    INSERT INTO eduql.queue_application_choices (application_id, rank, region_id, municipality_id, organization_id)
    SELECT a.id, c.rank, a.region_id, p_to_municipality, c.id FROM unnest(p_choices) WITH ORDINALITY AS c(id, rank);
    INSERT INTO eduql.queue_transfers (region_id, municipality_id, from_municipality_id, application_id, transferred_at, original_registered_at)
    VALUES (a.region_id, p_to_municipality, a.municipality_id, a.id, now(), a.registered_at);
    INSERT INTO eduql.queue_status_history (region_id, municipality_id, application_id, from_status, to_status, changed_at, reason,
                                            changed_by, changed_by_name)
    VALUES (a.region_id, p_to_municipality, a.id, a.status, a.status, now(), p_reason, eduql.current_id('user_id'),
            (SELECT u.display_name FROM eduql.users u WHERE u.id = eduql.current_id('user_id')));
    RETURN a.id;
END $$;
REVOKE ALL ON FUNCTION eduql.transfer_queue_application(bigint, bigint, bigint[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.transfer_queue_application(bigint, bigint, bigint[], text) TO eduql_app;

-- A parent's acceptance of an offered place: the child is enrolled in the kindergarten's group
-- of its age for the run's academic year. It writes into the kindergarten, which a parent's
-- tenancy does not reach, so it runs with the owner's rights and checks itself that the
-- session's guardian filed the application, that the offer is open and not past its date, and
-- that the group exists. A learner card is made from the application when the child has none.
CREATE FUNCTION eduql.accept_queue_offer(p_application bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a eduql.queue_applications;
    l eduql.allocations;
    k eduql.classes;
    learner bigint;
    enrollment bigint;
BEGIN
    SELECT * INTO a FROM eduql.queue_applications WHERE id = p_application FOR UPDATE;
    SELECT * INTO l FROM eduql.allocations WHERE application_id = p_application AND outcome = 'allocated' AND response IS NULL
    ORDER BY id DESC LIMIT 1;
    SELECT c.* INTO k FROM eduql.classes c JOIN eduql.distribution_runs r ON r.id = l.run_id
    WHERE c.organization_id = l.organization_id AND c.kind = 'group' AND c.age_group = a.age_group
      AND c.academic_year_id = r.academic_year_id ORDER BY c.id LIMIT 1;
    IF a.id IS NULL OR l.id IS NULL OR k.id IS NULL OR a.status <> 'allocated'
       OR a.applicant_guardian_id IS DISTINCT FROM eduql.current_id('guardian_id')
       OR a.region_id IS DISTINCT FROM eduql.current_region_id() OR a.offer_expires_on < current_date THEN
        RETURN NULL;
    END IF;
    learner := a.learner_id;
    IF learner IS NULL THEN
        INSERT INTO eduql.learners (region_id, municipality_id, organization_id, last_name, first_name, middle_name, gender, birth_date, snils)
        VALUES (k.region_id, k.municipality_id, k.organization_id, a.child_last_name, a.child_first_name, a.child_middle_name,
                a.child_gender, a.child_birth_date, a.child_snils)
        RETURNING id INTO learner;
    ELSIF EXISTS (SELECT 1 FROM eduql.enrollments e WHERE e.learner_id = learner AND e.status = 'active') THEN
        RETURN NULL;
    ELSE
        UPDATE eduql.learners SET municipality_id = k.municipality_id, organization_id = k.organization_id WHERE id = learner;
    END IF;
    INSERT INTO eduql.guardian_learners (region_id, guardian_id, learner_id, relation)
    VALUES (a.region_id, a.applicant_guardian_id, learner, 'guardian') ON CONFLICT DO NOTHING;
    INSERT INTO eduql.enrollments (region_id, municipality_id, organization_id, learner_id, class_id, academic_year_id, enrolled_on)
    VALUES (k.region_id, k.municipality_id, k.organization_id, learner, k.id, k.academic_year_id, greatest(current_date, a.desired_start_on))
    RETURNING id INTO enrollment;
    INSERT INTO eduql.movements (region_id, municipality_id, organization_id, learner_id, enrollment_id, kind, occurred_on, order_number, class_id)
    VALUES (k.region_id, k.municipality_id, k.organization_id, learner, enrollment, 'admitted', greatest(current_date, a.desired_start_on),
            l.voucher_number, k.id);
    UPDATE eduql.kindergarten_capacities SET occupied = occupied + 1
    WHERE organization_id = k.organization_id AND academic_year_id = k.academic_year_id AND age_group = a.age_group;
    UPDATE eduql.allocations SET response = 'accepted', responded_at = now() WHERE id = l.id;
    UPDATE eduql.queue_applications SET status = 'enrolled', status_changed_at = now(), offer_expires_on = NULL, learner_id = learner
    WHERE id = a.id;
    INSERT INTO eduql.queue_status_history (region_id, municipality_id, application_id, from_status, to_status, changed_at, reason,
                                            changed_by, changed_by_name)
    VALUES (a.region_id, a.municipality_id, a.id, 'allocated', 'enrolled', now(), 'Место принято заявителем', eduql.current_id('user_id'),
            (SELECT u.display_name FROM eduql.users u WHERE u.id = eduql.current_id('user_id')));
    RETURN enrollment;
END $$;
REVOKE ALL ON FUNCTION eduql.accept_queue_offer(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.accept_queue_offer(bigint) TO eduql_app;
