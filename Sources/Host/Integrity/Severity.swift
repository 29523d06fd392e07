/// How much an alert of a rule matters to the interviewer; `high` is the strictest.
public enum Severity: String, Sendable, CaseIterable, Comparable {
    case low, medium, high

    var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    /// Points an alert costs, and the most one rule may cost, when the rule
    /// does not say: a few low alerts never outweigh one high one.
    var defaultCost: Double {
        switch self {
        case .low: 2
        case .medium: 5
        case .high: 10
        }
    }

    var defaultCap: Double { defaultCost * 3 }
}
