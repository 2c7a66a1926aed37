@testable import EduQLAccessControl
@testable import EduQLResolvers
import EduQLSchema
import EduQLServer
import Foundation
import GraphQL
import HTTPTypes
import Logging
import OrderedCollections
import PostgresNIO
import Testing

/// Each role's schema is the SDL pruned to what it may read: introspection shows nothing more,
/// a pruned field is unknown (and never suggested), small groups' aggregates are withheld, and
/// an integration grant narrows its client's schema and rows.
@Suite("Role schemas, introspection and aggregates", .timeLimit(.minutes(3)))
struct SchemaVisibilityTests {
    let logger = Logger(label: "eduql-tests")

    static let roles: [Role] = Role.allCases

    @Test("every role schema is a valid pruned copy of the SDL", arguments: roles)
    func pruned(role: Role) throws {
        let schema = try RoleSchema(policy: Policy.of(role))
        #expect(validateSchema(schema: schema.schema).isEmpty)
        let full = try buildSchema(source: EduQLSchema.SchemaDefinition.sdl)
        for (name, type) in schema.schema.typeMap where !name.hasPrefix("__") {
            guard let object = type as? GraphQLObjectType else { continue }
            #expect(full.getType(name: name) != nil)
            for field in try object.fields().keys {
                #expect(Policy.of(role).allows(name, field), "\(role) sees \(name).\(field)")
            }
        }
    }

    @Test("introspection shows each role only its types and fields; pruned fields are not suggested")
    func introspection() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let query = "{ __schema { mutationType { name } types { name fields { name } } } }"
            for login in ["region.admin", "mouo.admin", "school.admin", "teacher", "homeroom", "parent", "student"] {
                let token = try await api.demoToken(login)
                let reply = try await api.graphql(query, token: token)
                let types = try #require(reply.data?.at("__schema.types") as? [[String: Any]], "\(login): \(reply.text)")
                let fields = Dictionary(uniqueKeysWithValues: types.map {
                    ($0["name"] as? String ?? "", Set(($0["fields"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }))
                })
                let sensitive = fields["Learner", default: []].intersection(["birthDate", "snils", "address", "healthGroup"])
                let mayMutate = reply.data?.at("__schema.mutationType.name") as? String == "Mutation"
                switch login {
                case "school.admin", "parent", "student":
                    #expect(sensitive.count == 4, "\(login) reads its learners' sensitive fields")
                default:
                    #expect(sensitive.isEmpty, "\(login) sees \(sensitive)")
                }
                // Parents write the queue; students and integration clients write nothing.
                #expect(mayMutate == ["region.admin", "mouo.admin", "school.admin", "teacher", "homeroom", "parent"].contains(login), "\(login)")
                // The journal's mutations only for those who keep it.
                let journalMutations = fields["Mutation", default: []].intersection(["recordMarks", "recordAttendance", "setLessonTopic", "setHomework"])
                #expect(journalMutations.isEmpty != ["school.admin", "teacher", "homeroom"].contains(login), "\(login): \(journalMutations)")
                #expect((fields["QueueApplication"] != nil) == ["mouo.admin", "parent"].contains(login), "\(login)")
                #expect((fields["Guardian"] != nil) == ["mouo.admin", "school.admin", "homeroom", "parent", "student"].contains(login), "\(login)")
                #expect((fields["StatsRow"] != nil) == ["region.admin", "mouo.admin", "school.admin"].contains(login), "\(login)")

                let typo = try await api.graphql("{ learners { edges { node { birthDat guardian } } } }", token: token)
                #expect(typo.errorCodes.first == "GRAPHQL_VALIDATION_FAILED")
                if sensitive.isEmpty { #expect(!typo.text.contains("birthDate"), "\(login): \(typo.text)") }
                if fields["Learner", default: []].contains("guardians") == false { #expect(!typo.text.contains("guardians"), "\(login): \(typo.text)") }
                let hiddenType = try await api.graphql("{ __type(name: \"Guardian\") { fields { name } } }", token: token)
                #expect((hiddenType.data?["__type"] is NSNull) == (fields["Guardian"] == nil), "\(login): \(hiddenType.text)")
            }
        }
    }

    @Test("aggregates of groups below the privacy threshold are withheld")
    func smallGroups() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.execute("""
                UPDATE eduql.enrollments SET status = 'expelled', left_on = '2026-10-01'
                WHERE class_id = 17 AND status = 'active' AND learner_id NOT IN (
                    SELECT learner_id FROM eduql.enrollments WHERE class_id = 17 AND status = 'active' ORDER BY learner_id LIMIT 3)
                """)
        }
        try await TestAPI.run(database) { api in
            let reply = try await api.graphql("""
                { stats(groupBy: CLASS, filter: { organizationId: 1 }) { group { id } learners averageMark attendanceRate suppressed } }
                """, token: try await api.demoToken("school.admin"))
            let rows = try #require(reply.data?["stats"] as? [[String: Any]], "\(reply.text)")
            let small = try #require(rows.first { $0.at("group.id") as? String == "17" })
            #expect(small["suppressed"] as? Bool == true)
            #expect(small["learners"] is NSNull)
            #expect(small["averageMark"] is NSNull)
            let large = try #require(rows.first { $0.at("group.id") as? String == "21" })
            #expect(large["suppressed"] as? Bool == false)
            #expect(large["learners"] as? Int == 14)
            #expect(large["averageMark"] is Double)
        }
    }

    @Test("an integration grant that names fields and organizations narrows the client's schema and rows")
    func grantNarrows() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await database.owner.withConnection(logger: self.logger) { connection in
            try await connection.execute("""
                UPDATE eduql.integration_grants SET documents = '{}', organization_ids = '{2}',
                       fields = '{Learner.id,Learner.lastName,Organization.id,Organization.shortName}'
                """)
        }
        try await TestAPI.run(database) { api in
            let token = try await api.clientToken()
            let roster = try await api.graphql("{ learners(first: 100) { totalCount edges { node { id lastName } } } }", token: token)
            let expected = try await database.owner.withConnection(logger: self.logger) {
                try await $0.scalar("SELECT count(*)::int FROM eduql.learners WHERE organization_id = 2", as: Int.self)
            }
            #expect(roster.data?.at("learners.totalCount") as? Int == expected, "\(roster.text)")
            let other = try await api.graphql("{ learner(id: 545) { id } organization(id: 1) { id } }", token: token)
            #expect(other.data?["learner"] is NSNull, "\(other.text)")
            #expect(other.data?["organization"] is NSNull)
            for field in ["firstName", "birthDate", "class { id }"] {
                let hidden = try await api.graphql("{ learners { edges { node { \(field) } } } }", token: token)
                #expect(hidden.errorCodes == ["GRAPHQL_VALIDATION_FAILED"], "\(field): \(hidden.text)")
            }
            let mutation = try await api.graphql("mutation { disableUser(userId: 1) { id } }", token: token)
            #expect(mutation.errorCodes == ["GRAPHQL_VALIDATION_FAILED"])
        }
    }

    @Test("a grant naming trusted documents refuses every document sent as text, and trusted documents it does not name")
    func trustedDocumentsOnly() async throws {
        let database = try await TestCluster.shared.database(.demo)
        try await TestAPI.run(database) { api in
            let token = try await api.clientToken()
            for text in ["{ learners { totalCount } }", "{ __schema { types { name } } }", try ConsumerDocuments.text("integration/roster-export.graphql")] {
                let other = try await api.graphql(text, token: token)
                #expect(other.status == .forbidden)
                #expect(other.errorCodes == ["PERSISTED_QUERY_REQUIRED"])
                #expect(other.json["data"] == nil)
            }
            let unnamed = try await api.graphql(documentID: try ConsumerDocuments.id("parent/diary-week.graphql"), token: token)
            #expect(unnamed.status == .forbidden)
            #expect(unnamed.errorCodes == ["FORBIDDEN"])
            let trusted = try await api.graphql(documentID: try ConsumerDocuments.id("integration/roster-export.graphql"), variables: ["first": 1], token: token)
            #expect(trusted.status == .ok)
            #expect((trusted.data?.at("learners.edges") as? [Any])?.count == 1)
        }
    }
}
