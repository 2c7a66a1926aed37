import EduQLResolvers
import PostgresNIO

extension ConnectionSettings {
    /// The pool GraphQL reads run on: every transaction read-only, every statement limited to
    /// the limits' `statement_timeout`; 16 connections.
    func readerConfiguration(limits: QueryLimits) -> PostgresClient.Configuration {
        var configuration = self.clientConfiguration
        configuration.options.maximumConnections = 16
        configuration.options.additionalStartupParameters = Self.startupParameters + [
            ("default_transaction_read_only", "on"),
            ("statement_timeout", String(limits.statementTimeoutMilliseconds)),
        ]
        return configuration
    }
}
