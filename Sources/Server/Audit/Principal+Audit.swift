import EduQLAccessControl
import EduQLAudit

extension Principal {
    /// Puts who acted, in which role and at which scope, into an audit event.
    func describe(into event: inout AuditEvent) {
        switch self {
        case .user(let user):
            event.userID = user.userID
            event.login = user.login
            event.role = user.role.rawValue
            event.regionID = user.scope.regionID
            event.municipalityID = user.scope.municipalityID
            event.organizationID = user.scope.organizationID
            if let classID = user.scope.classID { event.detail["classId"] = String(classID) }
        case .client(let client):
            event.clientID = client.clientID
            event.login = client.name
            event.role = "integration"
            event.regionID = client.regionID
            event.detail["grantId"] = String(client.grantID)
        }
    }
}
