extension Seeder {
    /// Learners fill each class's seats (`class * 32 + seat`); each has a mother (`learner * 2`)
    /// and most a father (`learner * 2 + 1`), sharing the family name and patronymic.
    var learners: Step {
        let y = self.year
        return Step(label: "learners, guardians, enrollments, movements, kindergarten places", statements: [
            """
            CREATE TEMP TABLE seats AS
            SELECT c.id * 32 + seat AS learner_id, c.id AS class_id, c.region_id, c.municipality_id, c.organization_id,
                   c.academic_year_id, coalesce(c.grade + 6, c.age_group) AS age, c.grade,
                   pg_temp.h(c.id * 32 + seat, 1) % 2 = 0 AS female, pg_temp.h(c.id * 32 + seat, 2) AS family,
                   m.name AS municipality_name
            FROM eduql.classes c
            JOIN eduql.municipalities m ON m.id = c.municipality_id
            CROSS JOIN LATERAL generate_series(1, CASE WHEN c.kind = 'class' THEN \(self.scale.learnersPerClass) ELSE \(self.scale.childrenPerGroup) END) seat
            """,
            """
            INSERT INTO eduql.learners (id, region_id, municipality_id, organization_id, last_name, first_name, middle_name, gender,
                                        birth_date, snils, address, health_group, citizenship, second_citizenship, health_limitation, disabled)
            SELECT s.learner_id, s.region_id, s.municipality_id, s.organization_id,
                   pg_temp.surname(s.family, s.female), pg_temp.first_name(pg_temp.h(s.learner_id, 3), s.female),
                   pg_temp.patronymic(s.family / 7, s.female), CASE WHEN s.female THEN 'female' ELSE 'male' END,
                   make_date(\(y) - s.age, 9, 1) - (pg_temp.h(s.learner_id, 4) % 365)::integer,
                   pg_temp.snils(0, s.learner_id),
                   format('%s, %s, кв. %s', pg_temp.locality(s.municipality_name), pg_temp.street_address(s.family / 11), 1 + s.family % 180),
                   (ARRAY[1, 1, 1, 2, 2, 2, 2, 2, 3, 4])[1 + pg_temp.h(s.learner_id, 6) % 10],
                   -- A few foreign, stateless and dual citizens; learners with disabilities (ОВЗ) and disabled children.
                   CASE WHEN pg_temp.h(s.learner_id, 30) % 100 < 2 THEN (ARRAY['KAZ', 'UZB', 'TJK', 'KGZ', 'ARM'])[1 + pg_temp.h(s.learner_id, 31) % 5]
                        WHEN pg_temp.h(s.learner_id, 30) % 400 = 8 THEN 'stateless' ELSE 'RUS' END,
                   CASE WHEN pg_temp.h(s.learner_id, 30) % 100 = 99 THEN 'BLR' END,
                   CASE WHEN pg_temp.h(s.learner_id, 32) % 100 < 4 THEN (ARRAY['deaf', 'hard_of_hearing', 'blind', 'low_vision', 'speech',
                        'severe_speech', 'musculoskeletal', 'delayed_development', 'autism', 'intellectual', 'complex', 'other'])[1 + pg_temp.h(s.learner_id, 33) % 12] END,
                   pg_temp.h(s.learner_id, 34) % 100 < 2
            FROM seats s
            """,
            """
            INSERT INTO eduql.guardians (id, region_id, last_name, first_name, middle_name, birth_date, phone, email, snils, address)
            SELECT s.learner_id * 2 + parent.father::integer, s.region_id,
                   pg_temp.surname(s.family, NOT parent.father),
                   CASE WHEN parent.father THEN pg_temp.father_name(s.family / 7) ELSE pg_temp.first_name(pg_temp.h(s.learner_id, 8), true) END,
                   pg_temp.patronymic(pg_temp.h(s.learner_id * 2 + parent.father::integer, 9), NOT parent.father),
                   make_date(\(y) - s.age - 22 - (pg_temp.h(s.learner_id * 2 + parent.father::integer, 12) % 16)::integer, 1, 1)
                       + (pg_temp.h(s.learner_id * 2 + parent.father::integer, 14) % 365)::integer,
                   pg_temp.phone(pg_temp.h(s.learner_id * 2 + parent.father::integer, 10)),
                   CASE WHEN pg_temp.h(s.learner_id, 11) % 3 = 0 THEN format('parent%s@mail.example', s.learner_id * 2 + parent.father::integer) END,
                   pg_temp.snils(1, s.learner_id * 2 + parent.father::integer),
                   format('%s, %s, кв. %s', pg_temp.locality(s.municipality_name), pg_temp.street_address(s.family / 11), 1 + s.family % 180)
            FROM seats s
            CROSS JOIN LATERAL (VALUES (false), (true)) parent(father)
            WHERE NOT parent.father OR pg_temp.h(s.learner_id, 13) % 10 < 6
            """,
            """
            INSERT INTO eduql.guardian_learners (region_id, guardian_id, learner_id, relation)
            SELECT g.region_id, g.id, g.id / 2, CASE WHEN g.id % 2 = 1 THEN 'father' ELSE 'mother' END
            FROM eduql.guardians g
            """,
            """
            INSERT INTO eduql.enrollments (id, region_id, municipality_id, organization_id, learner_id, class_id, academic_year_id, enrolled_on)
            SELECT s.learner_id, s.region_id, s.municipality_id, s.organization_id, s.learner_id, s.class_id, s.academic_year_id,
                   make_date(\(y) - coalesce(s.grade - 1, greatest(s.age - 2, 0)), 9, 1)
            FROM seats s
            """,
            """
            INSERT INTO eduql.movements (id, region_id, municipality_id, organization_id, learner_id, enrollment_id, kind, occurred_on, order_number)
            SELECT e.id, e.region_id, e.municipality_id, e.organization_id, e.learner_id, e.id, 'admitted', e.enrolled_on,
                   format('%s-у/%s', 1 + pg_temp.h(e.id, 14) % 300, extract(year FROM e.enrolled_on))
            FROM eduql.enrollments e
            """,
            """
            INSERT INTO eduql.kindergarten_capacities (id, region_id, municipality_id, organization_id, academic_year_id, age_group, capacity, occupied)
            SELECT o.id * 16 + a, o.region_id, o.municipality_id, o.id, o.region_id, a,
                   \(self.scale.childrenPerGroup) + pg_temp.h(o.id * 16 + a, 15) % 8,
                   (SELECT count(*) FROM eduql.enrollments e WHERE e.class_id = o.id * 16 + a)
            FROM eduql.organizations o CROSS JOIN generate_series(1, 6) a
            WHERE o.kind = 'kindergarten'
            """,
        ])
    }
}
