import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// One rule of `kind` with `parameters` over the defaults, run over a script.
struct RuleRun {
    var alerts: [Alert]
    /// The `alert` events' data, in the order the engine published them.
    var published: [JSONValue]

    /// The rule as the config would write it, checked by the parser.
    static func rule(_ kind: String, _ parameters: JSONObject = [:], severity: String = "medium") throws -> Guidelines {
        var object: JSONObject = ["id": .string(kind), "kind": .string(kind), "text": "scripted", "severity": .string(severity)]
        for (key, value) in parameters.members { object[key] = value }
        return try GuidelineParser.rules([.object(object)], at: .root).get()
    }

    /// Runs the script; `primed` events count as the state before the start;
    /// `until` is how far time moves after the last event (nil: finish there).
    init(_ guidelines: Guidelines, _ script: ScriptedEvents, primed: [Event] = [], advanceTo: Double? = nil, finish: Double? = nil) {
        var engine = RuleEngine(guidelines: guidelines, interview: "i_test", start: ScriptedEvents.time(0), updateInterval: 1000)
        var published = engine.prime(primed)
        for event in script.events { published += engine.ingest(event) }
        if let advanceTo { published += engine.advance(to: ScriptedEvents.time(advanceTo)) }
        if let finish { published += engine.finish(at: ScriptedEvents.time(finish)) }
        alerts = engine.alerts
        self.published = published
    }

    var only: Alert? { alerts.count == 1 ? alerts[0] : nil }
}

extension Alert {
    var startedSeconds: Double { Double(startedAt.millisecondsSinceEpoch - ScriptedEvents.origin) / 1000 }
    var endedSeconds: Double? { endedAt.map { Double($0.millisecondsSinceEpoch - ScriptedEvents.origin) / 1000 } }
}
