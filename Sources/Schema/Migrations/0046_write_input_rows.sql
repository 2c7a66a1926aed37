-- The rows of a write's JSON input, for the planner a handful. A journal entry read its rows
-- with jsonb_to_recordset, which the planner takes for 100 rows whatever the array holds; its
-- write rules' EXISTS checks (the learner enrolled on the lesson's date, the term's class) were
-- then cheaper to run once over every lesson and enrollment of the region, hashed, than 100
-- times by index. On a small region (the demo data, a region early in its first year) that
-- made a lesson's marks and attendance take ~50 ms each instead of ~1 ms. This function is not
-- inlined (its SET clause), so its ROWS estimate stands; each element is then read with
-- jsonb_to_record, one row per element.
CREATE FUNCTION eduql.input_rows(p_rows jsonb) RETURNS SETOF jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 10 SET search_path = pg_catalog AS $$
    SELECT jsonb_array_elements(p_rows)
$$;
REVOKE ALL ON FUNCTION eduql.input_rows(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION eduql.input_rows(jsonb) TO eduql_app;
