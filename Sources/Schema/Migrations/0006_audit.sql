-- Audit: one event per request, in monthly partitions. The server's role may only insert and
-- read; updates, deletes and truncation are revoked and also blocked by triggers.
-- Documents are stored once per SHA-256.

CREATE TABLE eduql.audit_documents (
    sha256      bytea PRIMARY KEY CHECK (length(sha256) = 32),
    document    text NOT NULL,
    first_seen  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE eduql.audit_events (
    seq              bigint NOT NULL,
    occurred_at      timestamptz NOT NULL,
    region_id        bigint,
    municipality_id  bigint,
    organization_id  bigint,
    request_id       text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('graphql', 'auth', 'admin')),
    action           text NOT NULL,
    user_id          bigint,
    client_id        bigint,
    login            text,
    role             text,
    client_ip        inet,
    user_agent       text,
    operation_type   text,
    operation_name   text,
    document_sha256  bytea,
    variables        jsonb,
    root_fields      text[] NOT NULL DEFAULT '{}',
    learner_ids      bigint[] NOT NULL DEFAULT '{}',
    row_count        integer,
    outcome          text NOT NULL CHECK (outcome IN ('ok', 'partial', 'denied', 'invalid', 'error')),
    error_codes      text[] NOT NULL DEFAULT '{}',
    detail           jsonb,
    duration_ms      double precision,
    prev_hash        bytea,
    hash             bytea,
    PRIMARY KEY (seq, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX ON eduql.audit_events (region_id, occurred_at);
CREATE INDEX ON eduql.audit_events USING gin (learner_ids);

-- Creates the month's partition if it is missing; the server calls it for this month and the next.
CREATE FUNCTION eduql.ensure_audit_partition(month date) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    name text := format('audit_events_%s', to_char(first_day, 'YYYY_MM'));
BEGIN
    IF to_regclass('eduql.' || name) IS NULL THEN
        EXECUTE format('CREATE TABLE eduql.%I PARTITION OF eduql.audit_events FOR VALUES FROM (%L) TO (%L)',
                       name, first_day, (first_day + interval '1 month')::date);
    END IF;
    RETURN name;
END $$;

SELECT eduql.ensure_audit_partition(current_date);
SELECT eduql.ensure_audit_partition((current_date + interval '1 month')::date);

CREATE FUNCTION eduql.refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records cannot be changed (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON eduql.audit_events
    FOR EACH ROW EXECUTE FUNCTION eduql.refuse_audit_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON eduql.audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION eduql.refuse_audit_change();
CREATE TRIGGER audit_documents_append_only BEFORE UPDATE OR DELETE ON eduql.audit_documents
    FOR EACH ROW EXECUTE FUNCTION eduql.refuse_audit_change();
CREATE TRIGGER audit_documents_no_truncate BEFORE TRUNCATE ON eduql.audit_documents
    FOR EACH STATEMENT EXECUTE FUNCTION eduql.refuse_audit_change();
