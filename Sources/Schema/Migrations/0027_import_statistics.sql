-- An import fills tables from nothing inside one transaction: the planner's statistics still
-- say they are empty, and the per-row statements (the import's matches, the rollups' and the
-- change feed's triggers) are planned as scans. The importer refreshes the statistics of what a
-- sheet wrote before the next sheet (ANALYZE counts the transaction's own new rows); the
-- server's role owns no table, so it asks the owner through this function.
CREATE FUNCTION eduql.import_analyze(p_entity text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY CASE p_entity
        WHEN 'organization' THEN ARRAY['organizations']
        WHEN 'staff' THEN ARRAY['staff']
        WHEN 'class' THEN ARRAY['classes']
        WHEN 'learner' THEN ARRAY['learners']
        WHEN 'guardian' THEN ARRAY['guardians']
        WHEN 'guardian_link' THEN ARRAY['guardian_learners']
        WHEN 'enrollment' THEN ARRAY['enrollments', 'rollup_contingent']
        WHEN 'teaching_assignment' THEN ARRAY['teaching_assignments']
        WHEN 'timetable_entry' THEN ARRAY['timetable_entries']
        ELSE ARRAY[]::text[] END || ARRAY['import_keys']
    LOOP
        EXECUTE format('ANALYZE eduql.%I', tbl);
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION eduql.import_analyze(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.import_analyze(text) TO eduql_app;
