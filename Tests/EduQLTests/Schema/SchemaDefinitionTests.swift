import EduQLSchema
import Foundation
import GraphQL
import Testing

@Suite("GraphQL schema (SDL)")
struct SchemaDefinitionTests {
    @Test("the SDL builds into a valid schema with GraphQLSwift")
    func builds() throws {
        let schema = try buildSchema(source: SchemaDefinition.sdl)
        let query = try #require(schema.queryType)
        let expected = ["me", "regions", "region", "municipalities", "municipality", "organizations", "organization", "class", "learners",
                        "learner", "diary", "journal", "queueApplications", "queueApplication", "queuePosition", "benefitCategories", "stats",
                        "changes", "integrationClients", "statisticalFormDefinitions", "statisticalReport", "statisticalReports",
                        "consolidatedStatisticalForm"]
        #expect(try Set(query.fields().map { $0.key }).isSuperset(of: expected))
        let mutation = try #require(schema.mutationType)
        #expect(try Set(mutation.fields().map { $0.key }) == ["createUser", "assignRole", "revokeRole", "resetPassword", "disableUser", "enableUser", "unlinkFederatedIdentity", "approveFederatedLink",
                                                            "recordMarks", "recordAttendance", "setLessonTopic", "setHomework",
                                                            "correctMark", "deleteMark", "recordFinalMarks", "admitLearner", "updateLearner", "transferToClass",
                                                            "transferToOrganization", "confirmTransfer", "declineTransfer", "acceptTransfer",
                                                            "expelLearner", "graduateLearner", "fileQueueApplication", "changeQueueChoices",
                                                            "withdrawQueueApplication", "respondToOffer", "reviewQueueApplication", "decideBenefit",
                                                            "transferQueueApplication", "runDistribution",
                                                            "createIntegrationClient", "grantAccess", "rotateClientSecret", "revokeClient",
                                                            "createMunicipality", "createOrganization", "updateOrganization", "reorganizeOrganization",
                                                            "liquidateOrganization", "openAcademicYear", "setOrganizationTerms", "createSubject",
                                                            "setCurriculum", "createClass", "createGroup", "updateClass", "hireStaff", "updateStaff", "dismissStaff",
                                                            "assignTeaching", "endTeaching", "setBellSchedule", "setTimetable", "generateLessons",
                                                            "moveLesson", "cancelLesson", "substituteTeacher", "linkGuardian", "unlinkGuardian",
                                                            "computeStatisticalForm", "submitStatisticalForm", "returnStatisticalForm",
                                                            "acceptStatisticalForm"])
        // Relay connections carry edges, pageInfo and totalCount.
        for name in ["OrganizationConnection", "LearnerConnection", "QueueApplicationConnection"] {
            let connection = try #require(schema.getType(name: name) as? GraphQLObjectType)
            #expect(try Set(connection.fields().map { $0.key }) == ["edges", "pageInfo", "totalCount"], "\(name)")
        }
    }

    @Test("every sensitive field of domain.md is nullable and marked, so a role's schema can withhold it")
    func sensitiveFieldsAreMarked() throws {
        let schema = try buildSchema(source: SchemaDefinition.sdl)
        let sensitive = ["Learner": ["birthDate", "snils", "address", "healthGroup", "citizenship", "secondCitizenship", "healthLimitation", "disabled"], "Guardian": ["phone", "snils", "address"],
                         "QueueApplication": ["childBirthDate", "childSnils", "benefit"]]
        for (typeName, fields) in sensitive {
            let type = try #require(schema.getType(name: typeName) as? GraphQLObjectType)
            for field in fields {
                let definition = try #require(try type.fields().first { $0.key == field }?.value, "\(typeName).\(field)")
                #expect(!(definition.type is GraphQLNonNull), "\(typeName).\(field) must be nullable")
                #expect(definition.description == "Sensitive.", "\(typeName).\(field)")
            }
        }
    }

    @Test("queries/schema.graphql is the same text as Sources/Schema/schema.graphql")
    func publishedCopyMatches() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let published = try String(contentsOf: root.appendingPathComponent("queries/schema.graphql"), encoding: .utf8)
        #expect(published == SchemaDefinition.sdl, "copy Sources/Schema/schema.graphql to queries/schema.graphql")
    }
}
