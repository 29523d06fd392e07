/// More monitors than `max_monitors` connected (`screen.monitors`) for at least `min_s`.
struct ExtraMonitor: Condition {
    static let kind = "extra_monitor"
    static let summary = "screen.monitors count above max_monitors for min_s"
    static let parameters = [
        CommonParameters.minimumSeconds(default: 0, "the extra monitor"),
        ConditionParameter(name: "max_monitors", schema: ["type": "integer", "minimum": 1, "maximum": 16, "default": 1,
                                                          "description": "Monitors allowed."], stricter: .lower),
    ]

    let topics = ["screen.monitors"]
    var stateTopics: [String] { ["screen.monitors"] }
    private let allowed: Int
    private var episode: Episode
    private var most = 0

    init(rule: GuidelineRule) {
        allowed = Int(rule.number("max_monitors"))
        episode = Episode(minimum: rule.milliseconds("min_s"))
    }

    mutating func observe(_ event: Observed) -> [Finding] {
        let count = event.data["count"]?.intValue ?? 0
        guard count > allowed else {
            let out = episode.release(at: event.time, seq: event.seq, describe: describe)
            most = 0
            return out
        }
        most = max(most, count)
        return episode.hold(at: event.time, seq: event.seq, describe: describe)
    }

    mutating func advance(to now: Timestamp) -> [Finding] { episode.advance(to: now, describe: describe) }

    /// Words for a duration, from a copy of the state: no access to self while the episode changes.
    private var describe: (Double) -> String {
        let most = self.most
        return { "\(most) monitors connected for \($0.seconds) s" }
    }
}
