-- Grants name trusted documents by id: 'sha256:' and the hex SHA-256 of the document's exact
-- bytes, as queries/manifest.json lists them. Paths named before become the ids of the
-- documents they named then; a grant naming a path unknown here stops the migration.
UPDATE eduql.integration_grants g
SET documents = ARRAY(
    SELECT coalesce(m.id, d.path) FROM unnest(g.documents) WITH ORDINALITY AS d(path, n)
    LEFT JOIN (VALUES
        ('sha256:0b6c04bb40eec2921b7b13fc60c170a1ed6efa2b3c095c5dd121bca39645456f', 'teacher/journal-page.graphql'),
        ('sha256:20e9f1b91f3e5f74ee805b758bb97f347d1d01faf3d767c06a8476e3fa5bd0b0', 'school-portal/class-page.graphql'),
        ('sha256:3a36a7e5b72483c46daa386c4ed106c419c8fe6c83f74bb30ff225dee01a9219', 'integration/roster-export.graphql'),
        ('sha256:45814777c32635131fab0cbe5368142349a6dcc389dda5ca9b26cc44ade5b1d3', 'school-portal/class-stats.graphql'),
        ('sha256:680d46bdb8808681ba2b7cc32aef973abe7f81a5d5d1548e38338eaecffd1cde', 'municipal-dashboard/organization-stats.graphql'),
        ('sha256:ae7f711307bdf2e83871aebed778d73609a3016bb36aa5fa7de91a5311161ff3', 'region-dashboard/municipality-stats.graphql'),
        ('sha256:aeafba32eb2d505fbe411907b9bfae30f6de0580981ec9a9f873b15665d554e5', 'municipal-queue-desk/queue.graphql'),
        ('sha256:b70d824cedbac71517e19a17faadc86cfb314c4cd4b0486ef64cec15f72e589f', 'parent/queue-position.graphql'),
        ('sha256:d62d00f38f6fe9dd142604c912ae570c4029a0ba9ea2d5c7b2cba4305383308c', 'parent/diary-week.graphql')
    ) AS m(id, path) ON m.path = d.path
    ORDER BY d.n
)
WHERE cardinality(documents) > 0;
DO $$
BEGIN
    IF EXISTS (SELECT FROM eduql.integration_grants g, unnest(g.documents) AS d(document) WHERE d.document !~ '^sha256:[0-9a-f]{64}$') THEN
        RAISE EXCEPTION 'integration grants name documents that are not in queries/ (see eduql.integration_grants.documents)';
    END IF;
END $$;

ALTER TABLE eduql.integration_grants ADD CONSTRAINT integration_grants_document_ids
    CHECK (array_to_string(documents, ' ') ~ '^(sha256:[0-9a-f]{64}( |$))*$');
