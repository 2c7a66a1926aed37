-- A maintained ranking for positions per kindergarten: each choice carries its application's
-- place in the queue order (age group, priority class, registration time) and whether it is
-- queued, so that "how many queued applications naming this kindergarten in this age group
-- come before mine" is one index-only count. Triggers keep the copies equal to the application.

ALTER TABLE eduql.queue_application_choices
    ADD COLUMN age_group smallint,
    ADD COLUMN priority_rank smallint,
    ADD COLUMN registered_at timestamptz,
    ADD COLUMN queued boolean NOT NULL DEFAULT false;
UPDATE eduql.queue_application_choices c
SET age_group = q.age_group, priority_rank = q.priority_rank, registered_at = q.registered_at, queued = q.status = 'queued'
FROM eduql.queue_applications q WHERE q.id = c.application_id;
ALTER TABLE eduql.queue_application_choices
    ALTER COLUMN age_group SET NOT NULL,
    ALTER COLUMN priority_rank SET NOT NULL,
    ALTER COLUMN registered_at SET NOT NULL;
CREATE INDEX queue_choice_order ON eduql.queue_application_choices (organization_id, age_group, priority_rank, registered_at, application_id)
    WHERE queued;

-- A new choice takes its application's place in the order.
CREATE FUNCTION eduql.queue_choice_rank() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT q.age_group, q.priority_rank, q.registered_at, q.status = 'queued'
    INTO NEW.age_group, NEW.priority_rank, NEW.registered_at, NEW.queued
    FROM eduql.queue_applications q WHERE q.id = NEW.application_id;
    RETURN NEW;
END $$;
CREATE TRIGGER queue_choice_rank BEFORE INSERT OR UPDATE OF application_id ON eduql.queue_application_choices
    FOR EACH ROW EXECUTE FUNCTION eduql.queue_choice_rank();

-- An application that changes its place or leaves the queue moves its choices with it.
CREATE FUNCTION eduql.queue_application_rank() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE eduql.queue_application_choices
    SET age_group = NEW.age_group, priority_rank = NEW.priority_rank, registered_at = NEW.registered_at, queued = NEW.status = 'queued'
    WHERE application_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER queue_application_rank AFTER UPDATE OF status, age_group, priority_rank, registered_at ON eduql.queue_applications
    FOR EACH ROW
    WHEN ((OLD.status = 'queued', OLD.age_group, OLD.priority_rank, OLD.registered_at)
          IS DISTINCT FROM (NEW.status = 'queued', NEW.age_group, NEW.priority_rank, NEW.registered_at))
    EXECUTE FUNCTION eduql.queue_application_rank();

ANALYZE eduql.queue_application_choices;
