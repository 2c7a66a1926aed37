/// The PostgreSQL roles EduQL uses.
///
/// The owner role owns the schema, runs migrations and seeds (BYPASSRLS); the server role is the
/// one `eduql serve` logs in as: NOBYPASSRLS, owning nothing, bound by row-level security.
public enum DatabaseRole {
    /// Owns every object of the `eduql` schema.
    public static let owner = "eduql_owner"
    /// The server's login role, named in the migrations' grants.
    public static let server = "eduql_app"
}
