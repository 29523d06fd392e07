import ProctorJSON

/// One thing `proctord doctor` looked at: what it found, in plain words, and
/// what to do when it is not right.
public struct DoctorFinding: Sendable, Equatable {
    public enum Level: String, Sendable, Comparable {
        /// Works.
        case ok
        /// Worth knowing; the agent still does its job.
        case note
        /// The agent runs, but something it watches will be missing.
        case warning
        /// The agent cannot do its job until this is fixed.
        case problem

        private var rank: Int { [.ok: 0, .note: 1, .warning: 2, .problem: 3][self]! }
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }

    public var check: String
    public var level: Level
    public var summary: String
    public var advice: String?
    public var details: JSONValue

    public init(_ check: String, _ level: Level, _ summary: String, advice: String? = nil, details: JSONValue = .object([:])) {
        self.check = check
        self.level = level
        self.summary = summary
        self.advice = advice
        self.details = details
    }

    public var json: JSONValue {
        var object: JSONObject = ["check": .string(check), "level": .string(level.rawValue), "summary": .string(summary)]
        if let advice { object["advice"] = .string(advice) }
        if details != .object([:]) { object["details"] = details }
        return .object(object)
    }
}
