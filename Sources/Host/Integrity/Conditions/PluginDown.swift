/// A plugin that stopped running during the interview (crashed, degraded,
/// stopped, held, failed: `plugin.state`) for at least `min_s`; one alert per plugin.
/// A state the interview began in is coverage, not a finding.
struct PluginDown: Condition {
    static let kind = "plugin_down"
    static let summary = "plugin.state away from running during the interview for min_s"
    static let parameters = [CommonParameters.minimumSeconds(default: 0, "the outage")]

    let topics = ["plugin.state"]
    static let down: Set<String> = ["degraded", "crashed", "held", "stopping", "stopped", "failed"]
    private let minimum: Int64
    private var plugins: [String: (episode: Episode, state: String)] = [:]

    init(rule: GuidelineRule) { minimum = rule.milliseconds("min_s") }

    mutating func observe(_ event: Observed) -> [Finding] {
        guard !event.primed, let plugin = event.data["plugin"]?.stringValue, let state = event.data["state"]?.stringValue else { return [] }
        var entry = plugins[plugin] ?? (episode: Episode(key: plugin, minimum: minimum), state: state)
        if Self.down.contains(state), !entry.episode.isHolding {
            let reason = event.data["reason"]?.stringValue.map { ": \($0)" } ?? ""
            entry.state = state + reason
        }
        let words = entry.state
        let describe = { (s: Double) in "plugin \(plugin) \(words), not running for \(s.seconds) s" }
        let out: [Finding]
        if Self.down.contains(state) {
            out = entry.episode.hold(at: event.time, seq: event.seq, describe: describe)
        } else if state == "running" {
            out = entry.episode.release(at: event.time, seq: event.seq, describe: describe)
        } else {
            out = []  // starting: still not running, nothing new
        }
        plugins[plugin] = entry
        return out
    }

    mutating func advance(to now: Timestamp) -> [Finding] {
        var out: [Finding] = []
        for plugin in plugins.keys.sorted() {
            let words = plugins[plugin]!.state
            out += plugins[plugin]!.episode.advance(to: now) { "plugin \(plugin) \(words), not running for \($0.seconds) s" }
        }
        return out
    }
}
