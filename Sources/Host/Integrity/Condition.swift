import ProctorJSON

/// One event as a condition sees it: its data already parsed.
public struct Observed: Sendable {
    public let seq: UInt64
    public let time: Timestamp
    public let plugin: String
    public let topic: String
    public let data: JSONValue
    /// True for the state an interview started in (the last event of a state
    /// topic before it began): it counts from the interview's start.
    public var primed = false
}

/// What a condition tells the engine about its alerts. `key` tells apart
/// alerts of one rule that run at once (one per direction, per plugin).
public enum Finding: Sendable, Equatable {
    case raise(key: String, at: Timestamp, evidence: [UInt64], message: String)
    case update(key: String, evidence: [UInt64], message: String)
    case resolve(key: String, at: Timestamp, evidence: [UInt64], message: String)
}

/// Which way a parameter makes a rule stricter, so a page can be held to
/// guidelines at least as strict as the agent's config.
public enum Strictness: Sendable {
    /// A smaller value is stricter (a duration before an alert).
    case lower
    /// A larger value is stricter (a time window, a severity's cost).
    case higher
    /// A list that may only grow (more phases, more directions).
    case superset
    /// Fixed by the config (which topic a rule reads).
    case fixed
}

public struct ConditionParameter: Sendable {
    public let name: String
    /// Its JSON Schema, with a `default` and a `description`.
    public let schema: JSONValue
    public let stricter: Strictness
}

/// A kind of condition: reads some topics and reports alerts. Adding a kind
/// is one type of this protocol, listed in `ConditionKinds.all`; adding a rule
/// of an existing kind is a config entry.
public protocol Condition: Sendable {
    /// The `kind` a rule names, e.g. `face_absent`.
    static var kind: String { get }
    /// What the kind watches for, for docs and errors.
    static var summary: String { get }
    static var parameters: [ConditionParameter] { get }

    init(rule: GuidelineRule)

    /// The topics it reads.
    var topics: [String] { get }
    /// The topics whose last event before the interview tells the state it
    /// starts in (full screen, monitors).
    var stateTopics: [String] { get }

    mutating func observe(_ event: Observed) -> [Finding]
    /// Time passed with no event of its topics: an alert may be due.
    mutating func advance(to now: Timestamp) -> [Finding]
}

extension Condition {
    public var stateTopics: [String] { [] }
    public mutating func advance(to now: Timestamp) -> [Finding] { [] }
}

/// Every kind the engine knows.
public enum ConditionKinds {
    public static let all: [any Condition.Type] = [
        LookAway.self, RepeatedGlances.self, FaceAbsent.self, MultipleFaces.self, VoiceInQuietPhase.self,
        MicrophoneCapture.self, ClipboardThenFocus.self, FocusAway.self, FullScreenLeft.self, ShareNotMonitor.self,
        ExtraMonitor.self, Flag.self, PluginDown.self, HeartbeatGap.self, PageAway.self, PageFullScreenLeft.self,
    ]

    public static func named(_ kind: String) -> (any Condition.Type)? { all.first { $0.kind == kind } }
}

/// Parameters most kinds share.
enum CommonParameters {
    static func minimumSeconds(default value: Double, _ what: String) -> ConditionParameter {
        ConditionParameter(
            name: "min_s",
            schema: ["type": "number", "minimum": 0, "maximum": 3600, "default": .number(value),
                     "description": .string("Seconds \(what) must last before it is an alert.")],
            stricter: .lower)
    }
}

extension Double {
    /// Seconds for a message: `7.2`.
    var seconds: String {
        let tenths = (self * 10).rounded() / 10
        return tenths == tenths.rounded() ? String(Int(tenths)) + ".0" : String(tenths)
    }
}

extension Timestamp {
    func seconds(since start: Timestamp) -> Double { Double(millisecondsSinceEpoch - start.millisecondsSinceEpoch) / 1000 }
    func adding(milliseconds: Int64) -> Timestamp { Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds) }
}
