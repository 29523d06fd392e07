/// Focus away from the call page (`desktop.focus` with `call_page` false) for at least `min_s`.
struct FocusAway: Condition {
    static let kind = "focus_away"
    static let summary = "desktop.focus away from the call page for min_s"
    static let parameters = [CommonParameters.minimumSeconds(default: 5, "focus elsewhere")]

    let topics = ["desktop.focus", SourceWatch.topic]
    var stateTopics: [String] { ["desktop.focus"] }
    private var episode: Episode
    private var source = SourceWatch()
    /// Where focus went first, for the message.
    private var elsewhere = ""

    init(rule: GuidelineRule) { episode = Episode(minimum: rule.milliseconds("min_s")) }

    mutating func observe(_ event: Observed) -> [Finding] {
        if source.lost(event) { return episode.release(at: event.time, seq: event.seq, describe: describe) }
        guard event.topic == "desktop.focus", let onPage = event.data["call_page"]?.boolValue else { return [] }
        source.saw(event)
        if onPage { return episode.release(at: event.time, seq: event.seq, describe: describe) }
        if !episode.isHolding {
            elsewhere = event.data["app"]?["class"]?.stringValue.map { "on \($0)" } ?? (event.data["window"] == .null ? "on no window" : "elsewhere")
        }
        return episode.hold(at: event.time, seq: event.seq, describe: describe)
    }

    mutating func advance(to now: Timestamp) -> [Finding] { episode.advance(to: now, describe: describe) }

    private var describe: (Double) -> String {
        let elsewhere = self.elsewhere
        return { "focus \(elsewhere), away from the call page, for \($0.seconds) s" }
    }
}
