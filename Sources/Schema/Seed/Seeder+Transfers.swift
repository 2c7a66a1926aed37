extension Seeder {
    /// About one learner in a hundred changes class inside its school halfway through the
    /// journal: the first enrollment ends as `transferred` with its movement, a second one
    /// starts the next day, and the journal keeps the old class's rows up to the transfer — so
    /// learners with several enrollments, and rows of a class a learner has left, exist.
    var transfers: Step {
        Step(label: "transfers between classes", statements: [
            """
            CREATE TEMP TABLE transfers AS
            SELECT e.id AS old_enrollment, e.learner_id, e.class_id AS old_class, other.id AS new_class,
                   e.region_id, e.municipality_id, e.organization_id, e.academic_year_id, span.middle AS left_on
            FROM eduql.enrollments e
            JOIN eduql.classes c ON c.id = e.class_id AND c.kind = 'class'
            CROSS JOIN (SELECT min(held_on) + (max(held_on) - min(held_on)) / 2 AS middle FROM eduql.lessons) span
            JOIN LATERAL (SELECT k.id FROM eduql.classes k
                          WHERE k.organization_id = c.organization_id AND k.academic_year_id = c.academic_year_id
                            AND k.grade = c.grade AND k.id <> c.id ORDER BY k.id LIMIT 1) other ON true
            WHERE pg_temp.h(e.learner_id, 20) % 100 = 0 AND span.middle > e.enrolled_on
            """,
            """
            UPDATE eduql.enrollments e SET status = 'transferred', left_on = t.left_on
            FROM transfers t WHERE e.id = t.old_enrollment
            """,
            """
            INSERT INTO eduql.enrollments (id, region_id, municipality_id, organization_id, learner_id, class_id, academic_year_id, enrolled_on)
            SELECT t.old_enrollment + 1000000000000, t.region_id, t.municipality_id, t.organization_id, t.learner_id, t.new_class,
                   t.academic_year_id, t.left_on + 1
            FROM transfers t
            """,
            """
            INSERT INTO eduql.movements (id, region_id, municipality_id, organization_id, learner_id, enrollment_id, kind, occurred_on,
                                         other_organization_id, order_number)
            SELECT t.old_enrollment + 1000000000000, t.region_id, t.municipality_id, t.organization_id, t.learner_id, t.old_enrollment,
                   'transferred', t.left_on, t.organization_id, format('%s-п/%s', 1 + pg_temp.h(t.old_enrollment, 21) % 300, extract(year FROM t.left_on))
            FROM transfers t
            """,
            """
            DELETE FROM eduql.marks m USING transfers t
            WHERE m.learner_id = t.learner_id AND m.class_id = t.old_class AND m.given_on > t.left_on
            """,
            """
            DELETE FROM eduql.attendance a USING eduql.lessons l, transfers t
            WHERE a.lesson_id = l.id AND a.learner_id = t.learner_id AND l.class_id = t.old_class AND l.held_on > t.left_on
            """,
            "DROP TABLE transfers",
        ])
    }
}
