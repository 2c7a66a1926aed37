import EduQLAccessControl
import EduQLResolvers
import Foundation
import GraphQL

extension MutationExecutor {
    /// A `GrantAccessInput` as a grant: its documents must be trusted documents, its fields
    /// `Type.field` names a grant can reach, its rate both parts or neither.
    func grant(_ input: [String: Map], key: String) throws -> AccountAdministration.Grant {
        func list(_ name: String) -> [Map] { if case .array(let items)? = input[name] { items } else { [] } }
        func ids(_ name: String) throws -> [Int] {
            try list(name).map { item in
                guard let id = try ["id": item].id("id") else {
                    throw Refused(key: key, code: "BAD_USER_INPUT", message: "\(name) lists an id that is not one")
                }
                return id
            }
        }
        let documents = list("documentIds").compactMap(\.text)
        if let unknown = documents.first(where: { !self.engine.isTrustedDocument($0) }) {
            throw Refused(key: key, code: "BAD_USER_INPUT", message: "\(unknown) is not the id of a trusted document (queries/manifest.json)")
        }
        let fields = list("fields").compactMap(\.text)
        if let unknown = fields.first(where: { name in
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            return parts.count != 2 || !self.engine.hasField(parts[0], parts[1]) || !Policy.grantable(parts[0], parts[1])
        }) {
            throw Refused(key: key, code: "BAD_USER_INPUT", message: "\(unknown) is not a Type.field an integration grant can name")
        }
        let rate = try self.rate(input, key: key)
        var writes: [GrantedWrite] = []
        for (index, item) in list("writes").enumerated() {
            guard let write = ["write": item].object("write"), let mutation = write["mutation"]?.text, GrantedWrite.delegable[mutation] != nil else {
                throw Refused(key: key, code: "BAD_USER_INPUT", message: "writes[\(index)].mutation must be one of "
                              + GrantedWrite.delegable.keys.sorted().joined(separator: ", "))
            }
            guard !writes.contains(where: { $0.mutation == mutation }) else {
                throw Refused(key: key, code: "BAD_USER_INPUT", message: "writes names \(mutation) twice")
            }
            writes.append(GrantedWrite(mutation: mutation, limit: try self.rate(write, key: key)))
        }
        // Any `DateTime` the schema takes: with or without a fraction, `Z` or an offset, in either case.
        let expiry = input["expiresAt"]?.text?.uppercased() ?? ""
        guard let expiresAt = (try? Date.ISO8601FormatStyle(includingFractionalSeconds: false).parse(expiry))
                ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(expiry)) else {
            throw Refused(key: key, code: "BAD_USER_INPUT", message: "expiresAt must be an ISO-8601 date and time")
        }
        return AccountAdministration.Grant(municipalityIDs: try ids("municipalityIds"), organizationIDs: try ids("organizationIds"),
                                           documents: documents, fields: fields, writes: writes, rate: rate, expiresAt: expiresAt)
    }

    /// `ratePerSecond` and `burst` of `input`: both, or neither (nil).
    func rate(_ input: [String: Map], key: String) throws -> TokenBuckets.Limit? {
        switch (input["ratePerSecond"], input["burst"]) {
        case (.number(let perSecond)?, .number(let burst)?):
            let limit = TokenBuckets.Limit(rate: perSecond.doubleValue, burst: burst.intValue)
            guard limit.rate.isFinite, limit.rate > 0, limit.rate <= 100_000, (1...1_000_000).contains(limit.burst) else {
                throw Refused(key: key, code: "BAD_USER_INPUT", message: "ratePerSecond must be in (0, 100000] and burst in [1, 1000000]")
            }
            return limit
        case (nil, nil), (.null?, .null?), (nil, .null?), (.null?, nil): return nil
        default: throw Refused(key: key, code: "BAD_USER_INPUT", message: "ratePerSecond and burst go together")
        }
    }
}
