/// No `heartbeat.tick` for at least `gap_s` after one was seen: the agent or
/// its plugins were stopped or starved. From the last tick to the next.
struct HeartbeatGap: Condition {
    static let kind = "heartbeat_gap"
    static let summary = "no heartbeat.tick for gap_s"
    static let parameters = [
        ConditionParameter(name: "gap_s", schema: ["type": "number", "minimum": 0.1, "maximum": 3600, "default": 5,
                                                   "description": "Seconds without a tick that make a gap."], stricter: .lower),
    ]

    let topics = ["heartbeat.tick"]
    private var episode: Episode

    init(rule: GuidelineRule) { episode = Episode(minimum: rule.milliseconds("gap_s")) }

    mutating func observe(_ event: Observed) -> [Finding] {
        let out = episode.release(at: event.time, seq: event.seq, describe: Self.describe)
        return out + episode.hold(at: event.time, seq: event.seq, describe: Self.describe)
    }

    mutating func advance(to now: Timestamp) -> [Finding] { episode.advance(to: now, describe: Self.describe) }

    static func describe(_ seconds: Double) -> String { "no heartbeat for \(seconds.seconds) s" }
}
