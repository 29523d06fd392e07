import ProctorJSON

/// Reads one interview's events in seq order into what the report shows.
/// Holds aggregates only (the gaze analytics, phases, alerts, plugin
/// states), never the events, so an interview of any length fits in memory.
struct ReportBuilder {
    struct Phase {
        var name: String
        var seq: Int64
        var startMs: Int64
    }

    struct Alert {
        var firstSeq: Int64
        var startMs: Int64
        var endMs: Int64?
        var data: JSONObject
    }

    let startMs: Int64
    private(set) var analytics: GazeAnalytics
    private(set) var phases: [Phase] = []
    private(set) var alerts: [String: Alert] = [:]
    private(set) var alertOrder: [String] = []
    private(set) var summary: JSONValue?
    private(set) var plugins: [String: PluginCoverage] = [:]
    private(set) var lastMs: Int64

    /// `initialStates`: the states when the interview began (the file's start_states).
    init(startMs: Int64, initialStates: [String: JSONValue], knownPlugins: [String]) {
        self.startMs = startMs
        lastMs = startMs
        analytics = GazeAnalytics(startMs: startMs)
        for plugin in Set(knownPlugins).union(initialStates.keys) {
            let initial = initialStates[plugin].map { ($0["state"]?.stringValue ?? "unknown", $0["reason"]?.stringValue) }
            plugins[plugin] = PluginCoverage(plugin: plugin, initial: initial, startMs: startMs)
        }
    }

    /// The `screen.monitors` data in force when the interview began.
    mutating func startScreen(_ data: String) {
        analytics.add(topic: "screen.monitors", data: data, at: startMs)
    }

    mutating func add(seq: Int64, ms: Int64, topic: String, plugin: String, data: String) {
        lastMs = max(lastMs, ms)
        analytics.add(topic: topic, data: data, at: ms)
        if plugin != "host" { plugins[plugin, default: PluginCoverage(plugin: plugin, initial: nil, startMs: startMs)].topics[topic, default: 0] += 1 }
        switch topic {
        case "interview.phase":
            if let name = (try? JSONParser.parse(data))?["name"]?.stringValue { phases.append(Phase(name: name, seq: seq, startMs: ms)) }
        case "plugin.state":
            guard let json = try? JSONParser.parse(data), let id = json["plugin"]?.stringValue, let state = json["state"]?.stringValue else { return }
            plugins[id, default: PluginCoverage(plugin: id, initial: nil, startMs: startMs)]
                .change(to: state, reason: json["reason"]?.stringValue, at: ms)
        case "alert":
            guard let json = try? JSONParser.parse(data), let id = json["alert"]?.stringValue, let object = json.objectValue else { return }
            if alerts[id] == nil {
                alertOrder.append(id)
                alerts[id] = Alert(firstSeq: seq, startMs: ms, data: object)
            }
            alerts[id]!.data = object
            if json["state"] == "resolved" { alerts[id]!.endMs = ms }
        case "integrity.summary":
            summary = try? JSONParser.parse(data)
        default:
            break
        }
    }

    /// The report, the interview ending at `endMs` (its recorded end, or its last event when it has none).
    func finish(interview: JSONValue, endMs: Int64, gaps: [JSONValue], generatedAt: Timestamp) -> InterviewReport {
        var analytics = analytics
        analytics.finish(at: endMs)
        return InterviewReport(
            interview: interview, startMs: startMs, endMs: endMs, generatedAt: generatedAt, analytics: analytics,
            phases: phases.enumerated().map { index, phase in
                (phase.name, phase.seq, phase.startMs, index + 1 < phases.count ? phases[index + 1].startMs : endMs)
            },
            alerts: alertOrder.map { alerts[$0]! }, summary: summary,
            plugins: plugins.keys.sorted().map { plugins[$0]! }, gaps: gaps)
    }
}
