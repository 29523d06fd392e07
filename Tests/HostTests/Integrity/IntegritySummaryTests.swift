import Logging
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The summary's arithmetic and coverage, the honest interview, and the
/// monitor on a real bus.
@Suite struct IntegritySummaryTests {
    func rules(_ text: String) throws -> Guidelines {
        try GuidelineParser.rules(try JSONParser.parse(text), at: .root).get()
    }

    @Test func theScoreShowsEachRulesCostUpToItsCapAndCoverageSaysWhatWasNotSeen() throws {
        let guidelines = try rules(#"""
        [{"id": "focus", "kind": "focus_away", "text": "Stay on the call page.", "severity": "medium", "min_s": 1, "cost": 4, "cap": 10},
         {"id": "crash", "kind": "plugin_down", "text": "Observers keep running.", "severity": "low"},
         {"id": "faces", "kind": "multiple_faces", "text": "Alone.", "severity": "high"}]
        """#)
        var before = ScriptedEvents(firstSeq: 1)
        for plugin in ["gaze", "desktop"] { before.at(-9, "plugin.state", ["plugin": .string(plugin), "state": "running", "restarts": 0]) }
        var script = ScriptedEvents()
        for start in [10.0, 20, 30] {  // three times 2 s away: 3 x 4 = 12, capped at 10
            script.at(start, "desktop.focus", ["window": "0x00c00001", "app": .null, "call_page": false, "left_call_page": true])
            script.at(start + 2, "desktop.focus", ["window": "0x00a00003", "app": .null, "call_page": true, "left_call_page": false])
        }
        script.at(40, "plugin.state", ["plugin": "gaze", "state": "degraded", "reason": "camera unplugged", "restarts": 0])
        script.at(70, "plugin.state", ["plugin": "gaze", "state": "running", "restarts": 0])
        let summary = IntegrityTracker.recompute(
            interview: "i_t", guidelines: guidelines, start: ScriptedEvents.time(0), end: ScriptedEvents.time(100),
            context: before.events, events: script.events)
        #expect(summary["interview"] == "i_t" && summary["max_score"] == 100 && summary["duration_s"] == 100)
        // focus: min(3 x 4, 10) = 10; crash: one alert of a low rule, 2 points (cap 6); faces: none.
        #expect(summary["score"] == 88)
        let deductions = try #require(summary["deductions"]?.arrayValue)
        #expect(deductions.count == 2)
        #expect(deductions[0]["rule"] == "focus" && deductions[0]["count"] == 3 && deductions[0]["duration_s"] == 6
            && deductions[0]["cost"] == 10 && deductions[0]["cap"] == 10 && deductions[0]["per_alert"] == 4
            && deductions[0]["text"] == "Stay on the call page." && deductions[0]["severity"] == "medium")
        #expect(deductions[1]["rule"] == "crash" && deductions[1]["count"] == 1 && deductions[1]["duration_s"] == 30
            && deductions[1]["cost"] == 2 && deductions[1]["cap"] == 6)
        #expect(summary["rules"]?.arrayValue?.map { $0["rule"] } == ["focus", "crash", "faces"])
        #expect(summary["rules"]?.arrayValue?[2]["count"] == 0)
        let coverage = try #require(summary["coverage"]?.arrayValue)
        #expect(coverage.map { $0["plugin"] } == ["desktop", "gaze"])
        #expect(coverage[0]["observed_s"] == 100 && coverage[0]["share"] == 1)
        // The degraded camera: 30 s not observed, never counted as clean.
        #expect(coverage[1]["observed_s"] == 70 && coverage[1]["not_observed_s"] == 30 && coverage[1]["share"] == 0.7)
    }

    @Test func anHonestInterviewRaisesNothingOfMediumOrHigher() throws {
        let script = HonestInterview.events(minutes: 10)
        var tracker = IntegrityTracker(interview: "i_honest", guidelines: GuidelineDefaults.guidelines, start: ScriptedEvents.time(0))
        for event in script.events { _ = tracker.ingest(event) }
        _ = tracker.finish(at: ScriptedEvents.time(600))
        let serious = tracker.engine.alerts.filter { $0.severity >= .medium }
        #expect(serious.isEmpty, "\(serious.map(\.message))")
        let summary = tracker.summary(at: ScriptedEvents.time(600))
        #expect((summary["score"]?.doubleValue ?? 0) >= 94, "\(summary)")
        #expect(summary["coverage"]?.arrayValue?.allSatisfy { $0["share"] == 1 } == true)
    }

    /// The same interview looked at with a look away held too long: the
    /// honest stream is not silent because the rules cannot fire.
    @Test func theHonestStreamWithOneLongLookAwayRaisesIt() throws {
        var script = HonestInterview.events(minutes: 2)
        let start = script.at(121, "gaze.away", ["state": "started", "direction": "down", "t_ms": 0, "basis": "head_and_eyes"])
        let end = script.at(130, "gaze.away", ["state": "ended", "direction": "down", "duration_ms": 9000, "t_ms": 0, "basis": "head_and_eyes"])
        var tracker = IntegrityTracker(interview: "i", guidelines: GuidelineDefaults.guidelines, start: ScriptedEvents.time(0))
        for event in script.events { _ = tracker.ingest(event) }
        #expect(tracker.engine.alerts.filter { $0.rule == "look_away" }.map(\.evidence) == [[start, end]])
    }
}
