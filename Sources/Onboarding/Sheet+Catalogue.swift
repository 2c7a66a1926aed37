/// The sheets of an import, in the order they are imported (each refers only to those before it).
extension Sheet {
    public static let all: [Sheet] = [
        .municipalities, .years, .subjects, .organizations, .staff, .classes, .learners, .guardians, .guardianLinks, .enrollments,
        .teachingAssignments, .timetable,
    ]

    static let id = Column("id", ["идентификатор", "код", "ид"], .text(maxLength: 100), required: true)
    static let lastName = Column("last_name", ["фамилия"], .text(maxLength: 100), required: true)
    static let firstName = Column("first_name", ["имя"], .text(maxLength: 100), required: true)
    static let middleName = Column("middle_name", ["отчество"], .text(maxLength: 100))
    static let gender = Column("gender", ["пол"], .choice([("male", ["м", "муж", "мужской"]), ("female", ["ж", "жен", "женский"])]))
    static let email = Column("email", ["электронная почта", "e-mail", "почта"], .text(maxLength: 200))
    static let phone = Column("phone", ["телефон"], .text(maxLength: 50))
    static let snils = Column("snils", ["снилс"], .snils)
    static let address = Column("address", ["адрес"], .text(maxLength: 500))

    static func reference(_ name: String, _ aliases: [String], required: Bool = true) -> Column {
        Column(name, aliases, .text(maxLength: 100), required: required)
    }

    static func ordered(_ first: String, _ second: String, _ message: String) -> @Sendable ([String: String]) -> [(column: String, message: String)] {
        { row in
            guard let a = row[first], let b = row[second], b < a else { return [] }
            return [(second, message)]
        }
    }

    static let municipalities = Sheet(
        name: "municipalities", aliases: ["муниципалитеты", "муниципальные образования"], entity: "municipality",
        columns: [
            Column("oktmo", ["октмо"], .digits([8]), required: true),
            Column("name", ["наименование", "название"], .text(maxLength: 300), required: true),
            Column("kind", ["вид", "тип"], .choice([("city_district", ["городской округ"]), ("municipal_district", ["муниципальный район", "муниципальный округ"])]),
                   required: true),
        ],
        key: ["oktmo"])

    static let years = Sheet(
        name: "years", aliases: ["учебные годы"], entity: "year",
        columns: [
            Column("name", ["учебный год", "наименование"], .yearName, required: true),
            Column("starts_on", ["дата начала", "начало"], .date(past: false), required: true),
            Column("ends_on", ["дата окончания", "окончание"], .date(past: false), required: true),
        ],
        key: ["name"], rowCheck: ordered("starts_on", "ends_on", "the year ends before it begins"))

    static let subjects = Sheet(
        name: "subjects", aliases: ["предметы"], entity: "subject",
        columns: [
            Column("name", ["предмет", "наименование"], .text(maxLength: 200), required: true),
            Column("short_name", ["краткое наименование", "сокращение"], .text(maxLength: 50), required: true),
        ],
        key: ["name"])

    static let organizations = Sheet(
        name: "organizations", aliases: ["организации", "образовательные организации"], entity: "organization",
        columns: [
            id,
            Column("municipality_oktmo", ["октмо муниципалитета", "муниципалитет"], .digits([8]), required: true),
            Column("kind", ["вид", "тип"], .choice([("kindergarten", ["детский сад", "доо"]), ("school", ["школа", "оо"]),
                                                   ("additional", ["дополнительное образование", "удо"]), ("vocational", ["спо", "колледж"])]),
                   required: true),
            Column("full_name", ["полное наименование"], .text(maxLength: 1000), required: true),
            Column("short_name", ["краткое наименование", "сокращенное наименование"], .text(maxLength: 300), required: true),
            Column("inn", ["инн"], .digits([10]), required: true),
            Column("kpp", ["кпп"], .digits([9])),
            Column("ogrn", ["огрн"], .digits([13])),
            Column("address", ["адрес"], .text(maxLength: 500), required: true),
            Column("head_name", ["руководитель", "фио руководителя"], .text(maxLength: 300), required: true),
            phone, email,
            Column("settlement", ["местность"], .choice([("urban", ["городская", "город"]), ("rural", ["сельская", "село"])])),
            reference("parent_id", ["головная организация"], required: false),
        ],
        key: ["id"])

    static let staff = Sheet(
        name: "staff", aliases: ["сотрудники", "работники", "педагоги"], entity: "staff",
        columns: [
            id, reference("organization_id", ["организация"]), lastName, firstName, middleName, gender,
            Column("birth_date", ["дата рождения"], .date(past: true)), snils,
            Column("position", ["должность"], .text(maxLength: 200), required: true),
            Column("education_level", ["уровень образования", "образование"], .choice([
                ("higher", ["высшее"]), ("higher_pedagogical", ["высшее педагогическое"]), ("secondary_vocational", ["среднее профессиональное"]),
                ("secondary_vocational_pedagogical", ["среднее профессиональное педагогическое"]), ("secondary", ["среднее"])])),
            Column("qualification_category", ["квалификационная категория", "категория"], .choice([
                ("none", ["нет", "без категории"]), ("first", ["первая"]), ("highest", ["высшая"])])),
            Column("experience_since", ["педагогический стаж с", "стаж с"], .date(past: true)),
            Column("rate", ["ставка"], .decimal(0.01...2)),
            Column("employment", ["занятость", "вид занятости"], .choice([("main", ["основная", "основное"]), ("part_time", ["совместитель", "совместительство"])])),
            Column("hired_on", ["дата приема", "принят"], .date(past: false), required: true),
            Column("dismissed_on", ["дата увольнения", "уволен"], .date(past: false)),
            email, phone,
            Column("post_category", ["категория должности"], .choice([
                ("head", ["руководитель"]), ("deputy_head", ["заместитель руководителя"]), ("teacher", ["учитель"]), ("educator", ["воспитатель"]),
                ("psychologist", ["педагог-психолог"]), ("speech_therapist", ["учитель-логопед"]), ("defectologist", ["учитель-дефектолог"]),
                ("social_pedagogue", ["социальный педагог"]), ("additional_education", ["педагог дополнительного образования"]),
                ("tutor", ["тьютор"]), ("music_director", ["музыкальный руководитель"]), ("physical_instructor", ["инструктор по физической культуре"]),
                ("teacher_organizer", ["педагог-организатор"]), ("counsellor", ["советник по воспитанию"]),
                ("other_pedagogical", ["иной педагогический работник"]), ("support", ["учебно-вспомогательный персонал"]),
                ("service", ["обслуживающий персонал"])])),
        ],
        key: ["id"], rowCheck: ordered("hired_on", "dismissed_on", "dismissed before being hired"))

    static let classes = Sheet(
        name: "classes", aliases: ["классы", "классы и группы", "группы"], entity: "class",
        columns: [
            id, reference("organization_id", ["организация"]),
            Column("year", ["учебный год"], .yearName, required: true),
            Column("kind", ["вид", "тип"], .choice([("class", ["класс"]), ("group", ["группа"])])),
            Column("name", ["наименование", "название", "класс"], .text(maxLength: 200), required: true),
            Column("grade", ["параллель", "год обучения"], .integer(1...12)),
            Column("letter", ["литера", "буква"], .text(maxLength: 10)),
            Column("shift", ["смена"], .integer(1...3)),
            Column("programme", ["программа"], .choice([("general", ["общая", "основная"]), ("adapted", ["адаптированная"]),
                                                       ("advanced", ["углубленная"]), ("profile", ["профильная"])])),
            Column("adapted_variant", ["вариант программы", "вариант аооп"], .text(maxLength: 3)),
            Column("profile", ["профиль"], .text(maxLength: 200)),
            Column("age_group", ["возраст от", "возрастная группа"], .integer(0...7)),
            Column("age_to", ["возраст до"], .integer(0...8)),
            Column("orientation", ["направленность"], .choice([("general", ["общеразвивающая"]), ("compensating", ["компенсирующая"]),
                                                              ("combined", ["комбинированная"]), ("health", ["оздоровительная"]),
                                                              ("care", ["присмотр и уход"]), ("family", ["семейная"])])),
            Column("compensating_kind", ["вид нарушения"], .text(maxLength: 200)),
            Column("short_stay", ["кратковременное пребывание"], .flag),
            Column("capacity", ["мест", "вместимость"], .integer(1...60)),
            reference("homeroom_teacher_id", ["классный руководитель", "воспитатель"], required: false),
            Column("adapted_years", ["срок обучения", "срок освоения программы"], .integer(4...13)),
            Column("additional_year", ["дополнительный класс"], .integer(1...2)),
            Column("combined_class", ["класс-комплект"], .text(maxLength: 50)),
        ],
        key: ["id"],
        rowCheck: { row in
            switch row["kind"] ?? (row["age_group"] != nil ? "group" : "class") {
            case "class" where row["grade"] == nil: [("grade", "a class has a grade (1–12)")]
            case "group" where row["age_group"] == nil: [("age_group", "a group has an age (0–7)")]
            default: []
            }
        })

    static let learners = Sheet(
        name: "learners", aliases: ["обучающиеся", "учащиеся", "воспитанники", "дети"], entity: "learner",
        columns: [
            id, reference("organization_id", ["организация"]), lastName, firstName, middleName,
            Column("gender", ["пол"], gender.kind, required: true),
            Column("birth_date", ["дата рождения"], .date(past: true), required: true), snils, address,
            Column("health_group", ["группа здоровья"], .integer(1...5)),
            Column("citizenship", ["гражданство"], .country(stateless: true)),
            Column("second_citizenship", ["второе гражданство"], .country(stateless: false)),
            Column("health_limitation", ["овз", "вид нарушения"], .choice([
                ("deaf", ["глухой"]), ("hard_of_hearing", ["слабослышащий"]), ("blind", ["слепой"]), ("low_vision", ["слабовидящий"]),
                ("speech", ["нарушения речи"]), ("severe_speech", ["тяжелые нарушения речи", "тнр"]),
                ("musculoskeletal", ["нарушения опорно-двигательного аппарата", "нода"]), ("delayed_development", ["задержка психического развития", "зпр"]),
                ("autism", ["расстройства аутистического спектра", "рас"]), ("intellectual", ["умственная отсталость"]),
                ("complex", ["сложный дефект"]), ("other", ["иные нарушения"])])),
            Column("disabled", ["инвалидность", "ребенок-инвалид"], .flag),
        ],
        key: ["id"])

    static let guardians = Sheet(
        name: "guardians", aliases: ["родители", "законные представители", "представители"], entity: "guardian",
        columns: [id, lastName, firstName, middleName, Column("birth_date", ["дата рождения"], .date(past: true)), phone, email, snils, address],
        key: ["id"])

    static let guardianLinks = Sheet(
        name: "guardian_links", aliases: ["связи представителей", "родители и дети"], entity: "guardian_link",
        columns: [
            reference("guardian_id", ["представитель", "родитель"]), reference("learner_id", ["обучающийся", "ребенок"]),
            Column("relation", ["степень родства", "кем приходится"], .choice([
                ("mother", ["мать"]), ("father", ["отец"]), ("guardian", ["опекун"]), ("trustee", ["попечитель"]),
                ("legal_representative", ["законный представитель"])]), required: true),
            Column("consent_on", ["дата согласия", "согласие на обработку"], .date(past: true)),
        ],
        key: ["guardian_id", "learner_id"])

    static let enrollments = Sheet(
        name: "enrollments", aliases: ["зачисления", "контингент"], entity: "enrollment",
        columns: [
            id, reference("learner_id", ["обучающийся"]), reference("class_id", ["класс", "группа"]),
            Column("enrolled_on", ["дата зачисления", "зачислен"], .date(past: false), required: true),
            Column("left_on", ["дата выбытия", "выбыл"], .date(past: false)),
            Column("status", ["статус"], .choice([("active", ["обучается"]), ("transferred", ["переведен"]), ("expelled", ["отчислен"]),
                                                 ("graduated", ["выпущен", "окончил"]), ("promoted", ["переведен в следующий класс"])])),
            Column("repeats_grade", ["оставлен на повторное обучение", "второгодник"], .flag),
        ],
        key: ["id"], rowCheck: ordered("enrolled_on", "left_on", "left before being enrolled"))

    static let teachingAssignments = Sheet(
        name: "teaching_assignments", aliases: ["нагрузка", "педагогическая нагрузка", "назначения"], entity: "teaching_assignment",
        columns: [
            id, reference("staff_id", ["учитель", "педагог"]), reference("class_id", ["класс"]),
            Column("subject", ["предмет"], .text(maxLength: 200), required: true),
            Column("weekly_hours", ["часов в неделю"], .decimal(0.5...40)),
            Column("starts_on", ["с", "дата начала"], .date(past: false)),
            Column("ends_on", ["по", "дата окончания"], .date(past: false)),
        ],
        key: ["id"], rowCheck: ordered("starts_on", "ends_on", "ends before it starts"))

    static let timetable = Sheet(
        name: "timetable", aliases: ["расписание"], entity: "timetable_entry",
        columns: [
            reference("class_id", ["класс"]),
            Column("weekday", ["день недели"], .choice([("1", ["пн", "понедельник"]), ("2", ["вт", "вторник"]), ("3", ["ср", "среда"]),
                                                       ("4", ["чт", "четверг"]), ("5", ["пт", "пятница"]), ("6", ["сб", "суббота"])]),
                   required: true),
            Column("period", ["урок", "номер урока"], .integer(1...10), required: true),
            Column("subject", ["предмет"], .text(maxLength: 200), required: true),
            reference("teacher_id", ["учитель", "педагог"]),
            Column("room", ["кабинет"], .text(maxLength: 50)),
        ],
        key: ["class_id", "weekday", "period"])
}
