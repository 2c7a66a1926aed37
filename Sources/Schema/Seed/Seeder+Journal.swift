extension Seeder {
    static let journalTables = "'eduql.lessons'::regclass, 'eduql.homework'::regclass, 'eduql.marks'::regclass, 'eduql.attendance'::regclass"

    /// Drops the journal tables' foreign keys and secondary indexes for the bulk load; the
    /// restore step recreates them from their saved definitions (one validating join each,
    /// instead of a lookup per row).
    var relaxJournalTables: Step {
        Step(label: "journal tables: defer indexes and foreign keys", statements: [
            """
            CREATE TEMP TABLE deferred_structures AS
            SELECT 1 AS phase, format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS relax,
                   format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS restore
            FROM pg_constraint WHERE contype = 'f' AND conrelid IN (\(Self.journalTables))
            UNION ALL
            SELECT 0, format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid IN (\(Self.journalTables))
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            "DO $$ DECLARE s record; BEGIN FOR s IN SELECT relax FROM deferred_structures ORDER BY phase DESC LOOP EXECUTE s.relax; END LOOP; END $$",
        ])
    }

    var restoreJournalTables: Step {
        Step(label: "journal tables: build indexes, validate foreign keys", statements: [
            "DO $$ DECLARE s record; BEGIN FOR s IN SELECT restore FROM deferred_structures ORDER BY phase LOOP EXECUTE s.restore; END LOOP; END $$",
        ])
    }

    /// Every school day of the journal's quarters gets the timetable's lessons; about half of
    /// them (from grade 2) set homework.
    var lessons: Step {
        Step(label: "lessons and homework", statements: [
            """
            CREATE TEMP TABLE school_days AS
            SELECT t.region_id, t.id AS term_id, d::date AS day, extract(isodow FROM d)::integer AS weekday,
                   d::date - make_date(\(self.year), 9, 1) AS day_no
            FROM eduql.terms t, generate_series(t.starts_on, t.ends_on, interval '1 day') d
            WHERE t.scheme = 'quarter' AND t.number <= \(self.scale.journalTerms) AND extract(isodow FROM d) < 6
              AND NOT EXISTS (SELECT 1 FROM eduql.holidays h WHERE h.region_id = t.region_id AND d::date BETWEEN h.starts_on AND h.ends_on)
              \(self.scale.journalUntilToday ? "AND d::date <= date_trunc('week', current_date)::date + 20" : "")
            """,
            """
            INSERT INTO eduql.lessons (id, region_id, municipality_id, organization_id, class_id, subject_id, teacher_id, term_id, held_on, period, topic)
            SELECT t.class_id * 4096 + d.day_no * 8 + t.p, c.region_id, c.municipality_id, c.organization_id, t.class_id,
                   c.region_id * 100 + t.subject_no, t.teacher_id, d.term_id, d.day, t.p,
                   format('Тема %s. %s', 1 + d.day_no / 7, pg_temp.pick(ARRAY['Изучение нового материала', 'Повторение', 'Практическая работа',
                          'Закрепление', 'Самостоятельная работа', 'Разбор ошибок', 'Решение задач', 'Обобщение'], pg_temp.h(t.class_id * 4096 + d.day_no * 8 + t.p, 1)))
            FROM timetable t
            JOIN eduql.classes c ON c.id = t.class_id
            JOIN school_days d ON d.region_id = c.region_id AND d.weekday = t.wd
            """,
            """
            INSERT INTO eduql.homework (lesson_id, region_id, municipality_id, organization_id, assignment, due_on)
            SELECT l.id, l.region_id, l.municipality_id, l.organization_id,
                   CASE l.subject_id % 100
                       WHEN 1 THEN format('Упражнение %s, с. %s', 1 + k % 400, 1 + k % 250)
                       WHEN 2 THEN format('Прочитать с. %s–%s, ответить на вопросы', 1 + k % 250, 11 + k % 250)
                       WHEN 7 THEN format('Ex. %s, p. %s; выучить слова', 1 + k % 12, 1 + k % 150)
                       WHEN 3 THEN format('№ %s, № %s, № %s', 1 + k % 900, 2 + k % 900, 3 + k % 900)
                       WHEN 4 THEN format('№ %s, № %s, № %s', 1 + k % 900, 2 + k % 900, 3 + k % 900)
                       WHEN 5 THEN format('№ %s, № %s', 1 + k % 700, 2 + k % 700)
                       ELSE format('§ %s, вопросы после параграфа', 1 + k % 40)
                   END,
                   l.held_on + 7
            FROM eduql.lessons l
            JOIN eduql.classes c ON c.id = l.class_id
            CROSS JOIN LATERAL (SELECT pg_temp.h(l.id, 2) AS k) r
            WHERE c.grade >= 2 AND l.subject_id % 100 NOT IN (15, 16, 17) AND r.k % 100 < 55
            """,
        ])
    }

    /// One hash per learner-lesson decides: an attendance mark (absence rate), a lesson mark
    /// (mark rate), or nothing — so an absent learner gets no mark that day. Marks follow the
    /// learner's steady ability with day-to-day noise.
    var marksAndAttendance: Step {
        let absence = self.scale.absenceRate, marks = self.scale.markRate
        return Step(label: "marks and attendance", statements: [
            """
            INSERT INTO eduql.attendance (lesson_id, learner_id, region_id, municipality_id, organization_id, code)
            SELECT l.id, e.learner_id, l.region_id, l.municipality_id, l.organization_id,
                   CASE WHEN pg_temp.h(k.k, 12) % 100 < 40 THEN 'absent' WHEN pg_temp.h(k.k, 12) % 100 < 75 THEN 'ill'
                        WHEN pg_temp.h(k.k, 12) % 100 < 90 THEN 'excused' ELSE 'late' END
            FROM eduql.lessons l
            JOIN eduql.enrollments e ON e.class_id = l.class_id
            CROSS JOIN LATERAL (SELECT l.id * 32 + e.learner_id % 32 AS k) k
            WHERE pg_temp.h(k.k, 11) % 1000 < \(absence)\(self.untilToday("l.held_on"))
            """,
            """
            INSERT INTO eduql.marks (id, region_id, municipality_id, organization_id, learner_id, class_id, subject_id, term_id, lesson_id,
                                     value, kind, weight, given_on)
            SELECT k.k, l.region_id, l.municipality_id, l.organization_id, e.learner_id, l.class_id, l.subject_id, l.term_id, l.id,
                   greatest(2, least(5, round(2.6 + (pg_temp.h(e.learner_id, 7) % 2400) / 1000.0
                                              + ((pg_temp.h(k.k, 9) % 1000) / 1000.0 - 0.5) * 2.2)))::smallint,
                   CASE WHEN pg_temp.h(k.k, 13) % 100 < 8 THEN 'test' ELSE 'current' END,
                   CASE WHEN pg_temp.h(k.k, 13) % 100 < 8 THEN 2 ELSE 1 END,
                   l.held_on
            FROM eduql.lessons l
            JOIN eduql.enrollments e ON e.class_id = l.class_id
            CROSS JOIN LATERAL (SELECT l.id * 32 + e.learner_id % 32 AS k) k
            WHERE pg_temp.h(k.k, 11) % 1000 >= \(absence) AND pg_temp.h(k.k, 11) % 1000 < \(absence + marks)\(self.untilToday("l.held_on"))
            """,
        ])
    }

    /// ` AND <day> <= current_date` when the journal stops at today, else nothing.
    func untilToday(_ day: String) -> String {
        self.scale.journalUntilToday ? " AND \(day) <= current_date" : ""
    }

    /// Term marks are the weighted averages of a term's lesson marks; when the whole year is
    /// generated, year marks are the averages of the term marks. Their ids lie above 10^15.
    var finalMarks: Step {
        var statements = [
            """
            INSERT INTO eduql.marks (id, region_id, municipality_id, organization_id, learner_id, class_id, subject_id, term_id, lesson_id,
                                     value, kind, weight, given_on)
            SELECT 1000000000000000 + m.learner_id * 128 + (m.subject_id % 100) * 5 + t.number,
                   m.region_id, m.municipality_id, m.organization_id, m.learner_id, m.class_id, m.subject_id, m.term_id, NULL,
                   round(sum(m.value * m.weight)::numeric / sum(m.weight))::smallint, 'term', 1, t.ends_on
            FROM eduql.marks m JOIN eduql.terms t ON t.id = m.term_id
            WHERE true\(self.untilToday("t.ends_on + 1"))
            GROUP BY m.region_id, m.municipality_id, m.organization_id, m.learner_id, m.class_id, m.subject_id, m.term_id, t.number, t.ends_on
            """,
        ]
        if self.scale.journalTerms == 4 {
            statements.append("""
                INSERT INTO eduql.marks (id, region_id, municipality_id, organization_id, learner_id, class_id, subject_id, term_id, lesson_id,
                                         value, kind, weight, given_on)
                SELECT 1000000000000000 + m.learner_id * 128 + (m.subject_id % 100) * 5,
                       m.region_id, m.municipality_id, m.organization_id, m.learner_id, m.class_id, m.subject_id, t.id, NULL,
                       round(avg(m.value))::smallint, 'year', 1, t.ends_on
                FROM eduql.marks m
                JOIN eduql.terms t ON t.region_id = m.region_id AND t.scheme = 'quarter' AND t.number = 4
                WHERE m.kind = 'term'\(self.untilToday("t.ends_on + 1"))
                GROUP BY m.region_id, m.municipality_id, m.organization_id, m.learner_id, m.class_id, m.subject_id, t.id, t.ends_on
                """)
        }
        return Step(label: "term and year marks", statements: statements)
    }
}
