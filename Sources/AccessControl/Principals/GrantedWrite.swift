import Foundation

/// One mutation an integration grant lets its client run, on behalf of the person the
/// mutation names, at the grant's own rate for it (nil: only the client's overall rate).
public struct GrantedWrite: Sendable, Hashable, Codable {
    public var mutation: String
    public var ratePerSecond: Double?
    public var burst: Int?

    public init(mutation: String, limit: TokenBuckets.Limit? = nil) {
        self.mutation = mutation
        self.ratePerSecond = limit?.rate
        self.burst = limit?.burst
    }

    /// The mutation's own rate, when the grant sets one.
    public var limit: TokenBuckets.Limit? {
        guard let rate = self.ratePerSecond, let burst = self.burst else { return nil }
        return TokenBuckets.Limit(rate: rate, burst: burst)
    }

    /// Whom each delegable mutation is made for: the person a client names, whose own rights
    /// the write is checked against as well as the grant's.
    public enum Person: String, Sendable {
        /// The lesson's teacher, by staff id (`teacherId`).
        case teacher
        /// The applicant guardian: by SNILS when filing (`input.applicant`), else the applicant
        /// of an application the client filed.
        case applicant
    }

    /// The mutations a grant can name, with the person each is made for.
    public static let delegable: [String: Person] = [
        "recordMarks": .teacher, "recordAttendance": .teacher,
        "fileQueueApplication": .applicant, "changeQueueChoices": .applicant,
        "withdrawQueueApplication": .applicant, "respondToOffer": .applicant,
    ]
}
