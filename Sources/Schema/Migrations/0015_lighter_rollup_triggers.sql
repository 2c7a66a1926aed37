-- The rollups' statement triggers, lighter: an insert only adds to rollup rows (every rollup's
-- first measure counts rows, so none can reach zero), so its branch runs the upsert alone, not
-- the upsert and then the removal of rows at zero. Measured with `scripts/bench`'s journal write.

-- As eduql.rollup_delta_sql (0012), the removal of rows at zero only when `prune`.
CREATE FUNCTION eduql.rollup_delta_sql(spec eduql.rollup_sources, delta text, prune boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN prune THEN full_text ELSE left(full_text, strpos(full_text, '; DELETE FROM') - 1) END
    FROM (SELECT eduql.rollup_delta_sql(spec, delta) AS full_text) t
$$;

CREATE OR REPLACE FUNCTION eduql.attach_rollup(spec eduql.rollup_sources) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    name text := format('%s_from_%s', spec.rollup, (SELECT relname FROM pg_class WHERE oid = spec.source));
    plus text := format('SELECT p.*, 1 AS sign_ FROM (%s) p', format(spec.rows, 'new_rows'));
    minus text := format('SELECT %s, %s, -1 AS sign_ FROM (%s) m',
                         (SELECT string_agg(format('%I', k), ', ') FROM unnest(spec.keys) k),
                         (SELECT string_agg(format('-%I AS %I', m, m), ', ') FROM unnest(spec.measures) m),
                         format(spec.rows, 'old_rows'));
    guard text := CASE WHEN spec.orphans IS NULL THEN '' ELSE format(
        'IF EXISTS (%s) THEN RAISE EXCEPTION USING ERRCODE = %L, MESSAGE = %L; END IF;',
        format(spec.orphans, 'old_rows'), 'foreign_key_violation',
        format('rows of %s were deleted together with the rows they join in one statement; %s cannot follow: delete them in separate statements',
               spec.source, spec.rollup)) END;
BEGIN
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION eduql.%1$I() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, eduql AS $body$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                %2$s;
            ELSIF TG_OP = 'DELETE' THEN
                %5$s
                %3$s;
            ELSE
                %5$s
                %4$s;
            END IF;
            RETURN NULL;
        END $body$
        $f$, name,
        eduql.rollup_delta_sql(spec, plus, false), eduql.rollup_delta_sql(spec, minus),
        eduql.rollup_delta_sql(spec, plus || ' UNION ALL ' || minus), guard);
    EXECUTE format('DROP TRIGGER IF EXISTS %1$I_update ON %2$s', name, spec.source);
    EXECUTE format('CREATE TRIGGER %1$I_update AFTER UPDATE ON %2$s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION eduql.%1$I()', name, spec.source);
    IF spec.defines THEN
        EXECUTE format('DROP TRIGGER IF EXISTS %1$I_insert ON %2$s', name, spec.source);
        EXECUTE format('CREATE TRIGGER %1$I_insert AFTER INSERT ON %2$s REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION eduql.%1$I()', name, spec.source);
        EXECUTE format('DROP TRIGGER IF EXISTS %1$I_delete ON %2$s', name, spec.source);
        EXECUTE format('CREATE TRIGGER %1$I_delete AFTER DELETE ON %2$s REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION eduql.%1$I()', name, spec.source);
    END IF;
END $$;

SELECT eduql.attach_rollup(s) FROM eduql.rollup_sources s;
