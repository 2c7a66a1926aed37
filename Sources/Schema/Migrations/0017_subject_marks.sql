-- Marks by class, subject, term and kind: the per-subject measures of a dashboard
-- (`StatsFilter.subjectId`). Defined like rollup_marks (0012), with the subject in the key.
CREATE TABLE eduql.rollup_subject_marks (
    region_id          bigint NOT NULL,
    municipality_id    bigint NOT NULL,
    organization_id    bigint NOT NULL,
    organization_kind  text NOT NULL,
    class_id           bigint NOT NULL,
    grade              smallint,
    academic_year_id   bigint NOT NULL,
    subject_id         bigint NOT NULL,
    term_id            bigint NOT NULL,
    kind               text NOT NULL,
    marks              bigint NOT NULL,
    value_1            bigint NOT NULL,
    value_2            bigint NOT NULL,
    value_3            bigint NOT NULL,
    value_4            bigint NOT NULL,
    value_5            bigint NOT NULL,
    value_sum          bigint NOT NULL,
    weights            bigint NOT NULL,
    weighted_sum       bigint NOT NULL,
    PRIMARY KEY (class_id, subject_id, term_id, kind)
);
CREATE INDEX ON eduql.rollup_subject_marks (organization_id, subject_id);
CREATE INDEX ON eduql.rollup_subject_marks (municipality_id, subject_id);
CREATE INDEX ON eduql.rollup_subject_marks (region_id, subject_id);

INSERT INTO eduql.rollup_sources
SELECT 'rollup_subject_marks', source,
       '{region_id,municipality_id,organization_id,organization_kind,class_id,grade,academic_year_id,subject_id,term_id,kind}',
       '{class_id,subject_id,term_id,kind}', measures,
       replace(rows, 's.term_id, s.kind', 's.subject_id, s.term_id, s.kind'), defines, orphans
FROM eduql.rollup_sources WHERE rollup = 'rollup_marks';

SELECT eduql.attach_rollup(s) FROM eduql.rollup_sources s WHERE s.rollup = 'rollup_subject_marks';
SELECT eduql.rebuild_rollup('rollup_subject_marks');
SELECT eduql.apply_tenancy('eduql.rollup_subject_marks');
REVOKE INSERT, UPDATE, DELETE ON eduql.rollup_subject_marks FROM eduql_app;
ANALYZE eduql.rollup_subject_marks;
