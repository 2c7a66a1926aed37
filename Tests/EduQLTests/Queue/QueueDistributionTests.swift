@testable import EduQLResolvers
import Testing

/// The distribution's rules on hand-made queues whose right protocol is known, and over
/// hundreds of generated municipalities.
@Suite("Queue distribution")
struct QueueDistributionTests {
    typealias Applicant = QueueDistribution.Applicant
    typealias Group = QueueDistribution.Group

    static func applicant(_ id: Int, rank: Int = 3, at registered: Int64, age: Int = 3, start: String = "2026-09-01", _ choices: [Int]) -> Applicant {
        Applicant(id: id, priorityRank: rank, registeredAt: registered, ageGroup: age, desiredStartOn: start, choices: choices)
    }

    static func outcomes(_ lines: [QueueDistribution.Line]) -> [Int: QueueDistribution.Outcome] {
        Dictionary(uniqueKeysWithValues: lines.map { ($0.applicant.id, $0.outcome) })
    }

    @Test("priority class first, then registration time, then id; the order of the input does not matter")
    func order() {
        let queue = [
            Self.applicant(1, rank: 3, at: 100, [10]),
            Self.applicant(2, rank: 0, at: 500, [10]),   // out of turn, though later
            Self.applicant(3, rank: 1, at: 300, [10]),
            Self.applicant(4, rank: 1, at: 200, [10]),   // first turn, earlier than 3
            Self.applicant(6, rank: 2, at: 50, [10]),
            Self.applicant(5, rank: 2, at: 50, [10]),    // same time as 6: the lower id first
        ]
        let lines = QueueDistribution.lines(queue, free: [Group(organization: 10, ageGroup: 3): 4], on: "2026-09-01")
        #expect(lines.map(\.applicant.id) == [2, 4, 3, 5, 6, 1])
        #expect(lines.map(\.outcome) == [
            .allocated(organization: 10, rank: 1), .allocated(organization: 10, rank: 1), .allocated(organization: 10, rank: 1),
            .allocated(organization: 10, rank: 1), .noFreePlace, .noFreePlace,
        ])
        #expect(QueueDistribution.lines(queue.reversed(), free: [Group(organization: 10, ageGroup: 3): 4], on: "2026-09-01") == lines)
    }

    @Test("preferences in order, age groups apart, start dates not reached")
    func preferencesAgesAndDates() {
        let queue = [
            Self.applicant(1, at: 1, [10, 20]),                        // takes 10's last place
            Self.applicant(2, at: 2, [10, 20, 30]),                    // 10 is full: 20
            Self.applicant(3, at: 3, [10]),                            // only 10: none
            Self.applicant(4, at: 4, age: 4, [10]),                    // another age group has room in 10
            Self.applicant(5, at: 0, start: "2026-10-01", [10, 20]),   // first in line, but not yet
            Self.applicant(6, at: 6, [30, 20]),                        // 30 has no group of age 3: 20
        ]
        let free: [Group: Int] = [Group(organization: 10, ageGroup: 3): 1, Group(organization: 20, ageGroup: 3): 2,
                                  Group(organization: 10, ageGroup: 4): 1, Group(organization: 30, ageGroup: 4): 5]
        let outcomes = Self.outcomes(QueueDistribution.lines(queue, free: free, on: "2026-09-01"))
        #expect(outcomes == [
            1: .allocated(organization: 10, rank: 1), 2: .allocated(organization: 20, rank: 2), 3: .noFreePlace,
            4: .allocated(organization: 10, rank: 1), 5: .startDateNotReached, 6: .allocated(organization: 20, rank: 2),
        ])
    }

    @Test("an application transferred with its original time, and an offer refused, keep their place in line")
    func originalTimeKept() {
        // 7 came from another municipality, registered before 8 there; 9 refused an offer and queues again with its time.
        let queue = [Self.applicant(8, at: 200, [10]), Self.applicant(7, at: 100, [10]), Self.applicant(9, at: 150, [10])]
        let lines = QueueDistribution.lines(queue, free: [Group(organization: 10, ageGroup: 3): 2], on: "2026-09-01")
        #expect(lines.map(\.applicant.id) == [7, 9, 8])
        #expect(Self.outcomes(lines)[8] == .noFreePlace)
    }

    @Test("over 500 generated municipalities: no place twice, no capacity exceeded, nobody passed over, a second run gives nothing")
    func properties() {
        var random = SplitMix64(state: 20_261_124)
        for _ in 0..<500 {
            let kindergartens = Array(1...Int.random(in: 1...6, using: &random))
            var free: [Group: Int] = [:]
            for organization in kindergartens {
                for age in 1...4 where Bool.random(using: &random) { free[Group(organization: organization, ageGroup: age)] = Int.random(in: 0...4, using: &random) }
            }
            let applicants = (1...Int.random(in: 1...60, using: &random)).map { id in
                Applicant(id: id, priorityRank: Int.random(in: 0...3, using: &random), registeredAt: Int64.random(in: 0...40, using: &random),
                          ageGroup: Int.random(in: 1...4, using: &random),
                          desiredStartOn: Bool.random(using: &random) ? "2026-09-01" : "2026-10-01",
                          choices: Array(kindergartens.shuffled(using: &random).prefix(Int.random(in: 1...min(5, kindergartens.count), using: &random))))
            }
            let lines = QueueDistribution.lines(applicants, free: free, on: "2026-09-01")
            #expect(lines.count == applicants.count && Set(lines.map(\.applicant.id)).count == applicants.count)
            // Lines are in queue order.
            #expect(zip(lines, lines.dropFirst()).allSatisfy { Applicant.precedes($0.applicant, $1.applicant) })
            var given: [Group: Int] = [:]
            for line in lines {
                if case .allocated(let organization, let rank) = line.outcome {
                    #expect(line.applicant.choices[rank - 1] == organization)
                    #expect(line.applicant.desiredStartOn <= "2026-09-01")
                    given[Group(organization: organization, ageGroup: line.applicant.ageGroup), default: 0] += 1
                }
                if case .startDateNotReached = line.outcome { #expect(line.applicant.desiredStartOn > "2026-09-01") }
            }
            #expect(given.allSatisfy { group, count in count <= free[group, default: 0] }, "no capacity exceeded")
            // Nobody is passed over: whoever is behind someone in line never got a kindergarten
            // the one ahead wanted more than what it got, in its age group, when its start date had come.
            for (index, ahead) in lines.enumerated() where ahead.applicant.desiredStartOn <= "2026-09-01" {
                let got: Int = if case .allocated(_, let rank) = ahead.outcome { rank } else { Int.max }
                for behind in lines[(index + 1)...] {
                    guard case .allocated(let organization, _) = behind.outcome, behind.applicant.ageGroup == ahead.applicant.ageGroup,
                          let wanted = ahead.applicant.choices.firstIndex(of: organization) else { continue }
                    #expect(wanted + 1 >= got, "\(behind.applicant.id) got \(organization), which \(ahead.applicant.id) ahead of it wanted more")
                }
            }
            // Run again on what is left: nobody gets anything more.
            var left = free
            for (group, count) in given { left[group, default: 0] -= count }
            let waiting = lines.filter { if case .allocated = $0.outcome { false } else { true } }.map(\.applicant)
            let again = QueueDistribution.lines(waiting, free: left, on: "2026-09-01")
            #expect(again.allSatisfy { if case .allocated = $0.outcome { false } else { true } })
        }
    }
}
