import EduQLAccessControl
import Foundation
import Hummingbird

/// What the auth endpoints answer.
enum Authenticated {
    /// A role assignment as clients see it: `{"id", "role", "scope": {"kind", "id"}}`.
    struct Assignment: Codable, Equatable {
        struct ScopeRef: Codable, Equatable {
            var kind: String
            var id: Int
        }

        var id: Int
        var role: String
        var scope: ScopeRef

        init(_ assignment: Authenticator.Assignment) {
            self.id = assignment.id
            self.role = assignment.role.rawValue
            self.scope = ScopeRef(kind: assignment.scope.kind, id: assignment.scope.id)
        }
    }

    /// `POST /auth/login`'s answer.
    struct Login: ResponseEncodable {
        var token: String
        var expiresAt: Date
        var mustChangePassword: Bool
        var role: String
        var scope: Assignment.ScopeRef
        var roles: [Assignment]

        init(_ session: Authenticator.Session) {
            self.token = session.token.value
            self.expiresAt = session.expiresAt
            self.mustChangePassword = session.mustChangePassword
            self.role = session.assignment.role.rawValue
            self.scope = Assignment(session.assignment).scope
            self.roles = session.assignments.map(Assignment.init)
        }
    }

    /// `GET /auth/session`'s answer: the principal the token acts as.
    struct Principal: ResponseEncodable {
        var kind: String
        var id: Int
        var name: String
        var role: String
        var scope: Assignment.ScopeRef
        var guardianId: Int?
        var learnerId: Int?
        var staffId: Int?

        init(_ user: UserPrincipal) {
            self.kind = "user"
            self.id = user.userID
            self.name = user.login
            self.role = user.role.rawValue
            self.scope = .init(kind: user.scope.kind, id: user.scope.id)
            self.guardianId = user.guardianID
            self.learnerId = user.learnerID
            self.staffId = user.staffID
        }

        init(_ client: ClientPrincipal) {
            self.kind = "client"
            self.id = client.clientID
            self.name = client.name
            self.role = "integration"
            self.scope = .init(kind: "region", id: client.regionID)
        }
    }

    static let passwordChangeRequired = APIError(
        status: .forbidden, code: "PASSWORD_CHANGE_REQUIRED",
        message: "this account has a temporary or expired password: change it with POST /auth/password first"
    )
}

extension Authenticator.Failure {
    /// The HTTP answer of a refused sign-in or token.
    var apiError: APIError {
        switch self {
        case .invalidCredentials:
            APIError(status: .unauthorized, code: self.code, message: "invalid login or password")
        case .throttled(let wait):
            APIError(status: .tooManyRequests, code: self.code, message: "too many sign-in attempts; try again later",
                     headers: [.retryAfter: String(wait)])
        case .roleRequired(let assignments):
            APIError(status: .badRequest, code: self.code, message: "this account holds several roles: name one in \"role\"",
                     roles: assignments.map(Authenticated.Assignment.init))
        case .roleNotHeld:
            APIError(status: .forbidden, code: self.code, message: "the role named is not one this account holds")
        case .noRole:
            APIError(status: .forbidden, code: self.code, message: "this account holds no active role")
        case .unauthenticated:
            APIError.unauthenticated
        case .wrongPassword:
            APIError(status: .forbidden, code: self.code, message: "the old password is wrong")
        case .weakPassword(let violation):
            APIError(status: .badRequest, code: self.code, message: violation.message)
        }
    }
}

extension PasswordPolicy.Violation {
    var message: String {
        switch self {
        case .tooShort: "the new password is too short for this region's policy"
        case .tooLong: "the new password is longer than 1,024 bytes"
        case .sameAsLogin: "the new password may not be the login"
        case .common: "the new password is too common"
        }
    }
}
