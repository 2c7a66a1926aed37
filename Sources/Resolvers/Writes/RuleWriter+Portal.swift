import EduQLAccessControl
import EduQLSchema
import GraphQL
import PostgresNIO

/// Queue applications filed through an integration (the federal services portal): the
/// portal's own number, which makes its retries one application, and the applicant it names,
/// matched in the register by SNILS or entered as a guardian record — never an account.
extension RuleWriter {
    /// The portal's number of the application in `input` (`portalNumber`), required of a client.
    public static func portalNumber(_ input: [String: Map]) throws -> String {
        guard let number = try input.text("portalNumber", at: "input.", lengths: 1...64),
              number.wholeMatch(of: /[0-9A-Za-z][0-9A-Za-z.\/_-]*/) != nil else {
            throw WriteRefusal.invalid("input.portalNumber is required of an integration: 1–64 of letters, digits, '.', '/', '_' and '-'")
        }
        return number
    }

    /// The application this client filed under the portal's `number`, if any. Takes a lock on
    /// the number until the transaction ends, so two retries arriving together file once.
    public func portalApplication(number: String) async throws -> Int? {
        let statement = WriteStatement()
        let bound = statement.bind(number, "text")
        let query = statement.query("""
            SELECT q.id FROM (SELECT pg_advisory_xact_lock(hashtext('portal:' || eduql.current_id('client_id') || ':' || \(bound)))) AS locked \
            LEFT JOIN eduql.queue_applications q ON q.filed_by_client_id = eduql.current_id('client_id') AND q.portal_number = \(bound)
            """)
        return try await self.connection.guardedQuery(query, logger: self.logger).collect().first?.decode(Int?.self) ?? nil
    }

    /// The guardian `input.applicant` names: the region's guardian with that SNILS (and that
    /// last name: a SNILS the register holds under another name is refused), or a new guardian
    /// record under the acting policy's rule for guardians.
    public func portalApplicant(_ input: [String: Map]) async throws -> Int {
        let path = "input.applicant."
        guard let applicant = input.object("applicant") else {
            throw WriteRefusal.invalid("input.applicant is required of an integration: the guardian filing, by SNILS")
        }
        guard let snils = try applicant.text("snils", at: path, lengths: 14...14), RegistryCode.isValidSNILS(snils) else {
            throw WriteRefusal.invalid("\(path)snils must read NNN-NNN-NNN NN with a valid checksum")
        }
        let lastName = try applicant.text("lastName", at: path, lengths: 1...100)
        let statement = WriteStatement()
        let known = statement.query("""
            SELECT g.id, eduql.same_name(g.last_name, \(statement.bind(lastName, "text"))) FROM eduql.guardians g \
            WHERE g.region_id = eduql.current_region_id() AND g.snils = \(statement.bind(snils, "text")) ORDER BY g.id LIMIT 1
            """)
        if let (id, sameName) = try await self.connection.guardedQuery(known, logger: self.logger).collect().first?.decode((Int, Bool).self) {
            guard sameName else { throw WriteRefusal.invalid("\(path)lastName: the register holds this SNILS under another last name") }
            return id
        }
        let birthDate = try applicant.optionalDate("birthDate", at: path)
        if let birthDate, birthDate <= "1900-01-01" || birthDate > Self.today {
            throw WriteRefusal.invalid("\(path)birthDate must be a past date after 1900")
        }
        let insert = WriteStatement()
        var values = [insert.bind(lastName, "text") + " AS last_name"]
        for (field, column, lengths) in [("firstName", "first_name", 1...100), ("middleName", "middle_name", 1...100),
                                         ("phone", "phone", 1...50), ("email", "email", 3...200)] {
            values.append(insert.bind(try applicant.text(field, at: path, lengths: lengths, required: field == "firstName"), "text") + " AS \(column)")
        }
        values.append(insert.bind(birthDate, "date") + " AS birth_date")
        values.append(insert.bind(snils, "text") + " AS snils")
        let source = "SELECT eduql.current_region_id() AS region_id, \(values.joined(separator: ", "))"
        let query = insert.insert(into: .guardians, columns: ["region_id", "last_name", "first_name", "middle_name", "phone", "email", "birth_date", "snils"],
                                  from: source, rule: try self.rule(.guardians, .insert))
        return try await self.run(query, "input.applicant", notFound: "no guardian could be entered", refused: "not yours to enter").ids[0]
    }
}
