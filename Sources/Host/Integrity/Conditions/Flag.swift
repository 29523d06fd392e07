/// A boolean a plugin reports (`field` of `topic` true) for at least `min_s`:
/// a remote-control or assistant program, a virtual camera, a VM, a locked
/// screen. Any such topic becomes a rule with a config entry alone.
struct Flag: Condition {
    static let kind = "flag"
    static let summary = "field of topic true for min_s"
    static let parameters = [
        CommonParameters.minimumSeconds(default: 0, "the flag"),
        ConditionParameter(name: "topic", schema: ["type": "string", "pattern": "^[a-z0-9_]+(\\.[a-z0-9_]+)*$", "default": "system.vm",
                                                   "description": "The topic to read."], stricter: .fixed),
        ConditionParameter(name: "field", schema: ["type": "string", "minLength": 1, "default": "active",
                                                   "description": "Its boolean field."], stricter: .fixed),
        ConditionParameter(name: "what", schema: ["type": "string", "minLength": 1, "maxLength": 200, "default": "the flag",
                                                  "description": "What it is, for the message: \"a remote-control program\"."],
                           stricter: .fixed),
    ]

    let topics: [String]
    var stateTopics: [String] { topics }
    private let field: String
    private let what: String
    private var episode: Episode
    /// What the event names (`name`, `program`), for the message.
    private var named = ""

    init(rule: GuidelineRule) {
        topics = [rule.string("topic")]
        field = rule.string("field")
        what = rule.string("what")
        episode = Episode(minimum: rule.milliseconds("min_s"))
    }

    mutating func observe(_ event: Observed) -> [Finding] {
        guard event.data[field]?.boolValue == true else { return episode.release(at: event.time, seq: event.seq, describe: describe) }
        if !episode.isHolding {
            named = (event.data["name"]?.stringValue ?? event.data["program"]?.stringValue).map { " (\($0))" } ?? ""
        }
        return episode.hold(at: event.time, seq: event.seq, describe: describe)
    }

    mutating func advance(to now: Timestamp) -> [Finding] { episode.advance(to: now, describe: describe) }

    private var describe: (Double) -> String {
        let words = what + named
        return { "\(words) reported for \($0.seconds) s" }
    }
}
