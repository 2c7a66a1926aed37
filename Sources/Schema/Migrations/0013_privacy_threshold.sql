-- Each region sets the smallest group of learners whose measures a dashboard may show (default
-- 5; statistics offices often use 10). Read by `stats` through the caller's own region row.
ALTER TABLE eduql.regions
    ADD COLUMN privacy_threshold integer NOT NULL DEFAULT 5 CHECK (privacy_threshold BETWEEN 2 AND 1000);
