-- What several EduQL processes behind one balancer must share and kept in one process's memory
-- until now (issue «beyond one database server», part 2): the sign-in attempts counted per
-- client address, and the imports started through the API.

-- Sign-in and client-token attempts per client address, in one-minute windows that start at
-- an address's first attempt (as the per-process counter did). A deployment's processes count
-- the same attempts, so an address gets its limit once, not once per process.
CREATE TABLE eduql.sign_in_attempts (
    address      text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    attempts     integer NOT NULL
);
CREATE INDEX ON eduql.sign_in_attempts (window_start);

-- Counts an attempt from p_address; the seconds to wait when it is over p_limit in its window,
-- else null. A window over a minute old starts again with this attempt.
CREATE FUNCTION eduql.count_sign_in_attempt(p_address text, p_limit integer) RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    INSERT INTO eduql.sign_in_attempts AS a (address, window_start, attempts) VALUES (p_address, now(), 1)
    ON CONFLICT (address) DO UPDATE SET
        window_start = CASE WHEN a.window_start <= now() - interval '1 minute' THEN now() ELSE a.window_start END,
        attempts = CASE WHEN a.window_start <= now() - interval '1 minute' THEN 1 ELSE a.attempts + 1 END
    RETURNING CASE WHEN attempts > p_limit THEN greatest(1, 60 - floor(extract(epoch FROM now() - window_start))::integer) END
$$;

-- Imports started through the API: each process runs its own, and any process answers for
-- them. The row is the job's answer as `GET /onboarding/imports/{id}` gives it; the process
-- running the job writes it every second (`updated_at`) and reads whether it was asked to
-- stop; a job whose process stopped writing is answered as failed (its transaction rolled back
-- with its connection). Reached only through the functions below, by the job's id and user.
CREATE TABLE eduql.import_jobs (
    id               text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
    region_id        bigint NOT NULL REFERENCES eduql.regions,
    user_id          bigint NOT NULL REFERENCES eduql.users,
    answer           jsonb NOT NULL,
    cancel_requested boolean NOT NULL DEFAULT false,
    started_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX ON eduql.import_jobs (user_id);
CREATE INDEX ON eduql.import_jobs (region_id);
CREATE INDEX ON eduql.import_jobs (finished_at);

CREATE FUNCTION eduql.import_job_start(p_id text, p_region bigint, p_user bigint, p_answer jsonb) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    INSERT INTO eduql.import_jobs (id, region_id, user_id, answer) VALUES (p_id, p_region, p_user, p_answer)
$$;

-- Writes the running process's answer (and, with p_finished, that the job ended); whether the
-- job was asked to stop.
CREATE FUNCTION eduql.import_job_write(p_id text, p_answer jsonb, p_finished boolean) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    UPDATE eduql.import_jobs SET answer = p_answer, updated_at = now(),
           finished_at = CASE WHEN p_finished THEN now() ELSE finished_at END
     WHERE id = p_id RETURNING cancel_requested
$$;

-- The job's answer for its user, a finished job's for an hour after its end; a running job
-- whose process has not written for p_stale_seconds is answered as failed.
CREATE FUNCTION eduql.import_job_answer(p_id text, p_user bigint, p_stale_seconds integer) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    SELECT CASE WHEN j.finished_at IS NULL AND j.updated_at < now() - make_interval(secs => p_stale_seconds)
                THEN j.answer || '{"status": "failed", "message": "failed: the server running it stopped; nothing was changed"}'
                ELSE j.answer END
      FROM eduql.import_jobs j
     WHERE j.id = p_id AND j.user_id = p_user AND (j.finished_at IS NULL OR j.finished_at > now() - interval '1 hour')
$$;

-- Asks the job's process to stop it; whether the user has such a running job.
CREATE FUNCTION eduql.import_job_cancel(p_id text, p_user bigint) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    WITH asked AS (
        UPDATE eduql.import_jobs SET cancel_requested = true WHERE id = p_id AND user_id = p_user AND finished_at IS NULL RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM asked)
$$;

-- Housekeeping: windows that have ended, and jobs finished over an hour ago (or abandoned a day).
CREATE FUNCTION eduql.forget_shared_state() RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
    DELETE FROM eduql.sign_in_attempts WHERE window_start < now() - interval '1 minute';
    DELETE FROM eduql.import_jobs WHERE finished_at < now() - interval '1 hour' OR updated_at < now() - interval '1 day';
$$;

REVOKE ALL ON FUNCTION eduql.count_sign_in_attempt(text, integer), eduql.import_job_start(text, bigint, bigint, jsonb),
    eduql.import_job_write(text, jsonb, boolean), eduql.import_job_answer(text, bigint, integer),
    eduql.import_job_cancel(text, bigint), eduql.forget_shared_state() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.count_sign_in_attempt(text, integer), eduql.import_job_start(text, bigint, bigint, jsonb),
    eduql.import_job_write(text, jsonb, boolean), eduql.import_job_answer(text, bigint, integer),
    eduql.import_job_cancel(text, bigint), eduql.forget_shared_state() TO eduql_app;
