-- Every foreign key of the federated sign-in tables has an index that starts with its columns
-- (a deleted account or region is found without a scan).
CREATE INDEX ON eduql.federated_identities (linked_by);
CREATE INDEX ON eduql.federated_logins (region_id);
CREATE INDEX ON eduql.federated_logins (link_user_id);
