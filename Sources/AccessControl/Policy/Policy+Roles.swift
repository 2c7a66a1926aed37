/// The role tables: for each role, what it reads (types and fields) and which rows.
extension Policy {
    /// Region: the registry, learner lists without sensitive fields, final marks, movements,
    /// every aggregate of the region; no journal, diary, guardians or queue applications.
    public static let regionAdmin = Policy(
        key: "region_admin",
        types: registry.merging(administration).merging(auditLog).merging(dashboards).merging(changeFeed).merging(clientAdministration)
            .merging(statisticalForms).merging([
            "Query": .allExcept(["diary", "journal", "queueApplications", "queueApplication", "queuePosition"]),
            "Mutation": .only(accountMutations.union(clientMutations).union(regionRegistryMutations)),
            "Learner": .allExcept(sensitiveLearnerFields.union(["guardians", "attendance"])),
            "Enrollment": .all, "Movement": .all, "Mark": .allExcept(["lesson"]), "MarkCorrection": .allExcept(["lesson"]),
            "Transfer": .all,
        ]),
        rows: scoped(.region).narrowed(by: [.marks: finalMarks]).merging(accountRows) { _, new in new }
            .merging([.auditEvents: "{t}.region_id = {region}", .integrationClients: "{t}.region_id = {region}",
                      .integrationGrants: "{t}.region_id = {region}"]) { _, new in new },
        aggregateRows: [.marks: scoped(.region)[.marks]!],
        writes: regionRegistryWrites,
        onboarding: .region
    )

    /// Municipality: as the region within its territory, and the queue with the child's
    /// birth date and benefit and the applicant's contact.
    public static let mouoAdmin = Policy(
        key: "mouo_admin",
        types: registry.merging(administration).merging(queue).merging(auditLog).merging(dashboards).merging(changeFeed).merging(statisticalForms).merging([
            "Query": .allExcept(["diary", "journal"]),
            "Mutation": .only(accountMutations.union(transferDecisions).union(municipalityQueueMutations).union(municipalRegistryMutations)
                .union(formMutationsOfMunicipality)),
            "Learner": .allExcept(sensitiveLearnerFields.union(["guardians", "attendance"])),
            "Enrollment": .all, "Movement": .all, "Mark": .allExcept(["lesson"]), "MarkCorrection": .allExcept(["lesson"]),
            "Transfer": .all,
            "Guardian": .allExcept(["snils", "address", "children"]),
        ]),
        rows: scoped(.municipality).narrowed(by: [
            .marks: finalMarks,
            .guardians: "{t}.id IN (SELECT q.applicant_guardian_id FROM eduql.queue_applications q WHERE q.region_id = {region} AND q.municipality_id = {municipality})",
            .guardianLearners: "false",
        ]).merging(accountRows) { _, new in new }
            .merging([.transfers: "{t}.region_id = {region} AND ({t}.municipality_id = {municipality} OR {t}.to_municipality_id = {municipality})"]) { _, new in new }
            .merging([.auditEvents: "{t}.region_id = {region} AND {t}.municipality_id = {municipality}"]) { _, new in new },
        aggregateRows: [.marks: scoped(.municipality)[.marks]!],
        writes: transferConfirmation.merging(municipalityQueueWrites) { _, new in new }.merging(municipalRegistryWrites) { _, new in new }
            .merging(municipalityFormWrites) { _, new in new },
        onboarding: .municipality
    )

    /// School: everything of its organization, sensitive fields included; not the queue.
    public static let schoolAdmin = Policy(
        key: "school_admin",
        types: registry.merging(administration).merging(journal).merging(auditLog).merging(dashboards).merging(changeFeed).merging(statisticalForms).merging([
            "Query": .allExcept(["queueApplications", "queueApplication", "queuePosition"]),
            "Learner": .all, "Guardian": .all, "GuardianLink": .all, "Enrollment": .all, "Movement": .all,
            "AccessLogEntry": .all, "Transfer": .all, "Staff": .all,
            "Mutation": .allExcept(municipalityQueueMutations.union(parentQueueMutations).union(clientMutations).union(["confirmTransfer"])
                .union(registryOnlyMutations).union(formMutationsOfMunicipality)),
        ]),
        rows: scoped(.organization).narrowed(by: [
            .guardians: "{t}.id IN (SELECT gl.guardian_id FROM eduql.guardian_learners gl JOIN eduql.learners l ON l.region_id = {region} AND l.id = gl.learner_id WHERE gl.region_id = {region} AND l.organization_id = {organization})",
            .guardianLearners: "{t}.learner_id IN (SELECT l.id FROM eduql.learners l WHERE l.region_id = {region} AND l.organization_id = {organization})",
        ]).merging(noQueue) { _, new in new }.merging(accountRows) { _, new in new }
            .merging([.auditEvents: "{t}.region_id = {region} AND {t}.organization_id = {organization}",
                      .transfers: "{t}.region_id = {region} AND ({t}.organization_id = {organization} OR {t}.to_organization_id = {organization})"]) { _, new in new },
        writes: schoolWrites.merging(contingentWrites) { _, new in new }.merging(schoolYearWrites) { _, new in new }
            .merging(schoolLessonWrites) { _, new in new }.merging(organizationFormWrites) { _, new in new },
        onboarding: .organization
    )

    /// Teacher: learners and journal of the classes and subjects taught; no sensitive fields.
    public static let teacher = Policy(
        key: "teacher",
        types: registry.merging(journal).merging(journalMutations).removing(["Diary", "DiaryDay", "DiaryLesson"]).merging([
            "Query": .only(["me", "regions", "region", "municipalities", "municipality", "organizations", "organization",
                            "class", "learners", "learner", "journal", "benefitCategories"]),
            "Learner": .allExcept(sensitiveLearnerFields.union(["guardians", "movements"])),
            "Enrollment": .all,
        ]),
        rows: scoped(.organization).narrowed(by: learnerRows(taughtLearner)).narrowed(by: [
            .lessons: taughtLesson("{t}").or("{t}.teacher_id = {staff}"),
            .marks: taughtLesson("{t}").or(substitutedLesson("{t}.lesson_id")),
            .homework: "{t}.lesson_id IN (SELECT l.id FROM eduql.lessons l WHERE l.region_id = {region} AND \(taughtLesson("l").template))",
            .attendance: "{t}.lesson_id IN (SELECT l.id FROM eduql.lessons l WHERE l.region_id = {region} AND \(taughtLesson("l").template))",
            .enrollments: "{t}.class_id IN (SELECT ta.class_id FROM eduql.teaching_assignments ta WHERE ta.region_id = {region} AND ta.staff_id = {staff})",
            .guardians: "false", .guardianLearners: "false",
        ]).merging(noQueue) { _, new in new },
        writes: teacherWrites
    )

    /// Homeroom teacher: the whole class — learners, all subjects' journal, diaries, guardians'
    /// names and e-mail; no sensitive fields.
    public static let homeroomTeacher = Policy(
        key: "homeroom_teacher",
        types: registry.merging(journal).merging(journalMutations).merging([
            "Query": .only(["me", "regions", "region", "municipalities", "municipality", "organizations", "organization",
                            "class", "learners", "learner", "journal", "diary", "benefitCategories"]),
            "Learner": .allExcept(sensitiveLearnerFields),
            "Enrollment": .all, "Movement": .all, "GuardianLink": .all,
            "Guardian": .allExcept(sensitiveGuardianFields),
        ]),
        rows: scoped(.organization).narrowed(by: learnerRows(classLearner)).narrowed(by: [
            .lessons: "{t}.class_id = {class}",
            .marks: "{t}.class_id = {class}",
            .homework: "{t}.lesson_id IN (SELECT l.id FROM eduql.lessons l WHERE l.region_id = {region} AND l.class_id = {class})",
            .attendance: "{t}.lesson_id IN (SELECT l.id FROM eduql.lessons l WHERE l.region_id = {region} AND l.class_id = {class})",
            .enrollments: "{t}.class_id = {class}",
            .guardians: "{t}.id IN (SELECT gl.guardian_id FROM eduql.guardian_learners gl WHERE gl.region_id = {region} AND \(classLearner("gl.learner_id").template))",
        ]).merging(noQueue) { _, new in new },
        writes: teacherWrites
    )

    /// Parent: each own child's card (sensitive fields included) and diary, own queue
    /// applications and their positions.
    public static let parent = Policy(
        key: "parent",
        types: registry.merging(journal).merging(queue).removing(["Journal"]).merging([
            "Query": .allExcept(["journal", "stats"]),
            "Mutation": .only(parentQueueMutations),
            "Learner": .all, "Enrollment": .all, "Movement": .all, "GuardianLink": .all, "Transfer": .all,
            "Guardian": .allExcept(sensitiveGuardianFields), "Staff": .allExcept(sensitiveStaffFields.union(["phone"])), "AccessLogEntry": .all,
        ]),
        rows: scoped(.region).narrowed(by: learnerRows(ownChild)).narrowed(by: familyRows(ownChild)).narrowed(by: [
            .guardians: "{t}.id = {guardian} OR {t}.id IN (SELECT gl.guardian_id FROM eduql.guardian_learners gl WHERE gl.region_id = {region} AND \(ownChild("gl.learner_id").template))",
            .queueApplications: "{t}.applicant_guardian_id = {guardian}",
            .queueChoices: "{t}.application_id IN (SELECT q.id FROM eduql.queue_applications q WHERE q.region_id = {region} AND q.applicant_guardian_id = {guardian})",
            .queueStatusHistory: "{t}.application_id IN (SELECT q.id FROM eduql.queue_applications q WHERE q.region_id = {region} AND q.applicant_guardian_id = {guardian})",
            .allocations: "{t}.application_id IN (SELECT q.id FROM eduql.queue_applications q WHERE q.region_id = {region} AND q.applicant_guardian_id = {guardian})",
        ]),
        writes: parentQueueWrites
    )

    /// Student: own card and diary.
    public static let student = Policy(
        key: "student",
        types: registry.merging(journal).removing(["Journal"]).merging([
            "Query": .allExcept(["journal", "stats", "queueApplications", "queueApplication", "queuePosition"]),
            "Learner": .all, "Enrollment": .all, "Movement": .all, "GuardianLink": .all, "Transfer": .all,
            "Guardian": .allExcept(sensitiveGuardianFields), "Staff": .allExcept(sensitiveStaffFields.union(["phone"])), "AccessLogEntry": .all,
        ]),
        rows: scoped(.region).narrowed(by: learnerRows(ownself)).narrowed(by: familyRows(ownself)).narrowed(by: [
            .guardians: "{t}.id IN (SELECT gl.guardian_id FROM eduql.guardian_learners gl WHERE gl.region_id = {region} AND gl.learner_id = {learner})",
        ]).merging(noQueue) { _, new in new }
    )
}

extension Policy {
    static let finalMarks: RowPredicate = "{t}.kind IN ('term', 'year', 'exam')"

    /// No rows of the queue: for roles that read nothing of it, so no aggregate counts it either.
    static let noQueue: [Table: RowPredicate] = [
        .queueApplications: "false", .queueChoices: "false", .queueStatusHistory: "false", .allocations: "false", .distributionRuns: "false",
        .rollupQueue: "false", .rollupQueueChoices: "false",
    ]

    /// Accounts an administrator reads back from its own mutations: those of its region.
    static let accountRows: [Table: RowPredicate] = [
        .users: "{t}.region_id = {region}",
        .roleAssignments: "{t}.region_id = {region}",
        .federatedIdentities: "{t}.region_id = {region}",
    ]

    /// A learner of a class the caller teaches now, or in which it gives a lesson as a substitute.
    static func taughtLearner(_ id: String) -> RowPredicate {
        RowPredicate("""
            \(id) IN (SELECT e.learner_id FROM eduql.enrollments e JOIN eduql.teaching_assignments ta ON ta.region_id = {region} AND ta.class_id = e.class_id \
            WHERE e.region_id = {region} AND ta.staff_id = {staff} AND \(openAssignment) AND e.status = 'active') \
            OR \(id) IN (SELECT e.learner_id FROM eduql.enrollments e JOIN eduql.lessons sl ON sl.region_id = {region} AND sl.class_id = e.class_id \
            WHERE e.region_id = {region} AND sl.teacher_id = {staff} AND sl.substituted_teacher_id IS NOT NULL AND e.status = 'active')
            """)
    }

    /// A row of a class and subject the caller teaches now (its teaching assignment has not ended).
    static func taughtLesson(_ alias: String) -> RowPredicate {
        RowPredicate("""
            EXISTS (SELECT 1 FROM eduql.teaching_assignments ta WHERE ta.region_id = {region} AND ta.staff_id = {staff} AND ta.class_id = \(alias).class_id \
            AND ta.subject_id = \(alias).subject_id AND \(openAssignment))
            """)
    }

    /// A teaching assignment `ta` that has not ended.
    static let openAssignment = "(ta.ends_on IS NULL OR ta.ends_on > current_date)"

    /// A lesson (by its id) the caller gives as a substitute.
    static func substitutedLesson(_ lesson: String) -> RowPredicate {
        RowPredicate("\(lesson) IN (SELECT sl.id FROM eduql.lessons sl WHERE sl.region_id = {region} AND sl.teacher_id = {staff} AND sl.substituted_teacher_id IS NOT NULL)")
    }

    static func classLearner(_ id: String) -> RowPredicate {
        RowPredicate("\(id) IN (SELECT e.learner_id FROM eduql.enrollments e WHERE e.region_id = {region} AND e.class_id = {class} AND e.status = 'active')")
    }

    static func ownChild(_ id: String) -> RowPredicate {
        RowPredicate("\(id) IN (SELECT gl.learner_id FROM eduql.guardian_learners gl WHERE gl.region_id = {region} AND gl.guardian_id = {guardian})")
    }

    static func ownself(_ id: String) -> RowPredicate {
        RowPredicate("\(id) = {learner}")
    }

    /// What a family sees around its children: their classes, lessons, homework and teachers.
    static func familyRows(_ child: (String) -> RowPredicate) -> [Table: RowPredicate] {
        let classes = "SELECT e.class_id FROM eduql.enrollments e WHERE e.region_id = {region} AND \(child("e.learner_id").template)"
        // A lesson belongs to the child's diary only while the child was enrolled in its class.
        func attended(_ lesson: String) -> String {
            "EXISTS (SELECT 1 FROM eduql.enrollments e WHERE e.region_id = {region} AND e.class_id = \(lesson).class_id AND \(child("e.learner_id").template) "
                + "AND \(lesson).held_on >= e.enrolled_on AND (e.left_on IS NULL OR \(lesson).held_on <= e.left_on))"
        }
        return [
            .classes: RowPredicate("{t}.id IN (\(classes))"),
            // The class test first: it is what the planner finds an index for.
            .lessons: RowPredicate("{t}.class_id IN (\(classes)) AND \(attended("{t}"))"),
            .homework: RowPredicate("{t}.lesson_id IN (SELECT l.id FROM eduql.lessons l WHERE l.region_id = {region} AND l.class_id IN (\(classes)) AND \(attended("l")))"),
            .teachingAssignments: RowPredicate("{t}.class_id IN (\(classes))"),
            .timetableEntries: RowPredicate("{t}.class_id IN (\(classes))"),
            .curriculumLines: RowPredicate("{t}.organization_id IN (SELECT l.organization_id FROM eduql.learners l WHERE l.region_id = {region} AND \(child("l.id").template))"),
            .bellPeriods: RowPredicate("{t}.organization_id IN (SELECT l.organization_id FROM eduql.learners l WHERE l.region_id = {region} AND \(child("l.id").template))"),
            .staff: RowPredicate("{t}.organization_id IN (SELECT l.organization_id FROM eduql.learners l WHERE l.region_id = {region} AND \(child("l.id").template))"),
        ]
    }
}
