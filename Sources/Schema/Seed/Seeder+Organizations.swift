import Foundation

extension Seeder {
    /// The first school year of the generated academic year (1 September of it).
    var year: Int { self.scale.academicYear }

    var functions: Step {
        let v = SeedVocabulary.self
        return Step(label: "generator functions", statements: [
            "CREATE FUNCTION pg_temp.h(k bigint, salt integer) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT hashint8extended($1 * 131 + $2, \(self.seed)) & 9223372036854775807'",
            "CREATE FUNCTION pg_temp.pick(a text[], h bigint) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT $1[1 + ($2 % cardinality($1))::integer]'",
            """
            CREATE FUNCTION pg_temp.feminine(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
                SELECT CASE WHEN s LIKE '%ий' THEN left(s, -2) || 'ая' WHEN s ~ '(ов|ев|ёв|ин|ын)$' THEN s || 'а' ELSE s END $$
            """,
            // SNILS with its real check number, one person's alone: each kind of person (0 learners,
            // 1 their guardians, 2 applicants, 3 applicants' children) has its own block of 150
            // million numbers, and n → n·7919 + offset is one-to-one within a block (7919 is a prime
            // that does not divide 150,000,000), so no two people of a region share one.
            """
            CREATE FUNCTION pg_temp.snils(kind integer, n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
                WITH d AS (SELECT (100000000 + kind * 150000000 + (n * 7919 + pg_temp.h(kind, 97) % 150000000) % 150000000)::text AS s),
                     c AS (SELECT s, (SELECT sum(substr(s, i, 1)::integer * (10 - i)) FROM generate_series(1, 9) i) AS total FROM d)
                SELECT format('%s-%s-%s %s', substr(s, 1, 3), substr(s, 4, 3), substr(s, 7, 3),
                       lpad((CASE WHEN total < 100 THEN total WHEN total <= 101 THEN 0 ELSE total % 101 % 100 END)::text, 2, '0'))
                FROM c $$
            """,
            "CREATE FUNCTION pg_temp.surname(k bigint, female boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN female THEN pg_temp.feminine(pg_temp.pick(\(v.array(v.surnames)), k)) ELSE pg_temp.pick(\(v.array(v.surnames)), k) END $$",
            "CREATE FUNCTION pg_temp.first_name(k bigint, female boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN female THEN pg_temp.pick(\(v.array(v.femaleNames)), k) ELSE pg_temp.pick(\(v.array(v.maleNames)), k) END $$",
            "CREATE FUNCTION pg_temp.patronymic(k bigint, female boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN female THEN pg_temp.pick(\(v.array(v.fathers.map(\.daughter))), k) ELSE pg_temp.pick(\(v.array(v.fathers.map(\.son))), k) END $$",
            "CREATE FUNCTION pg_temp.father_name(k bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT pg_temp.pick(\(v.array(v.fathers.map(\.name))), k) $$",
            "CREATE FUNCTION pg_temp.phone(k bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format('+7 (9%s) %s-%s-%s', lpad((k % 100)::text, 2, '0'), lpad((k / 100 % 1000)::text, 3, '0'), lpad((k / 100000 % 100)::text, 2, '0'), lpad((k / 10000000 % 100)::text, 2, '0')) $$",
            """
            CREATE FUNCTION pg_temp.locality(municipality text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
                SELECT CASE WHEN municipality LIKE 'Городской округ город %' THEN 'г. ' || substr(municipality, 23)
                            ELSE replace(municipality, ' муниципальный округ', ' м. о.') END $$
            """,
            "CREATE FUNCTION pg_temp.street_address(k bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format('ул. %s, д. %s', pg_temp.pick(\(v.array(v.streets)), k), 1 + k / 7 % 120) $$",
        ])
    }

    var regions: Step {
        var statements: [String] = []
        var municipalityID = 0
        for (regionIndex, region) in self.scale.regions.enumerated() {
            let regionID = regionIndex + 1
            statements.append("INSERT INTO eduql.regions (id, code, name) VALUES (\(regionID), '\(region.code)', '\(region.name)')")
            for municipality in region.municipalities {
                municipalityID += 1
                statements.append("""
                    INSERT INTO eduql.municipalities (id, region_id, oktmo, name, kind)
                    VALUES (\(municipalityID), \(regionID), '\(region.code)\(String(format: "%06d", municipalityID * 1000))', '\(municipality.name)', '\(municipality.kind)')
                    """)
            }
        }
        return Step(label: "regions and municipalities", statements: statements)
    }

    /// One academic year per region with quarters (schools) and halves (colleges), and subjects.
    var calendar: Step {
        let y = self.year, next = self.year + 1
        return Step(label: "academic year, terms, subjects", statements: [
            "INSERT INTO eduql.academic_years (id, region_id, name, starts_on, ends_on) SELECT id, id, '\(y)/\(next)', '\(y)-09-01', '\(next)-05-31' FROM eduql.regions",
            """
            INSERT INTO eduql.terms (id, region_id, academic_year_id, scheme, number, starts_on, ends_on)
            SELECT r.id * 10 + t.n, r.id, r.id, t.scheme, t.number, t.starts_on::date, t.ends_on::date
            FROM eduql.regions r, (VALUES
                (1, 'quarter', 1, '\(y)-09-01', '\(y)-10-24'), (2, 'quarter', 2, '\(y)-11-05', '\(y)-12-27'),
                (3, 'quarter', 3, '\(next)-01-12', '\(next)-03-21'), (4, 'quarter', 4, '\(next)-04-01', '\(next)-05-26'),
                (5, 'half', 1, '\(y)-09-01', '\(y)-12-27'), (6, 'half', 2, '\(next)-01-12', '\(next)-06-30')
            ) AS t(n, scheme, number, starts_on, ends_on)
            """,
            """
            INSERT INTO eduql.holidays (region_id, academic_year_id, name, starts_on, ends_on)
            SELECT r.id, r.id, h.name, h.starts_on::date, h.ends_on::date
            FROM eduql.regions r, (VALUES ('Осенние каникулы', '\(y)-10-25', '\(y)-11-04'), ('Зимние каникулы', '\(y)-12-28', '\(next)-01-11'),
                                          ('Весенние каникулы', '\(next)-03-22', '\(next)-03-31')) AS h(name, starts_on, ends_on)
            """,
            """
            CREATE TEMP TABLE subject_catalog (no, name, short_name, min_grade, max_grade, weight, taught_by_primary_teacher) AS VALUES
                (1, 'Русский язык', 'Рус', 1, 11, 3, true), (2, 'Литература', 'Лит', 1, 11, 2, true),
                (3, 'Математика', 'Мат', 1, 6, 4, true), (4, 'Алгебра', 'Алг', 7, 11, 2, false),
                (5, 'Геометрия', 'Геом', 7, 11, 2, false), (6, 'Окружающий мир', 'ОкрМ', 1, 4, 2, true),
                (7, 'Английский язык', 'Англ', 2, 11, 2, false), (8, 'История', 'Ист', 5, 11, 1, false),
                (9, 'Обществознание', 'Общ', 6, 11, 1, false), (10, 'География', 'Геогр', 5, 11, 1, false),
                (11, 'Биология', 'Био', 5, 11, 1, false), (12, 'Физика', 'Физ', 7, 11, 1, false),
                (13, 'Химия', 'Хим', 8, 11, 1, false), (14, 'Информатика', 'Инф', 7, 11, 1, false),
                (15, 'Физическая культура', 'Физк', 1, 11, 2, false), (16, 'Музыка', 'Муз', 1, 8, 1, false),
                (17, 'Изобразительное искусство', 'ИЗО', 1, 7, 1, true), (18, 'Труд (технология)', 'Труд', 1, 8, 1, true),
                (19, 'Основы безопасности и защиты Родины', 'ОБЗР', 8, 11, 1, false)
            """,
            "INSERT INTO eduql.subjects (id, region_id, name, short_name) SELECT r.id * 100 + s.no, r.id, s.name, s.short_name FROM eduql.regions r, subject_catalog s",
        ])
    }

    /// Schools come first in each municipality, then kindergartens.
    var organizations: Step {
        let schools = self.scale.schoolsPerMunicipality, perMunicipality = schools + self.scale.kindergartensPerMunicipality
        let v = SeedVocabulary.self
        return Step(label: "organizations", statements: [
            """
            INSERT INTO eduql.organizations (id, region_id, municipality_id, kind, full_name, short_name, inn, address, head_name, phone, email,
                                             card_effective_on, settlement)
            SELECT o.id, m.region_id, m.id, o.kind,
                   CASE WHEN o.kind = 'kindergarten' THEN format('Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад № %s «%s»»', o.number, o.title)
                        WHEN o.number % 10 = 3 THEN format('Муниципальное автономное общеобразовательное учреждение «Гимназия № %s»', o.number)
                        WHEN o.number % 10 = 7 THEN format('Муниципальное автономное общеобразовательное учреждение «Лицей № %s»', o.number)
                        ELSE format('Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № %s»', o.number) END,
                   CASE WHEN o.kind = 'kindergarten' THEN format('Детский сад № %s «%s»', o.number, o.title)
                        WHEN o.number % 10 = 3 THEN format('Гимназия № %s', o.number)
                        WHEN o.number % 10 = 7 THEN format('Лицей № %s', o.number)
                        ELSE format('СОШ № %s', o.number) END,
                   r.code || lpad((o.id * 7919 % 100000000)::text, 8, '0'),
                   format('%s, %s, %s', r.name, pg_temp.locality(m.name), pg_temp.street_address(pg_temp.h(o.id, 1))),
                   format('%s %s %s', pg_temp.surname(pg_temp.h(o.id, 2), o.head_female), pg_temp.first_name(pg_temp.h(o.id, 3), o.head_female), pg_temp.patronymic(pg_temp.h(o.id, 4), o.head_female)),
                   pg_temp.phone(pg_temp.h(o.id, 5)),
                   format('org%s@edu.example', o.id),
                   make_date(\(self.year) - 5, 9, 1), CASE WHEN m.kind = 'municipal_district' THEN 'rural' ELSE 'urban' END
            FROM eduql.municipalities m
            JOIN eduql.regions r ON r.id = m.region_id
            CROSS JOIN LATERAL (
                SELECT (m.id - 1) * \(perMunicipality) + j AS id,
                       CASE WHEN j <= \(schools) THEN 'school' ELSE 'kindergarten' END AS kind,
                       CASE WHEN j <= \(schools) THEN j ELSE 100 + j - \(schools) END AS number,
                       pg_temp.pick(\(v.array(v.kindergartenNames)), pg_temp.h(m.id * 100 + j, 6)) AS title,
                       pg_temp.h(m.id * 100 + j, 7) % 10 < 7 AS head_female
                FROM generate_series(1, \(perMunicipality)) j
            ) o
            """,
        ])
    }

    /// Staff numbers inside an organization: 0 the head, 1–19 a subject's teacher, 21–24 the
    /// primary teacher of grade 1–4, 52–56 the educator of kindergarten age group 2–6.
    var staffAndClasses: Step {
        let y = self.year
        return Step(label: "staff, classes, timetable, teaching assignments", statements: [
            """
            INSERT INTO eduql.staff (id, region_id, municipality_id, organization_id, last_name, first_name, middle_name, position, email, phone, hired_on)
            SELECT o.id * 100 + s.no, o.region_id, o.municipality_id, o.id,
                   pg_temp.surname(pg_temp.h(o.id * 100 + s.no, 1), s.female), pg_temp.first_name(pg_temp.h(o.id * 100 + s.no, 2), s.female),
                   pg_temp.patronymic(pg_temp.h(o.id * 100 + s.no, 3), s.female), s.position,
                   format('staff%s@edu.example', o.id * 100 + s.no), pg_temp.phone(pg_temp.h(o.id * 100 + s.no, 4)),
                   make_date(\(y) - (pg_temp.h(o.id * 100 + s.no, 5) % 25)::integer, 8, 25)
            FROM eduql.organizations o
            CROSS JOIN LATERAL (
                SELECT n AS no, pg_temp.h(o.id * 100 + n, 0) % 10 < 8 AS female,
                       CASE WHEN n = 0 AND o.kind = 'kindergarten' THEN 'Заведующий' WHEN n = 0 THEN 'Директор'
                            WHEN n >= 50 THEN 'Воспитатель' WHEN n > 20 THEN 'Учитель начальных классов'
                            ELSE 'Учитель (' || (SELECT name FROM subject_catalog WHERE subject_catalog.no = n) || ')' END AS position
                FROM generate_series(0, 56) n
                WHERE CASE WHEN o.kind = 'kindergarten' THEN n = 0 OR n BETWEEN 52 AND 56 ELSE n BETWEEN 0 AND 19 OR n BETWEEN 21 AND 24 END
            ) s
            """,
            """
            INSERT INTO eduql.classes (id, region_id, municipality_id, organization_id, academic_year_id, kind, grade, age_group, letter, name, homeroom_teacher_id,
                                       orientation, age_to, capacity)
            SELECT o.id * 16 + g.n, o.region_id, o.municipality_id, o.id, o.region_id,
                   CASE WHEN o.kind = 'school' THEN 'class' ELSE 'group' END,
                   CASE WHEN o.kind = 'school' THEN g.n END,
                   CASE WHEN o.kind = 'kindergarten' THEN g.n END,
                   CASE WHEN o.kind = 'school' THEN 'А' END,
                   CASE WHEN o.kind = 'school' THEN g.n || 'А'
                        ELSE (ARRAY['Группа раннего возраста', 'Младшая группа', 'Средняя группа', 'Старшая группа', 'Подготовительная группа'])[g.n - 1] END,
                   o.id * 100 + CASE WHEN o.kind = 'kindergarten' THEN 50 + g.n WHEN g.n <= 4 THEN 20 + g.n ELSE 3 + g.n END,
                   CASE WHEN o.kind = 'kindergarten' THEN 'general' END, CASE WHEN o.kind = 'kindergarten' THEN g.n END,
                   CASE WHEN o.kind = 'kindergarten' THEN \(self.scale.childrenPerGroup + 3) END
            FROM eduql.organizations o
            CROSS JOIN LATERAL generate_series(CASE WHEN o.kind = 'school' THEN 1 ELSE 2 END, CASE WHEN o.kind = 'school' THEN 11 ELSE 6 END) g(n)
            """,
            """
            CREATE TEMP TABLE grade_subjects AS
            SELECT g AS grade, (row_number() OVER (PARTITION BY g ORDER BY s.no, w) - 1)::integer AS idx, s.no
            FROM generate_series(1, 11) g
            JOIN subject_catalog s ON g BETWEEN s.min_grade AND s.max_grade
            CROSS JOIN LATERAL generate_series(1, s.weight) w
            """,
            // A weekly timetable: weekday 1–5, periods by grade; the same every week of the year.
            """
            CREATE TEMP TABLE timetable AS
            SELECT c.id AS class_id, wd, p, gs.no AS subject_no,
                   c.organization_id * 100 + CASE WHEN c.grade <= 4 AND sc.taught_by_primary_teacher THEN 20 + c.grade ELSE gs.no END AS teacher_id
            FROM eduql.classes c
            CROSS JOIN generate_series(1, 5) wd
            CROSS JOIN generate_series(1, 6) p
            JOIN (SELECT grade, count(*) AS n FROM grade_subjects GROUP BY grade) counts ON counts.grade = c.grade
            JOIN grade_subjects gs ON gs.grade = c.grade AND gs.idx = pg_temp.h(c.id * 64 + wd * 8 + p, 21) % counts.n
            JOIN subject_catalog sc ON sc.no = gs.no
            WHERE c.kind = 'class' AND p <= CASE WHEN c.grade = 1 THEN 4 WHEN c.grade <= 4 THEN 5 ELSE 6 END
            """,
            """
            INSERT INTO eduql.teaching_assignments (id, region_id, municipality_id, organization_id, staff_id, class_id, subject_id, academic_year_id,
                                                    weekly_hours, starts_on)
            SELECT t.class_id * 32 + t.subject_no, c.region_id, c.municipality_id, c.organization_id, t.teacher_id, t.class_id,
                   c.region_id * 100 + t.subject_no, c.academic_year_id, count(*), make_date(\(y), 9, 1)
            FROM timetable t JOIN eduql.classes c ON c.id = t.class_id
            GROUP BY t.class_id, t.subject_no, c.region_id, c.municipality_id, c.organization_id, t.teacher_id, c.academic_year_id
            """,
            // The timetable as the API keeps it, the curriculum it follows, and the bell schedule.
            """
            INSERT INTO eduql.timetable_entries (region_id, municipality_id, organization_id, class_id, weekday, period, subject_id, teacher_id, room)
            SELECT c.region_id, c.municipality_id, c.organization_id, t.class_id, t.wd, t.p, c.region_id * 100 + t.subject_no, t.teacher_id,
                   (100 + c.grade * 10 + t.subject_no % 10)::text
            FROM timetable t JOIN eduql.classes c ON c.id = t.class_id
            ORDER BY t.class_id, t.wd, t.p
            """,
            """
            INSERT INTO eduql.curriculum_lines (region_id, municipality_id, organization_id, academic_year_id, grade, subject_id, weekly_hours)
            SELECT c.region_id, c.municipality_id, c.organization_id, c.academic_year_id, c.grade, c.region_id * 100 + t.subject_no, count(*)
            FROM timetable t JOIN eduql.classes c ON c.id = t.class_id
            GROUP BY c.region_id, c.municipality_id, c.organization_id, c.academic_year_id, c.grade, t.subject_no
            ORDER BY c.organization_id, c.grade, t.subject_no
            """,
            """
            INSERT INTO eduql.bell_periods (region_id, municipality_id, organization_id, academic_year_id, shift, period, starts_at, ends_at)
            SELECT o.region_id, o.municipality_id, o.id, o.region_id, 1, p, time '08:30' + (p - 1) * interval '55 minutes',
                   time '08:30' + (p - 1) * interval '55 minutes' + interval '45 minutes'
            FROM eduql.organizations o CROSS JOIN generate_series(1, 6) p WHERE o.kind = 'school'
            ORDER BY o.id, p
            """,
            """
            UPDATE eduql.staff s SET gender = CASE WHEN pg_temp.h(s.id, 0) % 10 < 8 THEN 'female' ELSE 'male' END,
                   birth_date = make_date(\(y) - 25 - (pg_temp.h(s.id, 6) % 35)::integer, 1 + (pg_temp.h(s.id, 7) % 12)::integer, 1 + (pg_temp.h(s.id, 8) % 28)::integer),
                   education_level = (ARRAY['higher_pedagogical', 'higher_pedagogical', 'higher', 'secondary_vocational_pedagogical'])[1 + (pg_temp.h(s.id, 9) % 4)::integer],
                   qualification_category = (ARRAY['none', 'first', 'highest'])[1 + (pg_temp.h(s.id, 10) % 3)::integer],
                   experience_since = s.hired_on - (pg_temp.h(s.id, 11) % 3000)::integer
            """,
        ])
    }
}
