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
