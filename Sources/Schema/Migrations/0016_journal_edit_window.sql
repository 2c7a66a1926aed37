-- How many days after a lesson its teacher may still write its marks and attendance (default 3,
-- per region); school administrators may write any lesson of the current academic year.
ALTER TABLE eduql.regions
    ADD COLUMN journal_edit_days integer NOT NULL DEFAULT 3 CHECK (journal_edit_days BETWEEN 0 AND 60);
