/// The write rules of the school year (`../shared/domain.md`, «Roles»): the region keeps the
/// organization registry, the academic years and the subject directory; a municipality the
/// registry of its own organizations; a school its own terms, electives, curriculum, classes and
/// groups, staff and teaching assignments, bell schedule, timetable, lessons and guardian links.
/// Every predicate reads the row as it would be written (`{t}`); closed organizations are
/// read-only underneath too (migration 0024's triggers).
extension Policy {
    /// A row of the caller's own organization.
    static let ownOrganization: RowPredicate = "{t}.organization_id = {organization}"

    /// An academic year of the caller's region.
    static let yearOfRegion: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.academic_years y WHERE y.region_id = {region} AND y.id = {t}.academic_year_id AND y.region_id = {region})
        """

    /// A span (`starts_on`…`ends_on`) inside an academic year of the caller's region.
    static let insideYearOfRegion: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.academic_years y WHERE y.region_id = {region} AND y.id = {t}.academic_year_id AND y.region_id = {region} \
        AND {t}.starts_on >= y.starts_on AND {t}.ends_on <= y.ends_on)
        """

    /// A member of the caller's organization's staff, not dismissed, named by `column`.
    static func activeStaff(_ column: String) -> RowPredicate {
        RowPredicate("""
            EXISTS (SELECT 1 FROM eduql.staff s WHERE s.region_id = {region} AND s.id = {t}.\(column) AND s.organization_id = {organization} AND s.dismissed_on IS NULL)
            """)
    }

    /// A class of the caller's organization.
    static let classOfOrganization: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.classes k WHERE k.region_id = {region} AND k.id = {t}.class_id AND k.organization_id = {organization})
        """

    /// A subject of the region's directory or one of the caller's organization's electives.
    static let subjectOfOrganization: RowPredicate = """
        EXISTS (SELECT 1 FROM eduql.subjects s WHERE s.region_id = {region} AND s.id = {t}.subject_id AND s.region_id = {region} \
        AND (s.organization_id IS NULL OR s.organization_id = {organization}))
        """

    /// A row of the region itself (not of an organization).
    static let regionWide: RowPredicate = "{t}.region_id = {region} AND {t}.organization_id IS NULL"

    /// An organization in a municipality of the caller's region, under an active parent of the
    /// same municipality when it is a branch.
    static let organizationOfRegion: RowPredicate = """
        {t}.region_id = {region} AND EXISTS (SELECT 1 FROM eduql.municipalities m WHERE m.region_id = {region} AND m.id = {t}.municipality_id AND m.region_id = {region}) \
        AND ({t}.parent_organization_id IS NULL OR EXISTS (SELECT 1 FROM eduql.organizations p WHERE p.region_id = {region} AND p.id = {t}.parent_organization_id \
        AND p.status = 'active' AND p.municipality_id = {t}.municipality_id))
        """

    /// The card columns an organization's writes set.
    static let cardColumns: Set<String> = [
        "full_name", "short_name", "kpp", "ogrn", "oktmo", "address", "head_name", "licence_number", "licence_issued_on", "settlement",
        "phone", "email", "card_effective_on", "status", "closed_on", "merged_into_id",
    ]

    /// The region's registry, academic years and subject directory.
    static let regionRegistryWrites: [Table: WriteRule] = [
        .municipalities: WriteRule([.insert], rows: "{t}.region_id = {region}", columns: ["name", "oktmo", "kind"]),
        .organizations: WriteRule(rows: [.insert: organizationOfRegion, .update: RowPredicate("{t}.region_id = {region} AND {t}.status = 'active'")],
                                  updatedRows: "{t}.region_id = {region}", columns: cardColumns),
        .academicYears: WriteRule([.insert], rows: "{t}.region_id = {region}", columns: ["name", "starts_on", "ends_on"]),
        .terms: WriteRule([.insert], rows: regionWide.and(insideYearOfRegion), columns: ["scheme", "number", "starts_on", "ends_on"]),
        .holidays: WriteRule([.insert], rows: regionWide.and(insideYearOfRegion), columns: ["name", "starts_on", "ends_on"]),
        .subjects: WriteRule([.insert], rows: regionWide, columns: ["name", "short_name"]),
    ]

    /// A municipality's registry: the organizations of its territory.
    static let municipalRegistryWrites: [Table: WriteRule] = [
        .organizations: WriteRule(rows: [.insert: organizationOfRegion.and("{t}.municipality_id = {municipality}"),
                                         .update: "{t}.municipality_id = {municipality} AND {t}.status = 'active'"],
                                  updatedRows: "{t}.municipality_id = {municipality}", columns: cardColumns),
    ]

    /// What a school administrator writes of its school year.
    static let schoolYearWrites: [Table: WriteRule] = [
        .subjects: WriteRule([.insert], rows: RowPredicate("{t}.region_id = {region}").and(ownOrganization), columns: ["name", "short_name"]),
        .terms: WriteRule([.insert, .delete], rows: ownOrganization.and(insideYearOfRegion), columns: ["scheme", "number", "starts_on", "ends_on"]),
        .holidays: WriteRule([.insert, .delete], rows: ownOrganization.and(insideYearOfRegion), columns: ["name", "starts_on", "ends_on"]),
        .curriculumLines: WriteRule([.insert, .delete], rows: ownOrganization.and(yearOfRegion).and(subjectOfOrganization),
                                    columns: ["grade", "subject_id", "weekly_hours"]),
        .classes: WriteRule([.insert, .update],
                            rows: ownOrganization.and(yearOfRegion).and(RowPredicate("{t}.homeroom_teacher_id IS NULL").or(activeStaff("homeroom_teacher_id"))),
                            columns: ["grade", "letter", "name", "homeroom_teacher_id", "shift", "programme", "adapted_variant", "profile",
                                      "adapted_years", "additional_year", "combined_class", "age_group", "age_to", "orientation", "compensating_kind", "short_stay", "capacity"]),
        .kindergartenCapacities: WriteRule([.insert, .update], rows: ownOrganization.and(yearOfRegion), columns: ["capacity"]),
        .staff: WriteRule(rows: [.insert: ownOrganization, .update: RowPredicate("{t}.dismissed_on IS NULL").and(ownOrganization)],
                          updatedRows: ownOrganization,
                          columns: ["last_name", "first_name", "middle_name", "gender", "birth_date", "snils", "email", "phone", "position",
                                    "post_category", "education_level", "qualification_category", "experience_since", "rate", "employment", "hired_on",
                                    "dismissed_on", "dismissal_order"]),
        .teachingAssignments: WriteRule(rows: [.insert: ownOrganization.and(activeStaff("staff_id")).and(classOfOrganization).and(subjectOfOrganization),
                                               .update: ownOrganization.and("{t}.ends_on IS NULL")],
                                        updatedRows: ownOrganization, columns: ["weekly_hours", "starts_on", "ends_on"]),
        .bellPeriods: WriteRule([.insert, .delete], rows: ownOrganization.and(yearOfRegion), columns: ["shift", "period", "starts_at", "ends_at"]),
        .timetableEntries: WriteRule([.insert, .delete],
                                     rows: ownOrganization.and(classOfOrganization).and(subjectOfOrganization).and(activeStaff("teacher_id")),
                                     columns: ["weekday", "period", "subject_id", "teacher_id", "room"]),
        .guardianLearners: WriteRule([.insert, .delete], rows: "{t}.learner_id IN (SELECT l.id FROM eduql.learners l WHERE l.region_id = {region} AND l.organization_id = {organization})",
                                     columns: ["relation", "consent_on"]),
        .users: WriteRule([.update], rows: "{t}.staff_id IN (SELECT s.id FROM eduql.staff s WHERE s.region_id = {region} AND s.organization_id = {organization})",
                          columns: ["disabled_at"]),
    ]

    /// A lesson of a class of the caller's organization, on a day of the class's academic year.
    static let lessonInClassYear: RowPredicate = """
        {t}.organization_id = {organization} AND EXISTS (SELECT 1 FROM eduql.classes k JOIN eduql.academic_years y ON y.region_id = {region} AND y.id = k.academic_year_id \
        WHERE k.id = {t}.class_id AND k.organization_id = {organization} AND {t}.held_on BETWEEN y.starts_on AND y.ends_on)
        """

    /// A school administrator's lessons: generated from the timetable, topics set, moved, given
    /// by a substitute, cancelled.
    static let schoolLessonWrites: [Table: WriteRule] = [
        .lessons: WriteRule(rows: [.insert: lessonInClassYear.and(activeStaff("teacher_id")), .update: schoolLessonOfThisYear("id"),
                                   .delete: lessonInClassYear],
                            updatedRows: lessonInClassYear,
                            columns: ["topic", "held_on", "period", "teacher_id", "substituted_teacher_id", "change_reason"]),
    ]

    /// The mutations of the region's registry and calendar.
    static let regionRegistryMutations: Set<String> = [
        "createMunicipality", "createOrganization", "updateOrganization", "reorganizeOrganization", "liquidateOrganization",
        "openAcademicYear", "createSubject",
    ]

    /// The mutations of a municipality's registry.
    static let municipalRegistryMutations: Set<String> = [
        "createOrganization", "updateOrganization", "reorganizeOrganization", "liquidateOrganization",
    ]

    /// The registry mutations a school may not call.
    static let registryOnlyMutations: Set<String> = regionRegistryMutations.subtracting(["createSubject"])
}
