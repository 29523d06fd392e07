import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The screen, desktop, audio, system and agent rules on scripted streams,
/// each firing at its threshold and silent just under it.
@Suite struct DesktopRuleTests {
    static let gedit: JSONValue = ["class": "Gedit", "instance": "gedit", "pid": 77, "process": "gedit"]
    static let chromium: JSONValue = ["class": "Chromium", "instance": "chromium", "pid": 42, "process": "chromium"]

    func paste(after seconds: Double) throws -> (RuleRun, [UInt64]) {
        var script = ScriptedEvents()
        script.at(0, "desktop.focus", ["window": "0x00c00001", "app": Self.gedit, "call_page": false, "left_call_page": true])
        let copy = script.at(1, "desktop.clipboard", ["selection": "clipboard", "change": "owner_changed", "owner": "0x00c00002",
                                                      "app": Self.gedit, "call_page": false, "targets": ["UTF8_STRING"],
                                                      "size_bytes": 12, "size_type": "UTF8_STRING", "complete": true])
        let back = script.at(1 + seconds, "desktop.focus", ["window": "0x00a00003", "app": Self.chromium, "call_page": true,
                                                           "left_call_page": false, "away_ms": 5000])
        return (RuleRun(try RuleRun.rule("clipboard_then_focus", ["within_s": 15], severity: "high"), script), [copy, back])
    }

    @Test func aCopyElsewhereThenTheCallPageWithinTheLimitIsOneMoment() throws {
        let (run, seqs) = try paste(after: 15)
        let alert = try #require(run.only)
        #expect(alert.evidence == seqs && alert.state == .resolved && alert.startedSeconds == 1 && alert.endedSeconds == 16)
        #expect(alert.message == "clipboard taken by Gedit, then focus back on the call page 15.0 s later")
        #expect(run.published.map { $0["state"] } == ["raised", "resolved"])
        #expect(try paste(after: 15.001).0.alerts.isEmpty)
    }

    func focus(away seconds: Double) throws -> (RuleRun, [UInt64]) {
        var script = ScriptedEvents()
        let left = script.at(2, "desktop.focus", ["window": "0x00c00001", "app": Self.gedit, "call_page": false, "left_call_page": true])
        let back = script.at(2 + seconds, "desktop.focus", ["window": "0x00a00003", "app": Self.chromium, "call_page": true, "left_call_page": false])
        return (RuleRun(try RuleRun.rule("focus_away", ["min_s": 5]), script), [left, back])
    }

    @Test func focusAwayForTheMinimumIsAnAlertAndJustUnderIsNot() throws {
        let (run, seqs) = try focus(away: 5)
        #expect(run.only?.evidence == seqs && run.only?.message == "focus on Gedit, away from the call page, for 5.0 s")
        #expect(try focus(away: 4.999).0.alerts.isEmpty)
    }

    func fullScreen(outFor seconds: Double) throws -> (RuleRun, [UInt64]) {
        var script = ScriptedEvents()
        let left = script.at(3, "screen.fullscreen", ["window": "0x00a00003", "full_screen": false, "change": "left", "kind": .null,
                                                      "reason": "exited_fullscreen", "held_ms": 3000])
        let back = script.at(3 + seconds, "screen.fullscreen", ["window": "0x00a00003", "full_screen": true, "change": "entered",
                                                                "kind": "page", "by": "user", "away_ms": 100])
        return (RuleRun(try RuleRun.rule("fullscreen_left", ["min_s": 5]), script), [left, back])
    }

    @Test func fullScreenLeftAndNotRestoredInTimeIsAnAlert() throws {
        let (run, seqs) = try fullScreen(outFor: 5)
        #expect(run.only?.evidence == seqs && run.only?.message == "the call page was out of full screen (exited_fullscreen) for 5.0 s")
        #expect(try fullScreen(outFor: 4.999).0.alerts.isEmpty)
    }

    func share(_ first: JSONValue, for seconds: Double) throws -> RuleRun {
        var script = ScriptedEvents()
        script.at(0, "screen.share", ["active": true, "display_surface": "monitor", "full_screen_share": true, "change": "initial"])
        script.at(1, "screen.share", first)
        script.at(1 + seconds, "screen.share", ["active": true, "display_surface": "monitor", "full_screen_share": true, "change": "surface_changed"])
        return RuleRun(try RuleRun.rule("share_not_monitor", ["min_s": 5]), script)
    }

    @Test func aShareStoppedOrNarrowedForTheMinimumIsAnAlert() throws {
        let window: JSONValue = ["active": true, "display_surface": "window", "full_screen_share": false, "change": "surface_changed"]
        let stopped: JSONValue = ["active": false, "display_surface": .null, "full_screen_share": false, "change": "stopped"]
        #expect(try share(window, for: 5).only?.message == "a window was shared, not a whole monitor, for 5.0 s")
        #expect(try share(stopped, for: 6).only?.message == "no screen was shared for 6.0 s")
        #expect(try share(window, for: 4.999).alerts.isEmpty)
    }

    static func monitors(_ count: Int) -> JSONValue {
        ["reason": "change", "count": .number(Double(count)), "monitors": .array((0..<count).map { i in
            ["name": .string("M\(i)"), "x": .number(Double(i * 1920)), "y": 0, "width": 1920, "height": 1080, "primary": .bool(i == 0),
             "width_mm": 500, "height_mm": 300]
        })]
    }

    @Test func anExtraMonitorIsAnAlertFromTheStartWhenItWasThereBefore() throws {
        var before = ScriptedEvents(firstSeq: 5)
        let plugged = before.at(-60, "screen.monitors", Self.monitors(2))
        var script = ScriptedEvents()
        let unplugged = script.at(4, "screen.monitors", Self.monitors(1))
        let rule = try RuleRun.rule("extra_monitor", ["max_monitors": 1])
        let run = RuleRun(rule, script, primed: before.events)
        let alert = try #require(run.only)
        // Counted from the interview's start, not from when it was plugged in.
        #expect(alert.startedSeconds == 0 && alert.endedSeconds == 4 && alert.evidence == [plugged, unplugged])
        #expect(alert.message == "2 monitors connected for 4.0 s")
        #expect(RuleRun(try RuleRun.rule("extra_monitor", ["max_monitors": 2]), script, primed: before.events).alerts.isEmpty)
    }

    @Test func aFlagOfASystemTopicIsAnAlertWhileItIsTrue() throws {
        let rule = try RuleRun.rule("flag", ["topic": "system.remote_control", "field": "active", "what": "a remote-control program"])
        var script = ScriptedEvents()
        script.at(1, "system.remote_control", ["active": false])
        let on = script.at(2, "system.remote_control", ["active": true, "name": "anydesk"])
        let off = script.at(5, "system.remote_control", ["active": false])
        let run = RuleRun(rule, script)
        #expect(run.only?.evidence == [on, off] && run.only?.message == "a remote-control program (anydesk) reported for 3.0 s")
        var quiet = ScriptedEvents()
        quiet.at(1, "system.remote_control", ["active": false])
        #expect(RuleRun(rule, quiet, advanceTo: 100).alerts.isEmpty)
    }

    func voice(from: Double, to: Double, phase: JSONValue) throws -> (RuleRun, [UInt64]) {
        var script = ScriptedEvents()
        let marked = script.at(0, "interview.phase", phase)
        let on = script.at(from, "audio.voice", ["state": "started"])
        let off = script.at(to, "audio.voice", ["state": "stopped", "duration_ms": .number((to - from) * 1000)])
        return (RuleRun(try RuleRun.rule("voice_in_quiet_phase", ["min_s": 2, "phases": ["coding"]]), script), [marked, on, off])
    }

    @Test func aVoiceDuringAQuietPhaseIsAnAlertAndElsewhereIsNot() throws {
        let (run, seqs) = try voice(from: 1, to: 3, phase: ["name": "coding"])
        #expect(run.only?.evidence == Array(seqs.dropFirst()) && run.only?.message == "a voice for 2.0 s during the quiet phase \"coding\"")
        #expect(try voice(from: 1, to: 3, phase: ["name": "reading", "quiet": true]).0.alerts.count == 1)
        #expect(try voice(from: 1, to: 2.999, phase: ["name": "coding"]).0.alerts.isEmpty)
        #expect(try voice(from: 1, to: 30, phase: ["name": "question 2"]).0.alerts.isEmpty)
    }

    @Test func anotherProgramCapturingTheMicrophoneIsAnAlertAndTheCallPageIsNot() throws {
        var script = ScriptedEvents()
        // The audio plugin's shape (docs/topics.json): the browser's own capture, a
        // remap source reading its master, and a stranger recording for a second.
        func capture(_ state: String, _ index: Int, _ application: String, browser: Bool = false, module: String? = nil) -> JSONValue {
            ["state": .string(state), "index": .number(Double(index)), "application": .string(application), "binary": .string(application),
             "pid": 4242, "source": "alsa_input.usb-mic", "source_is_monitor": false, "module": module.map(JSONValue.string) ?? .null,
             "call_page_candidate": .bool(browser)]
        }
        script.at(0, "audio.capture", capture("started", 41, "Chromium", browser: true))
        script.at(0, "audio.capture", capture("started", 42, "remap", module: "module-remap-source"))
        let on = script.at(2, "audio.capture", capture("started", 57, "parec"))
        let off = script.at(3, "audio.capture", capture("stopped", 57, "parec"))
        let run = RuleRun(try RuleRun.rule("microphone_capture", ["min_s": 1]), script)
        #expect(run.only?.evidence == [on, off] && run.only?.message == "parec recorded the microphone for 1.0 s")
        #expect(RuleRun(try RuleRun.rule("microphone_capture", ["min_s": 1.001]), script).alerts.isEmpty)
    }

    @Test func aPluginThatCrashesMidInterviewIsAnAlertButOneDegradedBeforeIsCoverage() throws {
        var before = ScriptedEvents(firstSeq: 3)
        before.at(-5, "plugin.state", ["plugin": "screen", "state": "degraded", "reason": "no X display", "restarts": 0])
        var script = ScriptedEvents()
        let crashed = script.at(1, "plugin.state", ["plugin": "gaze", "state": "crashed", "reason": "SIGSEGV", "restarts": 0, "retry_in_ms": 500])
        script.at(1.5, "plugin.state", ["plugin": "gaze", "state": "starting", "restarts": 1])
        let running = script.at(1.75, "plugin.state", ["plugin": "gaze", "state": "running", "restarts": 1])
        let run = RuleRun(try RuleRun.rule("plugin_down"), script, primed: before.events, finish: 10)
        let alert = try #require(run.only)
        #expect(alert.evidence == [crashed, running] && alert.message == "plugin gaze crashed: SIGSEGV, not running for 0.8 s")
        #expect(RuleRun(try RuleRun.rule("plugin_down", ["min_s": 0.751]), script).alerts.isEmpty)
    }

    func heartbeat(gapEndingAt end: Double) throws -> (RuleRun, [UInt64]) {
        var script = ScriptedEvents()
        var last: UInt64 = 0
        for t in 0...3 { last = script.at(Double(t), "heartbeat.tick", ["n": .number(Double(t + 1)), "interval_ms": 1000, "monotonic_ms": 0]) }
        let next = script.at(end, "heartbeat.tick", ["n": 5, "interval_ms": 1000, "monotonic_ms": 0])
        return (RuleRun(try RuleRun.rule("heartbeat_gap", ["gap_s": 5]), script), [last, next])
    }

    @Test func aHeartbeatGapOfTheLimitIsAnAlertFromTickToTick() throws {
        let (run, seqs) = try heartbeat(gapEndingAt: 8)
        #expect(run.only?.evidence == seqs && run.only?.startedSeconds == 3 && run.only?.endedSeconds == 8)
        #expect(try heartbeat(gapEndingAt: 7.999).0.alerts.isEmpty)
    }
}
