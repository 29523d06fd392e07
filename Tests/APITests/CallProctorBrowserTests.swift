import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// The call app's proctoring modules (web/call/proctor/) in a real headless
/// Chromium, against a real agent: the interviewee's steps (agent check,
/// pairing with the agent's code, calibration of the gaze plugin playing a
/// recorded clip), then the agent's events forwarded to the interviewer's
/// dashboard through a loopback that carries them as the data channel would
/// (JSON text). The test page is web/test/call-proctor-test.html.
@Suite(.serialized) struct CallProctorBrowserTests {
    let dir = TemporaryDirectory("proctord-call-proctor")

    func text(_ page: DevToolsSession, _ selector: String) async throws -> String {
        try await page.evaluate("document.querySelector(\(JSONWriter.quoted(selector)))?.textContent ?? ''").stringValue ?? ""
    }

    func waitForText(_ page: DevToolsSession, _ selector: String, timeout: Double = 20, _ done: (String) -> Bool) async throws -> String {
        let value = try await page.waitFor("document.querySelector(\(JSONWriter.quoted(selector)))?.textContent ?? ''", timeout: timeout) {
            done($0.stringValue ?? "")
        }
        return value.stringValue ?? ""
    }

    func waitForStep(_ page: DevToolsSession, _ step: String, timeout: Double = 20) async throws {
        let steps = try await page.waitFor("window.testState.steps.join(',')", timeout: timeout) {
            $0.stringValue?.split(separator: ",").contains(Substring(step)) == true
        }
        #expect(steps.stringValue?.split(separator: ",").contains(Substring(step)) == true, "steps so far: \(steps)")
    }

    /// No agent listens: the check says how to start or install it, and the
    /// interviewee can go on without it; the interviewer then sees "not observed".
    @Test func anAbsentAgentIsExplainedAndTheDashboardSaysNotObserved() async throws {
        let site = StaticWebServer()
        try await site.start()
        let closed = StaticWebServer()  // a port that was just free, and is closed again
        try await closed.start()
        let deadPort = closed.port
        await closed.stop()
        let browser = try await Chromium.launch()
        let page = try await browser.open("http://127.0.0.1:\(site.port)/test/call-proctor-test.html?agent=ws://127.0.0.1:\(deadPort)/")
        try await waitForStep(page, "check")
        let before = try await text(page, ".step-check .browser-prompt")
        #expect(before.contains("Choose Allow"), "the browser's question is explained before connecting: \(before)")
        try await page.click("[data-action=connect]")
        let problem = try await page.waitFor("document.querySelector('.step-check .problem')?.dataset.code ?? ''") { $0 != "" }
        #expect(problem == "agent_unreachable")
        #expect(try await text(page, ".step-check .install").contains("systemctl --user start proctord"))
        try await page.click("[data-action=without]")
        _ = try await page.waitFor("document.title") { $0 == "done" || $0.stringValue?.hasPrefix("error") == true }
        #expect(try await page.evaluate("window.testState.prepared.client") == false)
        #expect(try await page.evaluate("window.testState.steps.join(',')") == "check,done")
        // The page's agent-state "absent" reached the dashboard (before it, the dashboard also says "not observed").
        let state = try await waitForText(page, ".liveness .agent-state") { $0.contains("no agent running") }
        #expect(state == "the interviewee has no agent running (the interviewee continued without the agent)")
        #expect(try await page.evaluate("document.querySelector('.liveness .verdict').dataset.verdict") == "not observed")
        #expect(try await text(page, ".liveness .heard") == "never heard from the agent")
        await site.stop()
    }

    @Test func theIntervieweePairsCalibratesAndTheDashboardShowsWhatTheAgentSaw() async throws {
        let clip = try GazeFixtures.file(GazeFixtures.singleFace)
        let site = StaticWebServer()
        try await site.start()
        let origin = "http://127.0.0.1:\(site.port)"
        let api = try await APIHarness(allowedOrigins: [origin]) {
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 250])
            $0.add(id: "gaze", library: "gaze", config: ["source": .string("file:" + clip), "sample_rate_hz": 10])
            // Crashed on request and not restarted during the test: its stretch stays "not observed".
            $0.add(id: "chaos", library: "test-chaos", config: ["mode": "idle"], restart: ["initial_delay_ms": 600_000])
        }
        let browser = try await Chromium.launch()
        // drop=8: the loopback loses the 8th heartbeat.tick, which the dashboard must show as a gap.
        let page = try await browser.open("\(origin)/test/call-proctor-test.html?agent=ws://127.0.0.1:\(api.port)/&calibrate=auto&drop=8")
        // Tall enough for no scrollbar: a screenshot beyond the viewport would otherwise lay the page out again, wider.
        try await page.call("Emulation.setDeviceMetricsOverride", ["width": 1400, "height": 2000, "deviceScaleFactor": 1, "mobile": false])

        // The agent check, then pairing with the code the agent shows.
        try await waitForStep(page, "check")
        try await page.click("[data-action=connect]")
        try await waitForStep(page, "pairing")
        // A wrong code first: the field comes back, saying so.
        let code = api.pairingCode
        let wrong = String(format: "%06d", ((Int(code) ?? 0) + 1) % 1_000_000)
        _ = try await page.evaluate("document.querySelector('input[name=code]').value = \(JSONWriter.quoted(wrong))")
        try await page.click("[data-action=pair]")
        let refused = try await page.waitFor("document.querySelector('.step-pairing .problem')?.dataset.code ?? ''") { $0 != "" }
        #expect(refused == "auth_failed")
        #expect(try await text(page, ".step-pairing .problem").contains("tries left"))
        _ = try await page.evaluate("document.querySelector('input[name=code]').value = \(JSONWriter.quoted(code))")
        try await page.click("[data-action=pair]")

        // Calibration: the gaze plugin runs, so it is offered; its accuracy is said in centimetres.
        try await waitForStep(page, "calibration")
        try await page.click("[data-action=calibrate]")
        let accuracy = try await waitForText(page, ".step-calibration .accuracy", timeout: 120) { !$0.isEmpty }
        #expect(accuracy.hasPrefix("Your gaze is placed within"), "\(accuracy)")
        try await page.click("[data-action=continue]")
        let title = try await page.waitFor("document.title") { $0 == "done" || $0.stringValue?.hasPrefix("error") == true }
        let state = try await page.evaluate("JSON.stringify(window.testState)")
        #expect(title == "done", "\(state)")
        #expect(try await page.evaluate("window.testState.steps.join(',')") == "check,pairing,calibration,done")
        #expect(try await page.evaluate("window.testState.prepared.client") == true)
        #expect(try await page.evaluate("typeof window.testState.prepared.calibration.accuracy_deg") == "number")

        // The dashboard: the agent observed, the calibrated gaze on the heatmap, the gap where a tick was lost.
        _ = try await page.waitFor("document.querySelector('.liveness .verdict').dataset.verdict") { $0 == "observed" }
        let heat = try await page.waitFor("document.querySelector('canvas.heatmap').dataset.state", timeout: 60) { $0 == "filled" }
        let caption = try await text(page, ".heatmap .caption")
        #expect(heat == "filled", "calibrated samples reach the map: \(caption)")
        let framed = try await waitForText(page, ".heatmap .caption") { $0.contains("Calibration: ") }
        let calibrated = try await page.evaluate("(({width, height}) => `${width} × ${height}`)(window.testState.prepared.calibration.screen)")
        #expect(framed.contains("over the calibrated screen (\(calibrated.stringValue ?? "?"))"), "no screen plugin: the calibration's screen frames the map: \(framed)")
        let gaps = try await page.waitFor("document.querySelector('.liveness .gaps').dataset.count") { $0 == "1" }
        #expect(gaps == "1")
        let dropped = try #require(try await page.evaluate("window.testState.dropped").intValue)
        #expect(try await text(page, ".liveness .gaps li") == "event \(dropped) missing (1): lost on the way to this dashboard")
        #expect(try await page.evaluate("document.querySelectorAll('svg.timeline rect.gap').length") == 1)

        // A plugin crashes mid-interview: an alert, the plugin "not observed", a notice for the interviewee.
        _ = try await page.evaluate("window.testClient.request('chaos', 'segfault').catch(() => null), true")
        let alert = try await page.waitFor("document.querySelector('.alerts [data-alert=\"plugin_down#1\"] .message')?.textContent ?? ''", timeout: 30) {
            $0.stringValue?.isEmpty == false
        }
        #expect(alert.stringValue?.hasPrefix("plugin chaos crashed") == true, "\(alert)")
        let chaos = try await page.waitFor("document.querySelector('.plugins [data-plugin=chaos]')?.textContent ?? ''") { $0.stringValue?.contains("not observed") == true }
        #expect(chaos.stringValue?.contains("not observed (crashed") == true, "\(chaos)")
        #expect(try await text(page, ".plugins [data-plugin=gaze]") == "gaze: observing")
        let notice = try await waitForText(page, "#notices .notice-shared") { !$0.isEmpty }
        #expect(notice.contains("The interviewer will see this: a part of the proctoring agent stopped observing"), "\(notice)")

        // The score as the dashboard computes it from the events equals the agent's own summary, and its
        // arithmetic lists the crash's deduction (plugin_down is medium: 5 points for one alert).
        #expect(try await text(page, ".score [data-rule=plugin_down]") == "plugin_down: 1 alert × 5, capped at 15 = −5")
        // Both read in the page at once, until they agree (an alert may be on its way to the dashboard).
        let compare = """
            window.testClient.request('host', 'integrity.summary').then((s) => JSON.stringify({agent: s.score,
              shown: Number(document.querySelector('.score-figure').dataset.score),
              arithmetic: document.querySelector('.score .arithmetic').textContent}))
            """
        let both = try JSONParser.parse(try await page.waitFor(compare) {
            let pair = try? JSONParser.parse($0.stringValue ?? "{}")
            return pair?["agent"] != nil && pair?["agent"] == pair?["shown"]
        }.stringValue ?? "{}")
        let agreed = both["agent"] == both["shown"] && both["arithmetic"]?.stringValue?.hasSuffix("= \(both["agent"]?.intValue ?? -1)") == true
        #expect(agreed, "the dashboard's live score matches the agent's integrity.summary: \(both)")

        // A phase marked on the dashboard reaches the agent through the interviewee's page.
        _ = try await page.evaluate("document.querySelector('.phase-form input').value = 'Question 2'")
        try await page.click(".phase-form button")
        let marked = try await waitForText(page, ".phases li[data-state=marked]") { !$0.isEmpty }
        #expect(marked.hasPrefix("Question 2: marked by the agent (event "), "\(marked)")
        _ = try await page.waitFor("[...document.querySelectorAll('svg.timeline .phase-label')].map((t) => t.textContent).join()") { $0 == "Question 2" }

        // The report: asked for, shown to the interviewee, sent on consent.
        try await page.click(".report [data-action=ask-report]")
        #expect(try await text(page, ".report .none") == "asked the interviewee for the report; waiting for their answer")
        _ = try await page.waitFor("document.querySelector('#notices .consent') !== null") { $0 == true }
        #expect(try await text(page, "#notices .consent").contains("where on the screen you looked"))
        try await page.click("[data-action=send-report]")
        let link = try await page.waitFor("document.querySelector('.report a.download')?.getAttribute('download') ?? ''", timeout: 30) { $0 != "" }
        #expect(link.stringValue?.hasSuffix("-report.json") == true && link.stringValue?.hasPrefix("i_") == true, "\(link)")
        #expect(try await text(page, ".report .report-title").hasPrefix("call proctor test (i_"))

        let violations = try await page.evaluate("window.testState.cspViolations.join('; ')")
        #expect(violations == "", "the modules keep to a strict Content Security Policy")

        // For a reader of docs/: the dashboard with its data. Not blank: text, the heatmap's red, the alert.
        let shot = try await page.screenshot(of: "#interviewer", in: dir.path)
        #expect(shot.pixels.width > 700 && shot.pixels.fraction(of: .init(255, 255, 255), tolerance: 4) < 0.9)
        var red = 0
        for y in stride(from: 0, to: shot.pixels.height, by: 2) {
            for x in stride(from: 0, to: shot.pixels.width, by: 2) {
                let p = shot.pixels.pixel(x: x, y: y)
                if Int(p.r) - Int(p.g) > 60 { red += 1 }
            }
        }
        #expect(red > 50, "\(red) reddish pixels: the heatmap and the crash's alert show")
        let image = TestBuild.repositoryRoot + "/docs/images/call-dashboard.png"
        // PROCTORD_UPDATE_DOC_IMAGES=1 writes the picture docs/ shows.
        if ProcessInfo.processInfo.environment["PROCTORD_UPDATE_DOC_IMAGES"] == "1" {
            try shot.png.write(to: URL(fileURLWithPath: image))
        }
        if let keep = ProcessInfo.processInfo.environment["PROCTORD_TEST_ARTIFACTS"] {
            try shot.png.write(to: URL(fileURLWithPath: keep + "/call-dashboard.png"))
        }
        await api.stop()
        await site.stop()
    }
}
