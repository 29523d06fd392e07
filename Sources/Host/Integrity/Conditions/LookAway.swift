/// Looking away from the screen (`gaze.away`) for at least `min_s`.
struct LookAway: Condition {
    static let kind = "look_away"
    static let summary = "gaze.away started and not ended within min_s"
    static let parameters = [CommonParameters.minimumSeconds(default: 6, "a look away")]

    let topics = ["gaze.away", SourceWatch.topic]
    private var episode: Episode
    private var direction = ""
    private var source = SourceWatch()

    init(rule: GuidelineRule) { episode = Episode(minimum: rule.milliseconds("min_s")) }

    mutating func observe(_ event: Observed) -> [Finding] {
        if source.lost(event) { return episode.release(at: event.time, seq: event.seq, describe: describe) }
        guard event.topic == "gaze.away" else { return [] }
        source.saw(event)
        switch event.data["state"]?.stringValue {
        case "started":
            if !episode.isHolding { direction = event.data["direction"]?.stringValue ?? "away" }
            return episode.hold(at: event.time, seq: event.seq, describe: describe)
        case "ended": return episode.release(at: event.time, seq: event.seq, describe: describe)
        default: return []
        }
    }

    mutating func advance(to now: Timestamp) -> [Finding] { episode.advance(to: now, describe: describe) }

    /// Words for a duration, from a copy of the state: no access to self while the episode changes.
    private var describe: (Double) -> String {
        let direction = self.direction
        return { "looked \(direction) for \($0.seconds) s" }
    }
}
