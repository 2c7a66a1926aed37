extension Seeder {
    var benefitCategories: Step {
        Step(label: "benefit categories", statements: [
            """
            INSERT INTO eduql.benefit_categories (id, region_id, municipality_id, code, name, level, priority, legal_basis)
            SELECT r.id * 100 + b.n, r.id,
                   CASE WHEN b.level = 'municipal' THEN (SELECT min(m.id) FROM eduql.municipalities m WHERE m.region_id = r.id) END,
                   b.code, b.name, b.level, b.priority, b.basis
            FROM eduql.regions r, (VALUES
                (1, 'prosecutor', 'Дети прокуроров', 'federal', 'out_of_turn', 'Федеральный закон от 17.01.1992 № 2202-1 «О прокуратуре Российской Федерации», ст. 44'),
                (2, 'judge', 'Дети судей', 'federal', 'out_of_turn', 'Закон РФ от 26.06.1992 № 3132-1 «О статусе судей в Российской Федерации», ст. 19'),
                (3, 'investigator', 'Дети сотрудников Следственного комитета', 'federal', 'out_of_turn', 'Федеральный закон от 28.12.2010 № 403-ФЗ «О Следственном комитете Российской Федерации», ст. 35'),
                (4, 'military', 'Дети военнослужащих', 'federal', 'first_turn', 'Федеральный закон от 27.05.1998 № 76-ФЗ «О статусе военнослужащих», ст. 19'),
                (5, 'police', 'Дети сотрудников полиции', 'federal', 'first_turn', 'Федеральный закон от 07.02.2011 № 3-ФЗ «О полиции», ст. 46'),
                (6, 'disability', 'Дети-инвалиды и дети, один из родителей которых является инвалидом', 'federal', 'first_turn', 'Указ Президента РФ от 02.10.1992 № 1157'),
                (7, 'sibling', 'Брат или сестра посещает ту же организацию', 'federal', 'preferential', 'Федеральный закон от 29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации», ч. 3.1 ст. 67'),
                (8, 'large_family', 'Дети из многодетных семей', 'regional', 'first_turn', 'Закон субъекта Российской Федерации о мерах социальной поддержки многодетных семей'),
                (9, 'municipal_staff', 'Дети работников муниципальных образовательных организаций', 'municipal', 'first_turn', 'Постановление администрации муниципального образования')
            ) AS b(n, code, name, level, priority, basis)
            """,
        ])
    }

    /// Applications per municipality (`municipality * 100000 + n`), each filed by its own
    /// applicant (guardian `10000000 + application`), with up to five ranked kindergartens.
    var queue: Step {
        let y = self.year
        return Step(label: "queue applications, choices, status history", statements: [
            """
            CREATE TEMP TABLE application_seeds AS
            SELECT a.*, make_date(\(y) - a.age, 9, 1) - (pg_temp.h(a.id, 3) % 365)::integer AS birth_date
            FROM (
                SELECT m.id * 100000 + j AS id, m.region_id, m.id AS municipality_id, r.code, j,
                       (ARRAY[0, 0, 1, 1, 1, 2, 2, 3, 4, 5])[1 + pg_temp.h(m.id * 100000 + j, 1) % 10] AS age,
                       pg_temp.h(m.id * 100000 + j, 2) % 2 = 0 AS female, pg_temp.h(m.id * 100000 + j, 4) AS family
                FROM eduql.municipalities m JOIN eduql.regions r ON r.id = m.region_id
                CROSS JOIN generate_series(1, \(self.scale.applicationsPerMunicipality)) j
            ) a
            """,
            """
            INSERT INTO eduql.guardians (id, region_id, last_name, first_name, middle_name, birth_date, phone, snils)
            SELECT 10000000 + a.id, a.region_id, pg_temp.surname(a.family, true), pg_temp.first_name(pg_temp.h(a.id, 5), true),
                   pg_temp.patronymic(pg_temp.h(a.id, 6), true), a.birth_date - ((21 + pg_temp.h(a.id, 8) % 18) * 365)::integer,
                   pg_temp.phone(pg_temp.h(a.id, 7)), pg_temp.snils(2, a.id)
            FROM application_seeds a
            """,
            """
            INSERT INTO eduql.queue_applications (id, region_id, municipality_id, number, applicant_guardian_id, child_last_name, child_first_name,
                child_middle_name, child_gender, child_birth_date, child_snils, registered_at, desired_start_on, age_group, benefit_category_id,
                benefit_status, priority_rank, status, status_changed_at, offer_expires_on)
            SELECT a.id, a.region_id, a.municipality_id, format('%s-%s-%s', a.code, a.municipality_id, lpad(a.j::text, 6, '0')),
                   10000000 + a.id, pg_temp.surname(a.family, a.female), pg_temp.first_name(pg_temp.h(a.id, 9), a.female),
                   pg_temp.patronymic(pg_temp.h(a.id, 10), a.female), CASE WHEN a.female THEN 'female' ELSE 'male' END, a.birth_date,
                   pg_temp.snils(3, a.id), s.registered_at, make_date(\(y) + greatest(0, 2 - a.age), 9, 1), a.age, b.id,
                   CASE WHEN b.id IS NOT NULL THEN 'confirmed' END,
                   CASE b.priority WHEN 'out_of_turn' THEN 0 WHEN 'first_turn' THEN 1 WHEN 'preferential' THEN 2 ELSE 3 END,
                   s.status,
                   CASE s.status WHEN 'new' THEN s.registered_at WHEN 'rejected' THEN s.registered_at + interval '3 days'
                        WHEN 'withdrawn' THEN s.registered_at + interval '60 days'
                        WHEN 'allocated' THEN (make_date(\(y), 6, 1) + time '10:00') AT TIME ZONE 'Europe/Moscow'
                        WHEN 'enrolled' THEN (make_date(\(y), 7, 1) + time '10:00') AT TIME ZONE 'Europe/Moscow'
                        ELSE s.registered_at + interval '1 day' END,
                   CASE WHEN s.status = 'allocated' THEN make_date(\(y), 6, 15) END
            FROM application_seeds a
            CROSS JOIN LATERAL (
                SELECT (least(a.birth_date + (20 + pg_temp.h(a.id, 12) % 200)::integer, make_date(\(y), 8, 31))
                        + make_interval(secs => 8 * 3600 + pg_temp.h(a.id, 13) % 36000)) AT TIME ZONE 'Europe/Moscow' AS registered_at,
                       pg_temp.h(a.id, 14) % 100 AS draw
            ) r
            CROSS JOIN LATERAL (
                SELECT r.registered_at,
                       CASE WHEN r.draw < 70 OR (r.draw < 88 AND (r.registered_at >= make_date(\(y), 6, 1) OR a.age < 2)) THEN 'queued'
                            WHEN r.draw < 78 THEN 'allocated' WHEN r.draw < 88 THEN 'enrolled' WHEN r.draw < 94 THEN 'withdrawn'
                            WHEN r.draw < 97 THEN 'new' ELSE 'rejected' END AS status
            ) s
            LEFT JOIN eduql.benefit_categories b
                   ON pg_temp.h(a.id, 15) % 100 < 12 AND b.id = a.region_id * 100 + 1 + pg_temp.h(a.id, 16) % 8
            """,
            """
            INSERT INTO eduql.queue_application_choices (application_id, rank, region_id, municipality_id, organization_id)
            SELECT a.id, ranked.rank, a.region_id, a.municipality_id, ranked.organization_id
            FROM eduql.queue_applications a
            CROSS JOIN LATERAL (
                SELECT o.id AS organization_id, row_number() OVER (ORDER BY pg_temp.h(a.id * 1000 + o.id, 17)) AS rank
                FROM eduql.organizations o WHERE o.municipality_id = a.municipality_id AND o.kind = 'kindergarten'
            ) ranked
            WHERE ranked.rank <= 1 + pg_temp.h(a.id, 18) % 5
            """,
            """
            INSERT INTO eduql.queue_status_history (id, region_id, municipality_id, application_id, from_status, to_status, changed_at, reason)
            SELECT a.id * 8 + step.n, a.region_id, a.municipality_id, a.id, step.from_status, step.to_status, step.changed_at, step.reason
            FROM eduql.queue_applications a
            CROSS JOIN LATERAL (VALUES
                (0, NULL, 'new', a.registered_at, 'Заявление подано', true),
                (1, 'new', 'queued', a.registered_at + interval '1 day', 'Документы подтверждены', a.status IN ('queued', 'allocated', 'enrolled', 'withdrawn')),
                (1, 'new', 'rejected', a.registered_at + interval '3 days', 'Документы не подтверждены', a.status = 'rejected'),
                (2, 'queued', 'allocated', (make_date(\(y), 6, 1) + time '10:00') AT TIME ZONE 'Europe/Moscow', 'Комплектование', a.status IN ('allocated', 'enrolled')),
                (2, 'queued', 'withdrawn', a.registered_at + interval '60 days', 'Отозвано заявителем', a.status = 'withdrawn'),
                (3, 'allocated', 'enrolled', (make_date(\(y), 7, 1) + time '10:00') AT TIME ZONE 'Europe/Moscow', 'Зачислен приказом руководителя', a.status = 'enrolled')
            ) step(n, from_status, to_status, changed_at, reason, applies)
            WHERE step.applies
            """,
        ])
    }

    /// One distribution run per municipality on 1 June, and its protocol.
    var distribution: Step {
        let y = self.year
        return Step(label: "distribution runs and allocations", statements: [
            """
            INSERT INTO eduql.distribution_runs (id, region_id, municipality_id, academic_year_id, run_on, started_at, finished_at)
            SELECT m.id, m.region_id, m.id, m.region_id, make_date(\(y), 6, 1),
                   (make_date(\(y), 6, 1) + time '10:00') AT TIME ZONE 'Europe/Moscow', (make_date(\(y), 6, 1) + time '10:05') AT TIME ZONE 'Europe/Moscow'
            FROM eduql.municipalities m
            """,
            """
            INSERT INTO eduql.allocations (id, region_id, municipality_id, run_id, application_id, outcome, organization_id, choice_rank, voucher_number,
                                           age_group, response, responded_at)
            SELECT a.id, a.region_id, a.municipality_id, a.municipality_id, a.id,
                   CASE WHEN a.status IN ('allocated', 'enrolled') THEN 'allocated'
                        WHEN a.desired_start_on > make_date(\(y), 9, 1) THEN 'start_date_not_reached' ELSE 'no_free_place' END,
                   CASE WHEN a.status IN ('allocated', 'enrolled') THEN c.organization_id END,
                   CASE WHEN a.status IN ('allocated', 'enrolled') THEN 1 END,
                   CASE WHEN a.status IN ('allocated', 'enrolled') THEN format('П-%s-%s', a.municipality_id, a.id) END,
                   a.age_group, CASE WHEN a.status = 'enrolled' THEN 'accepted' END, CASE WHEN a.status = 'enrolled' THEN a.status_changed_at END
            FROM eduql.queue_applications a
            JOIN eduql.queue_application_choices c ON c.application_id = a.id AND c.rank = 1
            WHERE a.status IN ('allocated', 'enrolled')
               OR (a.status = 'queued' AND a.registered_at < (make_date(\(y), 6, 1) + time '10:00') AT TIME ZONE 'Europe/Moscow')
            """,
        ])
    }

    /// Moves every identity sequence past the generated ids.
    var identities: Step {
        Step(label: "identity sequences", statements: [
            """
            DO $$ DECLARE t record; BEGIN
                FOR t IN SELECT a.attrelid::regclass AS tbl, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                         WHERE c.relnamespace = 'eduql'::regnamespace AND a.attidentity <> '' LOOP
                    EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), coalesce((SELECT max(%I) FROM %s), 0) + 1, false)',
                                   t.tbl, t.attname, t.attname, t.tbl);
                END LOOP;
            END $$
            """,
        ])
    }
}
