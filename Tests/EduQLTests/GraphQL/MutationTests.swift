import EduQLServer
import Foundation
import HTTPTypes
import Logging
import PostgresNIO
import Testing

/// The administration mutations over GraphQL: account administration's grant rules decide,
/// and the result is read back under the caller's policy.
@Suite("Administration mutations", .timeLimit(.minutes(3)))
struct MutationTests {
    @Test("a school admin creates a teacher account, resets its password, disables and enables it")
    func accountLifecycle() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let admin = try await api.demoToken("school.admin")
            let created = try await api.graphql("""
                mutation($input: CreateUserInput!) {
                  createUser(input: $input) { temporaryPassword user { id login mustChangePassword disabled roles { role scope { kind id } } } }
                }
                """, variables: ["input": ["login": "new.teacher", "displayName": "Новый учитель", "role": "TEACHER",
                                           "organizationId": "1", "staffId": "102"]], token: admin)
            #expect(created.errorCodes.isEmpty, "\(created.text)")
            let password = try #require(created.data?.at("createUser.temporaryPassword") as? String)
            let userID = try #require(created.data?.at("createUser.user.id") as? String)
            #expect(created.data?.at("createUser.user.login") as? String == "new.teacher")
            #expect(created.data?.at("createUser.user.mustChangePassword") as? Bool == true)
            let roles = created.data?.at("createUser.user.roles") as? [[String: Any]]
            #expect(roles?.first?["role"] as? String == "TEACHER")
            #expect(roles?.first?.at("scope.id") as? String == "1")
            #expect(try await api.login("new.teacher", password).status == .ok)

            let reset = try await api.graphql("mutation { resetPassword(userId: \(userID)) { temporaryPassword } }", token: admin)
            let second = try #require(reset.data?.at("resetPassword.temporaryPassword") as? String, "\(reset.text)")
            #expect(second != password)
            #expect(try await api.login("new.teacher", password).status == .unauthorized)

            let disabled = try await api.graphql("mutation { disableUser(userId: \(userID)) { disabled } }", token: admin)
            #expect(disabled.data?.at("disableUser.disabled") as? Bool == true, "\(disabled.text)")
            #expect(try await api.login("new.teacher", second).status == .unauthorized)
            let enabled = try await api.graphql("mutation { enableUser(userId: \(userID)) { disabled } }", token: admin)
            #expect(enabled.data?.at("enableUser.disabled") as? Bool == false)
            #expect(try await api.login("new.teacher", second).status == .ok)
        }
    }

    @Test("grant rules hold over GraphQL; roles without administration have no Mutation type")
    func refusals() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let mouo = try await api.demoToken("mouo.admin")
            let elsewhere = try await api.graphql("""
                mutation { createUser(input: { login: "x.admin", displayName: "X", role: SCHOOL_ADMIN, organizationId: 4 }) { temporaryPassword } }
                """, token: mouo)
            // Another municipality's school does not exist for this admin: not found, not forbidden.
            #expect(elsewhere.errorCodes == ["BAD_USER_INPUT"], "\(elsewhere.text)")
            #expect(elsewhere.data == nil)
            #expect(((elsewhere.json["errors"] as? [[String: Any]])?.first?["path"] as? [String]) == ["createUser"])
            let teacherRole = try await api.graphql("""
                mutation { createUser(input: { login: "x.teacher", displayName: "X", role: TEACHER, organizationId: 1 }) { temporaryPassword } }
                """, token: mouo)
            #expect(teacherRole.errorCodes == ["FORBIDDEN"], "a municipality grants school admins only")
            let count = try await database.owner.withConnection(logger: Logger(label: "eduql-tests")) {
                try await $0.scalar("SELECT count(*)::int FROM eduql.users WHERE login LIKE 'x.%'", as: Int.self)
            }
            #expect(count == 0)
            for login in ["teacher", "homeroom", "parent", "student"] {
                let reply = try await api.graphql("mutation { disableUser(userId: 1) { id } }", token: try await api.demoToken(login))
                #expect(reply.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(login): \(reply.text)")
            }
        }
    }
}
