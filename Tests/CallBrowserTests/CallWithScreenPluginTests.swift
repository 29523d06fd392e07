import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

/// The reference interview app on a real desktop: Xvfb and openbox started
/// by the test, an agent whose screen plugin watches that display with the
/// full-screen enforcement plugins.json ships, the interviewee's page from
/// the call server in a headed Chromium on it (sharing the entire screen),
/// and the interviewer's dashboard in a headless Chromium.
///
/// Here rather than in X11Tests: the call server, the call pages and the
/// dashboard probe are this target's harness; the desktop's is in Tests/Support.
@Suite(.serialized) struct CallWithScreenPluginTests {
    let scratch = TemporaryDirectory("proctord-call-screen")

    /// The screen plugin finds the interviewee's window by its title's
    /// marker and hears the whole-screen share; taken out of full screen, and
    /// then covered by another application's window, the window is put back
    /// by the agent each time, the interviewee's page says so in plain words,
    /// and the dashboard receives that event over the data channel.
    @Test func theAgentRestoresTheSharedCallPageAndBothPagesShowIt() async throws {
        let desktop = try await X11TestDesktop()
        defer { desktop.stop() }
        let tools = desktop.tools
        let server = try await CallServerProcess()
        var screen = try Self.shippedScreenConfig()
        screen["display"] = .string(desktop.display)
        let api = try await APIHarness(allowedOrigins: [server.origin]) {
            $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 1000])
            $0.add(id: "screen", library: "screen", config: .object(screen))
        }
        let log = EventLog(bus: api.agent.bus, patterns: ["screen.*"])
        let room = try await server.createRoom(title: "Call on a desktop")
        let code = try #require(room["codes"]?["interviewee"]?.stringValue, "\(room)")
        let interviewerLink = try #require(room["links"]?["interviewer"]?.stringValue, "\(room)")

        // The interviewee's browser has a window on the test display; --test-type leaves out the
        // "unsupported flag: --no-sandbox" bar a person's browser does not show.
        let candidateBrowser = try await Chromium.launch(display: desktop.display, extraArguments: fakeMediaSwitches + ["--test-type"])
        let interviewerBrowser = try await Chromium.launch(extraArguments: fakeMediaSwitches)

        // Paired (no gaze plugin: no calibration step), the page carries the marker in its window's title.
        let link = "\(server.origin)/?agent=ws://127.0.0.1:\(api.port)/#code=\(code)"
        let candidate = try await CallPage.open(link, in: candidateBrowser, name: "interviewee-desktop", scratch: scratch.path)
        try await candidate.acceptDevicesAndPair(code: api.pairingCode)
        #expect(try await candidate.waitForStep("join"))
        let marker = try #require(try await api.screenMarker())
        let titled = await tools.waitForWindow(titled: marker, timeout: .seconds(30))
        let window = try #require(titled, "a window titled with the marker \(marker): \(String(describing: try? tools.run("wmctrl", ["-l"])))")

        // The screen plugin finds that window, and (enforce: always) holds it full screen.
        let status = try await Self.fullScreen(api)
        #expect(status["window"] == .string(window), "the screen plugin found the call page's window \(window): \(status)")

        // Join: the page asks for the entire screen on the click and reports it to the agent.
        // (Under the fake-media switches the picker answers with Chromium's fake screen, a test
        // pattern standing for the monitor: what is shared is not the Xvfb screen's picture.)
        try await candidate.click("#join")
        #expect(try await candidate.waitForStep("call"))
        let shared = try await candidate.waitUntil("document.body.dataset.screen === 'shared'")
        let notices = try await candidate.text("#notices")
        #expect(shared, "the page shares the screen: \(notices)")
        let share = await log.waitFor("screen.share", timeout: .seconds(30)) { $0["active"] == true }
        #expect(share?.data["display_surface"] == "monitor" && share?.data["full_screen_share"] == true,
                "the agent heard of a whole-monitor share: \(String(describing: share?.data))")

        // The interviewer joins; the dashboard's probe sees what the data channel brings.
        let interviewer = try await CallPage.open(interviewerLink, in: interviewerBrowser, name: "dashboard-desktop", scratch: scratch.path)
        #expect(try await interviewer.waitForStep("devices"))
        let probe = DashboardProbe(page: interviewer)
        try await probe.install()
        try await interviewer.clickWhenEnabled("#devices-continue")
        #expect(try await interviewer.waitForStep("call"))
        #expect(try await interviewer.waitForPlayingVideo("remote-screen") > 0, "the interviewer sees the shared screen")
        let flowing = try await interviewer.waitUntil("window.__probe.events.length > 0", timeout: 60)
        try #require(flowing, "agent events reach the dashboard's page")

        let call = Witnesses(api: api, log: log, candidate: candidate, interviewer: interviewer, probe: probe)

        // Out of full screen, as a pager does it; the agent puts it back after its grace.
        let outOfFullScreen = try await call.expectRestored(from: "exited_fullscreen", screenshot: "restored") {
            try tools.setFullscreen(window, false)
        }
        #expect(tools.isFullscreen(window), "the window manager holds the window full screen again: \(tools.state(window))")
        print("call with screen plugin: out of full screen: \(outOfFullScreen)")

        // Another application's window raised over it: the agent raises the call page again.
        let covered = try await call.expectRestored(from: "covered") {
            _ = try await desktop.openOtherWindow("notes", geometry: "600x400+100+100", title: "notes")
        }
        #expect(tools.stacking().last == window, "the call page is on top again: \(tools.stacking())")
        print("call with screen plugin: covered: \(covered)")

        await api.stop()
        withExtendedLifetime(server) {}
    }

    /// What sees a restore: the agent's bus, the interviewee's page and the interviewer's dashboard.
    struct Witnesses {
        let api: APIHarness
        let log: EventLog
        let candidate: CallPage
        let interviewer: CallPage
        let probe: DashboardProbe

        /// Does `provoke`, then expects the agent to restore the call page
        /// from `violation`, the interviewee's page to say so with a new notice
        /// (screenshotted as `screenshot`), and the dashboard to receive and
        /// draw that event. Returns how long each took, in words.
        func expectRestored(from violation: String, screenshot: String? = nil, _ provoke: () async throws -> Void) async throws -> String {
            // Notices shown so far (the agent may have restored the window before) are marked, to wait for a new one.
            _ = try await candidate.session.evaluate("document.querySelectorAll('#agent-panel .proctor-notice').forEach((n) => { n.dataset.before = '1'; }); true")
            let before = api.agent.bus.nextSeq - 1
            try await provoke()
            let restored = await log.waitFor("screen.reactivated", after: before, timeout: .seconds(30)) { $0["result"] == "restored" }
            let reactivated = try #require(restored, "the agent restored the window from \(violation): \(log.all.suffix(6).map(\.topic))")
            #expect(reactivated.data["violation"] == .string(violation), "\(reactivated.data)")
            _ = try await CallWithScreenPluginTests.fullScreen(api)

            // The interviewee's page says it in plain words.
            let fresh = "[...document.querySelectorAll('#agent-panel .proctor-notice:not([data-before])')].map((n) => n.textContent).join(' | ')"
            let notice = try await candidate.poll(fresh) { $0.stringValue?.contains("put the interview back in full screen") == true }
            #expect(notice.stringValue?.contains("The proctoring agent put the interview back in full screen") == true,
                    "the interviewee is told the agent restored full screen: \(notice)")
            if let screenshot { try await candidate.screenshot(screenshot) }

            // The dashboard received that very event over the data channel, and drew it on its timeline.
            let seq = reactivated.event.seq
            let drawn = try await interviewer.waitUntil("window.__probe.events.some((e) => e.seq === \(seq) && e.topic === 'screen.reactivated' && e.shown !== null)")
            #expect(drawn, "the dashboard received and drew screen.reactivated #\(seq)")
            let marked = try await interviewer.waitUntil(
                "[...document.querySelectorAll('#dashboard svg.timeline line.mark title')].some((t) => t.textContent === 'screen.reactivated')")
            #expect(marked, "the timeline marks screen.reactivated")
            let first = log.all.first { $0.seq > before && $0.topic.hasPrefix("screen.") }
            let events = try await probe.received().events
            let onDashboard = events.first { $0.seq == Int(seq) }.flatMap { e in e.shown.map { $0 - e.ts } }
            return "restored \(reactivated.event.timestamp.millisecondsSinceEpoch - (first ?? reactivated.event).timestamp.millisecondsSinceEpoch) ms after the agent saw it (\(first?.topic ?? "?")); drawn on the dashboard \(onDashboard.map { String(format: "%.0f", $0) } ?? "?") ms after the agent made it"
        }
    }

    /// Waits until the screen plugin holds the call page full screen; its status.
    private static func fullScreen(_ api: APIHarness) async throws -> JSONValue {
        var last: JSONValue = .null
        let held = await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            last = (try? await api.request("screen", "status"))?["result"] ?? .null
            return last["window"] != nil && last["window"] != .null && last["full_screen"] == true
        }
        #expect(held, "the screen plugin holds the call page full screen: \(last)")
        return last
    }

    /// The screen plugin's configuration as plugins.json ships it.
    static func shippedScreenConfig() throws -> JSONObject {
        let path = TestBuild.repositoryRoot + "/plugins.json"
        let plugins = try JSONParser.parse(String(contentsOfFile: path, encoding: .utf8))["plugins"]?.arrayValue ?? []
        guard let config = plugins.first(where: { $0["id"] == "screen" })?["config"]?.objectValue else {
            throw HarnessError("\(path) ships no screen plugin with a config")
        }
        return config
    }
}
