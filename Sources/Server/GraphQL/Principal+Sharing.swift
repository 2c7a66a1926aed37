import EduQLAccessControl

extension Principal {
    /// Whose writes its later reads must see (``ReplicaSet``): the user, or the integration client.
    var readerKey: String {
        switch self {
        case .user(let user): "user:\(user.userID)"
        case .client(let client): "client:\(client.clientID)"
        }
    }

    /// What the database's tenancy settings are made of for this principal — role, scope and
    /// person links, everything `eduql.act_as` sets that a statement can read — so that two
    /// principals with equal values get equal answers (``SharedAnswers``). Integration clients
    /// never share.
    var sharingScope: String? {
        guard case .user(let user) = self else { return nil }
        let scope = user.scope
        let values: [Int?] = [scope.regionID, scope.municipalityID, scope.organizationID, scope.classID, user.staffID, user.guardianID, user.learnerID]
        return user.role.rawValue + ":" + values.map { $0.map(String.init) ?? "-" }.joined(separator: ",")
    }
}
