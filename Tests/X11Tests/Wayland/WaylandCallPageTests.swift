import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

extension WaylandIntegrationTests {
    /// Chromium running natively on Wayland (`--ozone-platform=wayland`) under a
    /// real headless sway, showing a page that pairs through web/proctor-client.js:
    /// the screen plugin finds its window by the marker the client puts in the
    /// title and keeps it full screen, and the desktop plugin sees focus leave it
    /// and come back, while the page's own word (a blur) is not counted a second
    /// time. sway runs as `nobody` (it refuses root); Chromium, as root, reaches
    /// its socket by the absolute path in WAYLAND_DISPLAY.
    @Suite struct WaylandCallPageTests {
        @Test func aChromiumCallPageOnSwayIsFoundKeptFullScreenAndItsFocusFollowed() async throws {
            let sway = try await SwayCompositor()
            defer { sway.stop() }
            let site = StaticWebServer()
            try await site.start()
            let origin = "http://127.0.0.1:\(site.port)"
            let api = try await APIHarness(allowedOrigins: [origin]) { builder in
                var screen: JSONObject = ["grace_ms": 1000, "backoff_initial_ms": 0, "verify_ms": 5000]
                var desktop: JSONObject = [:]
                sway.configure(&screen)
                sway.configure(&desktop)
                builder.add(id: "screen", library: "screen", config: .object(screen))
                builder.add(id: "desktop", library: "desktop", config: .object(desktop))
            }
            let log = EventLog(bus: api.agent.bus, patterns: ["screen.*", "desktop.*", "page.*", "alert"])
            let browser = try await Chromium.launch(wayland: sway.clientEnvironment, extraArguments: ["--test-type"])
            let page = try await browser.open("\(origin)/test/pairing-test.html?agent=ws://127.0.0.1:\(api.port)/v1&code=\(api.pairingCode)&topics=plugin.state")

            // The client marks the window; the screen plugin finds it by the marker and makes it full screen.
            let marker = try #require(try await api.screenMarker())
            let title = try await page.waitFor("document.title", timeout: 30) { $0.stringValue?.contains(marker) == true }
            #expect(title.stringValue?.contains(marker) == true, "the client put the marker in the title: \(title)")
            let found = await log.waitFor("screen.fullscreen", timeout: .seconds(30)) { $0["change"] == "found" }
            #expect(found != nil, "the screen plugin found Chromium's window by its marker: \(log.all.suffix(5).map(\.topic))")
            let entered = await log.waitFor("screen.fullscreen", timeout: .seconds(30)) { $0["change"] == "entered" }
            #expect(entered?.data["by"] == "agent")
            let appID = try #require(await log.waitFor("desktop.focus", timeout: .seconds(20)) { $0["call_page"] == true }?.data["app"]?["class"]?.stringValue,
                                     "the desktop plugin saw focus on the call page")
            #expect(try sway.isFullscreen(appID: appID))

            // An interview whose page rule would count a blur at once, were no plugin watching, and the page
            // saying it is blurred (Chromium's own focus did not move on this keyboardless headless sway).
            _ = try await page.waitFor("document.title") { $0.stringValue?.hasPrefix("identified") == true }
            let interview = try await page.evaluate("""
                window.testClient.request("host", "interview.start", {guidelines: {rules: [{id: "page_away", min_s: 0.5}]}})
                  .then((r) => r.interview, (e) => "error:" + e.code)
                """)
            #expect(interview.stringValue?.hasPrefix("i_") == true, "\(interview)")
            _ = try await page.evaluate("window.testClient.request('host', 'page.focus', {focused: false}).then(() => 1)")
            let blur = await log.waitFor("page.focus") { $0["focused"] == false }
            #expect(blur != nil, "the page's report reached the agent")

            // Leaving full screen through the compositor is undone after the grace.
            let beforeLeaving = log.all.last?.seq ?? 0
            try sway.swaymsg(["[app_id=\(appID)]", "fullscreen", "disable"])
            #expect(await log.waitFor("screen.fullscreen", after: beforeLeaving) { $0["change"] == "left" } != nil)
            let back = await log.waitFor("screen.fullscreen", after: beforeLeaving, timeout: .seconds(20)) { $0["change"] == "entered" }
            #expect(back?.data["by"] == "agent", "the agent put the window back in full screen")
            #expect(try sway.isFullscreen(appID: appID))

            // Focus to another client and back: desktop.focus says how long it was away. sway gives no focus
            // to a window a full-screen one hides, so the other client opens on a workspace of its own.
            let beforeAway = log.all.last?.seq ?? 0
            try sway.swaymsg(["workspace", "2"])
            _ = try sway.openWindow(title: "Notes", appID: "notes")
            let away = await log.waitFor("desktop.focus", after: beforeAway, timeout: .seconds(20)) { $0["app"]?["class"] == "notes" }
            #expect(away?.data["call_page"] == false, "\(String(describing: away?.data))")
            try sway.swaymsg(["[app_id=\(appID)]", "focus"])
            let returned = await log.waitFor("desktop.focus", after: away?.event.seq ?? beforeAway, timeout: .seconds(20)) { $0["call_page"] == true }
            #expect((returned?.data["away_ms"]?.intValue ?? 0) > 0, "\(String(describing: returned?.data))")

            // With the desktop plugin watching focus, the page's word is not counted again: no page_away alert,
            // though the page said it was blurred for longer than the rule's 0.5 s (the grace alone is 1 s).
            let blurredMs = (returned?.event.timestamp.millisecondsSinceEpoch ?? 0) - (blur?.event.timestamp.millisecondsSinceEpoch ?? 0)
            #expect(blurredMs > 500, "the page's blur stood for \(blurredMs) ms")
            #expect(log.data("alert").allSatisfy { $0["rule"] != "page_away" }, "\(log.data("alert"))")
            print("Wayland call page: page reports \(log.all.filter { $0.topic.hasPrefix("page.") }.map { "\($0.topic) \($0.data)" })")
            let problems = try log.schemaProblems()
            #expect(problems.isEmpty, "\(problems)")
            await api.stop()
            await site.stop()
        }
    }
}
