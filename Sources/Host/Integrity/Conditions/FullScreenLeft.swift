/// The call page out of full screen (`screen.fullscreen`) and not back within `min_s`.
struct FullScreenLeft: Condition {
    static let kind = "fullscreen_left"
    static let summary = "screen.fullscreen left and not entered again within min_s"
    static let parameters = [CommonParameters.minimumSeconds(default: 5, "leaving full screen")]

    let topics = ["screen.fullscreen", SourceWatch.topic]
    var stateTopics: [String] { ["screen.fullscreen"] }
    private var episode: Episode
    private var source = SourceWatch()
    private var reason = ""

    init(rule: GuidelineRule) { episode = Episode(minimum: rule.milliseconds("min_s")) }

    mutating func observe(_ event: Observed) -> [Finding] {
        if source.lost(event) { return episode.release(at: event.time, seq: event.seq, describe: describe) }
        guard event.topic == "screen.fullscreen", let full = event.data["full_screen"]?.boolValue else { return [] }
        source.saw(event)
        // Lost: the window closed or the display went away; it cannot be
        // seen, so the episode ends here rather than counting on.
        if full || event.data["change"]?.stringValue == "lost" {
            return episode.release(at: event.time, seq: event.seq, describe: describe)
        }
        if !episode.isHolding { reason = event.data["reason"]?.stringValue.map { " (\($0))" } ?? "" }
        return episode.hold(at: event.time, seq: event.seq, describe: describe)
    }

    mutating func advance(to now: Timestamp) -> [Finding] { episode.advance(to: now, describe: describe) }

    private var describe: (Double) -> String {
        let reason = self.reason
        return { "the call page was out of full screen\(reason) for \($0.seconds) s" }
    }
}
