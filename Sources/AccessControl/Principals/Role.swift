/// A role a user holds at a scope. Levels nest: region above municipality above organization.
public enum Role: String, Sendable, Codable, CaseIterable {
    case regionAdmin = "region_admin"
    case mouoAdmin = "mouo_admin"
    case schoolAdmin = "school_admin"
    case teacher
    case homeroomTeacher = "homeroom_teacher"
    case parent
    case student
}
