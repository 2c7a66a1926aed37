/// Distribution (комплектование) of one municipality's queue, as a pure function of the queue,
/// the free places and the date: the database reads and writes around it (``RuleWriter``), so
/// its rules can be proved on any queue.
///
/// The queue is walked in order — priority class (0 out-of-turn … 3 general), then original
/// registration time, then application id. An applicant whose desired start date is after the
/// run's date gets nothing this time; any other gets its most preferred choice that still has a
/// free place in its age group, or nothing if none has.
public struct QueueDistribution: Sendable {
    /// One queued application.
    public struct Applicant: Sendable, Hashable {
        public var id: Int
        public var priorityRank: Int
        /// Microseconds since the epoch, so that order is exact.
        public var registeredAt: Int64
        public var ageGroup: Int
        /// `YYYY-MM-DD`, which sorts as the dates do.
        public var desiredStartOn: String
        /// Kindergarten ids, most wanted first.
        public var choices: [Int]

        public init(id: Int, priorityRank: Int, registeredAt: Int64, ageGroup: Int, desiredStartOn: String, choices: [Int]) {
            (self.id, self.priorityRank, self.registeredAt, self.ageGroup, self.desiredStartOn, self.choices) =
                (id, priorityRank, registeredAt, ageGroup, desiredStartOn, choices)
        }

        /// The queue order.
        public static func precedes(_ a: Applicant, _ b: Applicant) -> Bool {
            (a.priorityRank, a.registeredAt, a.id) < (b.priorityRank, b.registeredAt, b.id)
        }
    }

    /// Places of one age group in one kindergarten.
    public struct Group: Sendable, Hashable {
        public var organization: Int
        public var ageGroup: Int

        public init(organization: Int, ageGroup: Int) {
            self.organization = organization
            self.ageGroup = ageGroup
        }
    }

    /// What one applicant got.
    public enum Outcome: Sendable, Hashable {
        /// A place in `organization`, its choice number `rank` (1 = most wanted).
        case allocated(organization: Int, rank: Int)
        case noFreePlace
        case startDateNotReached
    }

    /// One line of the protocol.
    public struct Line: Sendable, Hashable {
        public var applicant: Applicant
        public var outcome: Outcome
    }

    /// The protocol: every applicant in queue order, with what it got.
    public static func lines(_ applicants: [Applicant], free: [Group: Int], on date: String) -> [Line] {
        var free = free
        return applicants.sorted(by: Applicant.precedes).map { applicant in
            guard applicant.desiredStartOn <= date else { return Line(applicant: applicant, outcome: .startDateNotReached) }
            for (index, organization) in applicant.choices.enumerated() {
                let group = Group(organization: organization, ageGroup: applicant.ageGroup)
                if let places = free[group], places > 0 {
                    free[group] = places - 1
                    return Line(applicant: applicant, outcome: .allocated(organization: organization, rank: index + 1))
                }
            }
            return Line(applicant: applicant, outcome: .noFreePlace)
        }
    }
}
