-- An import matches people by SNILS within the region (and asks whether a SNILS is enrolled at
-- another organization) once per row: without these, each match reads every learner or guardian
-- of the region, and a region's import grows with the square of its size.
CREATE INDEX learners_region_snils ON eduql.learners (region_id, snils) WHERE snils IS NOT NULL;
CREATE INDEX guardians_region_snils ON eduql.guardians (region_id, snils) WHERE snils IS NOT NULL;
