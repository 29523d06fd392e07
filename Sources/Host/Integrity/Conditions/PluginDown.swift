/// A plugin that stopped running during the interview (crashed, degraded,
/// stopped, held, failed: `plugin.state`) for at least `min_s`; one alert per plugin.
/// A state the interview began in is coverage, not a finding.
struct PluginDown: Condition {
    static let kind = "plugin_down"
    static let summary = "plugin.state away from running during the interview for min_s"
    static let parameters = [CommonParameters.minimumSeconds(default: 0, "the outage")]

    let topics = ["plugin.state"]
    static let down: Set<String> = ["degraded", "crashed", "held", "stopping", "stopped", "failed"]
    private var plugins: KeyedEpisodes

    init(rule: GuidelineRule) {
        plugins = KeyedEpisodes(minimum: rule.milliseconds("min_s")) { plugin, state, seconds in
            "plugin \(plugin) \(state), not running for \(seconds.seconds) s"
        }
    }

    mutating func observe(_ event: Observed) -> [Finding] {
        guard !event.primed, let plugin = event.data["plugin"]?.stringValue, let state = event.data["state"]?.stringValue else { return [] }
        if Self.down.contains(state) {
            let reason = event.data["reason"]?.stringValue.map { ": \($0)" } ?? ""
            return plugins.hold(plugin, label: state + reason, at: event.time, seq: event.seq)
        }
        // Starting: still not running, nothing new.
        return state == "running" ? plugins.release(plugin, at: event.time, seq: event.seq) : []
    }

    mutating func advance(to now: Timestamp) -> [Finding] { plugins.advance(to: now) }
}
