/// Which roles each role may grant, as data: an admin acts only inside its own scope and
/// grants only roles below its own level.
public enum GrantRules {
    /// The roles each administering role may grant (and revoke, and administer accounts of).
    public static let grantable: [Role: Set<Role>] = [
        .regionAdmin: [.mouoAdmin, .schoolAdmin, .teacher, .homeroomTeacher, .student, .parent],
        .mouoAdmin: [.schoolAdmin],
        .schoolAdmin: [.teacher, .homeroomTeacher, .student, .parent],
    ]

    /// The scope levels a role is held at: which of municipality, organization, class it names.
    static func shapeFits(_ role: Role, _ scope: Scope) -> Bool {
        switch role {
        case .regionAdmin, .parent:
            scope.municipalityID == nil && scope.organizationID == nil && scope.classID == nil
        case .mouoAdmin:
            scope.municipalityID != nil && scope.organizationID == nil && scope.classID == nil
        case .schoolAdmin, .teacher, .student:
            scope.organizationID != nil && scope.classID == nil
        case .homeroomTeacher:
            scope.organizationID != nil && scope.classID != nil
        }
    }

    /// Whether `actor` may grant `role` at `scope`. A parent's scope is the region; which
    /// children make it the actor's business is checked against the data.
    static func allows(_ actor: UserPrincipal, toGrant role: Role, at scope: Scope) -> Bool {
        guard self.grantable[actor.role]?.contains(role) == true, self.shapeFits(role, scope) else { return false }
        return role == .parent ? scope.regionID == actor.scope.regionID : actor.scope.contains(scope)
    }
}
