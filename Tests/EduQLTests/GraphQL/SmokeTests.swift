import Foundation
import HTTPTypes
import Testing

@Suite("GraphQL smoke", .timeLimit(.minutes(3)))
struct SmokeTests {
    @Test("every demo account reads me")
    func me() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            for login in ["region.admin", "mouo.admin", "school.admin", "teacher", "homeroom", "parent", "student"] {
                let token = try await api.demoToken(login)
                let reply = try await api.graphql("{ me { kind name role scope { kind id name } roles { id role } } regions { id name } }", token: token)
                print(login, reply.status, reply.text.prefix(400))
                #expect(reply.status == .ok)
            }
        }
    }
}
