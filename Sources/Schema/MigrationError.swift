/// Why migrating stopped before changing anything.
public enum MigrationError: Error, Equatable, CustomStringConvertible {
    /// A migration file is not named `NNNN_name.sql`.
    case badFileName(String)
    /// Two migration files share a version.
    case duplicateVersion(Int)
    /// An applied migration's text differs from the one recorded when it was applied.
    case checksumMismatch(version: Int, name: String)
    /// The database has a migration this build does not know: it is newer than the code.
    case unknownAppliedVersion(Int)

    public var description: String {
        switch self {
        case .badFileName(let file):
            "migration file '\(file)' is not named NNNN_name.sql"
        case .duplicateVersion(let version):
            "two migrations have version \(version)"
        case .checksumMismatch(let version, let name):
            "migration \(version) (\(name)) was changed after it was applied; add a new migration instead"
        case .unknownAppliedVersion(let version):
            "the database has migration \(version), which this build does not know"
        }
    }
}
