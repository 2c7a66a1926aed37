import EduQLSchema
import Logging
import PostgresNIO

extension PostgresConnection {
    /// The first column of the first row, decoded as `T`.
    func scalar<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T {
        let rows = try await self.query(query, logger: Logger(label: "eduql-tests")).collect()
        guard let row = rows.first else { throw ScalarMissing(sql: query.sql) }
        return try row.decode(T.self)
    }

    /// All rows' first column, decoded as `T`.
    func column<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> [T] {
        try await self.query(query, logger: Logger(label: "eduql-tests")).collect().map { try $0.decode(T.self) }
    }

    /// Runs a statement, reading its result to the end.
    func execute(_ query: PostgresQuery) async throws {
        try await self.execute(query, logger: Logger(label: "eduql-tests"))
    }
}

struct ScalarMissing: Error {
    var sql: String
}

/// The SQLSTATE of a PostgreSQL error, looking through transaction wrappers.
func sqlState(of error: (any Error)?) -> String? {
    switch error {
    case let error as PSQLError:
        error.serverInfo?[.sqlState]
    case let error as PostgresTransactionError:
        sqlState(of: error.closureError ?? error.commitError ?? error.beginError)
    default:
        nil
    }
}
