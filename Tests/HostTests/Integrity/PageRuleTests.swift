import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The rules that read the page's own reports (`page.*`): they count where no
/// plugin sees the desktop, and stand back while one does.
@Suite struct PageRuleTests {
    static func page(_ fields: JSONObject, session: String = "s_call") -> JSONValue {
        var data: JSONObject = ["source": "page", "session": .string(session), "origin": "https://meet.example"]
        for (key, value) in fields.members { data[key] = value }
        return .object(data)
    }

    static let gedit: JSONValue = ["class": "Gedit", "instance": "gedit", "pid": 77, "process": "gedit"]

    /// No desktop plugin at all: hidden for `seconds`, then visible again.
    func hidden(for seconds: Double, desktop: (inout ScriptedEvents) -> Void = { _ in }) throws -> (RuleRun, [UInt64]) {
        var script = ScriptedEvents()
        desktop(&script)
        let away = script.at(10, "page.visibility", Self.page(["visible": false]), plugin: "host")
        let back = script.at(10 + seconds, "page.visibility", Self.page(["visible": true]), plugin: "host")
        return (RuleRun(try RuleRun.rule("page_away", ["min_s": 5], severity: "low"), script), [away, back])
    }

    @Test func aPageHiddenForTheMinimumWithNoDesktopPluginIsAnAlertAtItsSeverity() throws {
        let (run, seqs) = try hidden(for: 5)
        let alert = try #require(run.only)
        #expect(alert.evidence == seqs && alert.severity == .low && alert.rule == "page_away")
        #expect(alert.message == "the call page reported itself hidden for 5.0 s (the page's own report: no plugin sees focus on this desktop)")
        #expect(try hidden(for: 4.999).0.alerts.isEmpty)
    }

    @Test func blurAndHideTogetherAreOneAlertNamedForBoth() throws {
        var script = ScriptedEvents()
        script.at(1, "page.focus", Self.page(["focused": false]), plugin: "host")
        script.at(1.01, "page.visibility", Self.page(["visible": false]), plugin: "host")
        script.at(7, "page.visibility", Self.page(["visible": true]), plugin: "host")
        script.at(7.01, "page.focus", Self.page(["focused": true]), plugin: "host")
        let run = RuleRun(try RuleRun.rule("page_away", ["min_s": 5], severity: "low"), script)
        let alert = try #require(run.only)
        #expect(alert.message.hasPrefix("the call page reported itself out of focus for 6.0 s"), "\(alert.message)")
    }

    /// The desktop plugin publishes desktop.focus and runs: the page's word is
    /// not counted a second time (focus_away is the rule for it).
    @Test func whileADesktopPluginSeesFocusThePageIsNotCounted() throws {
        let (run, _) = try hidden(for: 30) { script in
            script.at(0, "plugin.state", ["plugin": "desktop", "state": "running", "restarts": 0])
            script.at(1, "desktop.focus", ["window": "0x00a00003", "app": Self.gedit, "call_page": true, "left_call_page": false])
        }
        #expect(run.alerts.isEmpty, "\(run.alerts.map(\.message))")
    }

    /// The desktop plugin goes degraded mid-interview (the compositor went
    /// away): a page that still says it is hidden counts from then on; when
    /// the plugin is back, its own rules take over and the page's alert ends.
    @Test func whenTheDesktopPluginStopsSeeingThePagesWordCountsFromThen() throws {
        var script = ScriptedEvents()
        script.at(0, "plugin.state", ["plugin": "desktop", "state": "running", "restarts": 0])
        script.at(1, "desktop.focus", ["window": "0x00a00003", "app": Self.gedit, "call_page": true, "left_call_page": false])
        script.at(2, "page.visibility", Self.page(["visible": false]), plugin: "host")
        let degraded = script.at(20, "plugin.state", ["plugin": "desktop", "state": "degraded", "restarts": 0, "reason": "compositor gone"])
        let running = script.at(28, "plugin.state", ["plugin": "desktop", "state": "running", "restarts": 0])
        let run = RuleRun(try RuleRun.rule("page_away", ["min_s": 5], severity: "low"), script)
        let alert = try #require(run.only, "\(run.alerts)")
        #expect(alert.startedSeconds == 20 && alert.endedSeconds == 28 && alert.evidence.first == degraded && !alert.evidence.contains(running))
    }

    /// Two pages of two sessions are judged apart: one hidden page is one alert.
    @Test func eachPageIsJudgedApart() throws {
        var script = ScriptedEvents()
        script.at(1, "page.visibility", Self.page(["visible": false], session: "s_a"), plugin: "host")
        script.at(2, "page.visibility", Self.page(["visible": true], session: "s_b"), plugin: "host")
        script.at(9, "page.visibility", Self.page(["visible": true], session: "s_a"), plugin: "host")
        let run = RuleRun(try RuleRun.rule("page_away", ["min_s": 5], severity: "low"), script)
        #expect(run.alerts.count == 1 && run.only?.startedSeconds == 1 && run.only?.endedSeconds == 9)
    }

    func fullScreen(held: Bool, outFor seconds: Double, desktop: (inout ScriptedEvents) -> Void = { _ in }) throws -> RuleRun {
        var script = ScriptedEvents()
        desktop(&script)
        if held { script.at(1, "page.fullscreen", Self.page(["full_screen": true]), plugin: "host") }
        script.at(3, "page.fullscreen", Self.page(["full_screen": false, "keyboard_lock": "off"]), plugin: "host")
        script.at(3 + seconds, "page.fullscreen", Self.page(["full_screen": true]), plugin: "host")
        return RuleRun(try RuleRun.rule("page_fullscreen_left", ["min_s": 5], severity: "low"), script)
    }

    @Test func aPageOutOfItsFullScreenAfterHoldingItIsAnAlertOnlyWithoutAScreenPlugin() throws {
        #expect(try fullScreen(held: true, outFor: 5).only?.message
                == "the call page reported itself out of full screen for 5.0 s (the page's own report: no plugin sees its window on this desktop)")
        #expect(try fullScreen(held: true, outFor: 4.999).alerts.isEmpty)
        #expect(try fullScreen(held: false, outFor: 30).alerts.isEmpty, "a page that never held full screen did not leave it")
        let watched = try fullScreen(held: true, outFor: 30) { script in
            script.at(0, "screen.fullscreen", ["window": "0x00a00003", "full_screen": true, "change": "found", "kind": "page"])
        }
        #expect(watched.alerts.isEmpty, "the screen plugin sees the window: fullscreen_left is the rule for it")
    }

    /// The default guidelines hold both page rules, at low severity.
    @Test func theDefaultsHoldThePageRulesAtLowSeverity() {
        let rules = GuidelineDefaults.guidelines.rules.filter { $0.kind.hasPrefix("page_") }
        #expect(rules.map(\.id) == ["page_away", "page_fullscreen_left"] && rules.allSatisfy { $0.severity == .low })
    }
}
