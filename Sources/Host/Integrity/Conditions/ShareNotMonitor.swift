/// The page's screen share (`screen.share`) stopped, or showing less than a
/// whole monitor, for at least `min_s`.
struct ShareNotMonitor: Condition {
    static let kind = "share_not_monitor"
    static let summary = "screen.share inactive or not a whole monitor for min_s"
    static let parameters = [CommonParameters.minimumSeconds(default: 5, "the share's lapse")]

    let topics = ["screen.share"]
    var stateTopics: [String] { ["screen.share"] }
    private var episode: Episode
    private var what = ""

    init(rule: GuidelineRule) { episode = Episode(minimum: rule.milliseconds("min_s")) }

    mutating func observe(_ event: Observed) -> [Finding] {
        let active = event.data["active"]?.boolValue ?? false
        if active && event.data["full_screen_share"]?.boolValue == true {
            return episode.release(at: event.time, seq: event.seq, describe: describe)
        }
        if !episode.isHolding {
            let surface = event.data["display_surface"]?.stringValue ?? "something"
            what = active ? "a \(surface) was shared, not a whole monitor," : "no screen was shared"
        }
        return episode.hold(at: event.time, seq: event.seq, describe: describe)
    }

    mutating func advance(to now: Timestamp) -> [Finding] { episode.advance(to: now, describe: describe) }

    private var describe: (Double) -> String {
        let what = self.what
        return { "\(what) for \($0.seconds) s" }
    }
}
