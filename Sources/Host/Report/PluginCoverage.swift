import ProctorJSON

/// What one plugin could see during the interview: its states over time,
/// from the state it had at the start (the file's plugin_states rows of seq 0)
/// and its `plugin.state` events. Only `running` counts as observed: a
/// degraded camera is "not observed", never "clean".
struct PluginCoverage: Sendable {
    struct Stretch: Sendable {
        var state: String
        var reason: String?
        var fromMs: Int64
        var toMs: Int64?
    }

    let plugin: String
    private(set) var stretches: [Stretch]
    /// Events the plugin published during the interview, by topic.
    var topics: [String: Int] = [:]

    /// `initial` is the state at the start when the file recorded it; without
    /// it the time before the first `plugin.state` is "unknown".
    init(plugin: String, initial: (state: String, reason: String?)?, startMs: Int64) {
        self.plugin = plugin
        stretches = [Stretch(state: initial?.state ?? "unknown", reason: initial?.reason, fromMs: startMs)]
    }

    mutating func change(to state: String, reason: String?, at ms: Int64) {
        stretches[stretches.count - 1].toMs = ms
        stretches.append(Stretch(state: state, reason: reason, fromMs: ms))
    }

    func json(startMs: Int64, endMs: Int64) -> JSONValue {
        var observed = 0.0, unknown = 0.0, notObserved = 0.0
        var states: [JSONValue] = []
        for stretch in stretches {
            let to = min(stretch.toMs ?? endMs, endMs)
            let from = max(stretch.fromMs, startMs)
            guard to >= from else { continue }
            let milliseconds = Double(to - from)
            switch stretch.state {
            case "running": observed += milliseconds
            case "unknown": unknown += milliseconds
            default: notObserved += milliseconds
            }
            var item: JSONObject = ["state": .string(stretch.state), "from_s": .number(Double(from - startMs) / 1000),
                                    "to_s": .number(Double(to - startMs) / 1000)]
            if let reason = stretch.reason { item["reason"] = .string(reason) }
            states.append(.object(item))
        }
        let total = Double(endMs - startMs)
        var events = JSONObject()
        for topic in topics.keys.sorted() { events[topic] = .number(Double(topics[topic]!)) }
        return [
            "plugin": .string(plugin), "observed_s": .number(observed.rounded() / 1000),
            "not_observed_s": .number(notObserved.rounded() / 1000), "unknown_s": .number(unknown.rounded() / 1000),
            "share": total > 0 ? .number((observed / total * 1000).rounded() / 1000) : .null,
            "states": .array(states),
            "events": .object(events),
        ]
    }
}
