import Foundation

/// How much data `eduql seed` generates.
public struct SeedScale: Sendable, Equatable {
    /// A region to generate: its code, name and municipalities (name, kind).
    public struct Region: Sendable, Equatable {
        public var code: String
        public var name: String
        public var municipalities: [(name: String, kind: String)]

        public static func == (lhs: Region, rhs: Region) -> Bool {
            lhs.code == rhs.code && lhs.name == rhs.name && lhs.municipalities.map(\.name) == rhs.municipalities.map(\.name)
        }
    }

    public var name: String
    public var regions: [Region]
    public var schoolsPerMunicipality: Int
    public var kindergartensPerMunicipality: Int
    /// Learners in each school class (grades 1–11, one class per grade).
    public var learnersPerClass: Int
    /// Children in each kindergarten group (age groups 2–6).
    public var childrenPerGroup: Int
    /// The academic year whose journal is generated starts on 1 September of this year.
    public var academicYear: Int
    /// How many quarters of that year get lessons, marks and attendance (1–4).
    public var journalTerms: Int
    /// Whether the journal stops at today: lessons to the end of the week after next (so there
    /// are lessons ahead on a Friday, a weekend or in a two-week holiday), marks, attendance and
    /// final marks only where their day has come (the demo lives in the present).
    public var journalUntilToday: Bool = false
    /// Per mille of learner-lessons with a mark, and with an attendance record.
    public var markRate: Int
    public var absenceRate: Int
    public var applicationsPerMunicipality: Int

    /// Two regions of three municipalities, ~12 schools, 6 kindergartens, ~2,000 learners, one term.
    public static let demo = SeedScale(
        name: "demo",
        regions: [
            Region(code: "35", name: "Вологодская область", municipalities: [
                ("Городской округ город Вологда", "city_district"),
                ("Городской округ город Череповец", "city_district"),
                ("Сокольский муниципальный округ", "municipal_district"),
            ]),
            Region(code: "69", name: "Тверская область", municipalities: [
                ("Городской округ город Тверь", "city_district"),
                ("Ржевский муниципальный округ", "municipal_district"),
                ("Кимрский муниципальный округ", "municipal_district"),
            ]),
        ],
        schoolsPerMunicipality: 2,
        kindergartensPerMunicipality: 1,
        learnersPerClass: 14,
        childrenPerGroup: 12,
        academicYear: SeedScale.currentAcademicYear(),
        journalTerms: 4,
        journalUntilToday: true,
        markRate: 210,
        absenceRate: 105,
        applicationsPerMunicipality: 50
    )

    /// The academic year under way today: it starts on 1 September.
    public static func currentAcademicYear(on date: Date = Date()) -> Int {
        let calendar = Calendar(identifier: .gregorian)
        let parts = calendar.dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return parts.month! >= 9 ? parts.year! : parts.year! - 1
    }

    /// One region of 22 municipalities, 440 schools, ~101,000 school learners, a whole year.
    public static let bench = SeedScale(
        name: "bench",
        regions: [
            Region(code: "35", name: "Вологодская область", municipalities: [
                ("Городской округ город Вологда", "city_district"),
                ("Городской округ город Череповец", "city_district"),
            ] + ["Бабаевский", "Бабушкинский", "Белозерский", "Вашкинский", "Великоустюгский", "Верховажский",
                 "Вожегодский", "Вологодский", "Вытегорский", "Грязовецкий", "Кадуйский", "Кирилловский",
                 "Междуреченский", "Никольский", "Нюксенский", "Сокольский", "Сямженский", "Тарногский",
                 "Тотемский", "Устюженский"].map { ("\($0) муниципальный округ", "municipal_district") }),
        ],
        schoolsPerMunicipality: 20,
        kindergartensPerMunicipality: 5,
        learnersPerClass: 21,
        childrenPerGroup: 15,
        academicYear: 2025,
        journalTerms: 4,
        markRate: 220,
        absenceRate: 112,
        applicationsPerMunicipality: 1000
    )

    /// The scale called `name` (`demo` or `bench`).
    public static func named(_ name: String) -> SeedScale? {
        [demo, bench].first { $0.name == name }
    }
}
