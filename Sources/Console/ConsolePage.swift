/// One page of the console: which template, its title, and the trusted documents its script
/// sends (name → `documentId`, as JSON in the body's `data-documents`).
public struct ConsolePage: Sendable {
    /// The pages there are, by their path under `/console/`.
    public static let titles: [String: String] = [
        "sign-in": "Вход", "home": "Главная", "diary": "Дневник", "journal": "Журнал", "dashboard": "Показатели",
        "queue": "Очередь в детские сады", "audit": "Журнал аудита", "school": "Организация", "forms": "Статистические формы", "explorer": "Обозреватель API", "not-found": "Страница не найдена",
    ]

    public let template: String
    public let page: String
    public let title: String
    /// No signed-in navigation (the sign-in page).
    public let signedOut: Bool
    /// Loads Chart.js.
    public let chart: Bool
    public let documents: String
    public let providers: [Provider]
    public let hasProviders: Bool

    /// A federated sign-in provider offered on the sign-in page.
    public struct Provider: Sendable {
        public var id: String
        public var name: String
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// The page at `path`, or the "not found" page.
    public init(path: String, documents: String, providers: [Provider] = []) {
        let page = Self.titles[path] == nil ? "not-found" : path
        self.template = page
        self.page = page
        self.title = Self.titles[page]!
        self.signedOut = page == "sign-in" || page == "not-found"
        self.chart = page == "dashboard"
        self.documents = documents
        self.providers = providers
        self.hasProviders = !providers.isEmpty
    }
}
