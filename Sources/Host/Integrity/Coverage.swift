import ProctorJSON

/// How long each plugin could see during an interview: running counts as
/// observed; degraded, crashed, held, stopped, failed and starting do not. A
/// degraded camera is "not observed", never "clean".
public struct Coverage: Sendable {
    private let start: Timestamp
    private var plugins: [String: (running: Bool, since: Timestamp, observedMs: Int64)] = [:]

    public init(start: Timestamp) { self.start = start }

    /// A `plugin.state` event; `primed` when it is the state the interview began in.
    public mutating func observe(_ event: Event, primed: Bool) {
        guard event.topic == "plugin.state", let data = try? JSONParser.parse(event.data),
            let plugin = data["plugin"]?.stringValue, let state = data["state"]?.stringValue else { return }
        let at = primed ? start : max(event.timestamp, start)
        var entry = plugins[plugin] ?? (running: false, since: at, observedMs: 0)
        if entry.running { entry.observedMs += at.millisecondsSinceEpoch - entry.since.millisecondsSinceEpoch }
        entry.running = state == "running"
        entry.since = at
        plugins[plugin] = entry
    }

    /// One row per plugin, up to `now`.
    public func rows(at now: Timestamp) -> [JSONValue] {
        let total = max(0, now.millisecondsSinceEpoch - start.millisecondsSinceEpoch)
        return plugins.keys.sorted().map { plugin in
            let entry = plugins[plugin]!
            let current = entry.running ? max(0, now.millisecondsSinceEpoch - entry.since.millisecondsSinceEpoch) : 0
            let observed = min(total, entry.observedMs + current)
            return [
                "plugin": .string(plugin), "observed_s": .number(Double(observed) / 1000),
                "not_observed_s": .number(Double(total - observed) / 1000),
                "share": .number(total > 0 ? (Double(observed) / Double(total) * 1000).rounded() / 1000 : 0),
                "state": entry.running ? "running" : "not_running",
            ]
        }
    }
}
