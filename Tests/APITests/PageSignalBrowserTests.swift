import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// A real headless Chromium shows a call page that pairs through
/// web/proctor-client.js, with no screen or desktop plugin running (as on a
/// desktop that hides other windows): leaving the page's full screen, hiding
/// the page behind a second tab (which also blurs it) and coming back each
/// reach the agent as `page.*` events, and the page rules raise their alerts.
/// The delay from the DevTools command to the event on the agent's bus is
/// printed (`page signal latency`), not asserted: the machine is shared.
@Suite(.serialized) struct PageSignalBrowserTests {
    @Test func leavingFullScreenHidingAndBlurringThePageReachTheAgent() async throws {
        let site = StaticWebServer()
        try await site.start()
        let origin = "http://127.0.0.1:\(site.port)"
        let api = try await APIHarness(allowedOrigins: [origin]) { $0.add(id: "heartbeat", library: "heartbeat", config: ["interval_ms": 1000]) }
        let log = EventLog(bus: api.agent.bus, patterns: ["page.*", "alert"])
        let browser = try await Chromium.launch()
        let page = try await browser.open("\(origin)/test/pairing-test.html?agent=ws://127.0.0.1:\(api.port)/v1&code=\(api.pairingCode)&topics=alert")
        let title = try await page.waitFor("document.title") { $0 == "identified" || $0.stringValue?.hasPrefix("error") == true }
        #expect(title == "identified", "\(title)")

        // Once identified the client reports the page's whole state.
        let shown = await log.waitFor("page.visibility") { $0["visible"] == true }
        let session = try #require(shown?.data["session"]?.stringValue, "the page reported its visibility: \(log.all.map(\.topic))")
        #expect(shown?.data["source"] == "page" && shown?.data["origin"] == .string(origin))
        #expect(await log.waitFor("page.fullscreen") { $0["full_screen"] == false } != nil)

        // The interview's page rules, quicker than the defaults (a page may only make them stricter).
        let start = try await page.evaluate("""
            window.testClient.request("host", "interview.start", {guidelines: {rules: [
              {id: "page_away", min_s: 0.5}, {id: "page_fullscreen_left", min_s: 0.5}]}}).then((r) => r.interview, (e) => "error:" + e.code)
            """)
        #expect(start.stringValue?.hasPrefix("i_") == true, "\(start)")

        // Full screen, as a click would ask (DevTools lends the gesture), then left.
        _ = try await page.call("Runtime.evaluate", ["expression": "document.documentElement.requestFullscreen()", "awaitPromise": true, "userGesture": true])
        let full = await log.waitFor("page.fullscreen") { $0["full_screen"] == true }
        #expect(full != nil, "entering full screen reached the agent")
        let beforeExit = Self.nowMs()
        _ = try await page.evaluate("document.exitFullscreen().then(() => 1)")
        let left = await log.waitFor("page.fullscreen", after: full?.event.seq ?? 0) { $0["full_screen"] == false }
        #expect(left != nil, "leaving full screen reached the agent")

        // A second tab in front: the page is hidden and loses focus.
        let tabs = try await browser.browser()
        let beforeTab = Self.nowMs()
        let second = try await tabs.call("Target.createTarget", ["url": "about:blank"])
        let hidden = await log.waitFor("page.visibility") { $0["visible"] == false }
        let blurred = await log.waitFor("page.focus") { $0["focused"] == false }
        #expect(hidden?.data["session"] == .string(session), "hiding the page reached the agent")
        #expect(blurred != nil, "the blur reached the agent")

        // No plugin sees this desktop: the page's word raises the page rules, at their low severity.
        let away = await log.waitFor("alert") { $0["rule"] == "page_away" && $0["state"] == "raised" }
        let evidence = away?.data["evidence"]?.arrayValue?.compactMap { $0.intValue.map(UInt64.init) } ?? []
        #expect(away?.data["severity"] == "low" && evidence.contains { $0 == hidden?.event.seq || $0 == blurred?.event.seq }, "\(String(describing: away?.data))")
        let fullScreenAlert = await log.waitFor("alert") { $0["rule"] == "page_fullscreen_left" && $0["state"] == "raised" }
        #expect(fullScreenAlert?.data["message"]?.stringValue?.contains("out of full screen") == true)

        // Back to the call page's tab: shown and focused again, the alert resolved.
        _ = try await tabs.call("Target.activateTarget", ["targetId": .string(try #require(page.targetID))])
        #expect(await log.waitFor("page.visibility", after: hidden?.event.seq ?? 0) { $0["visible"] == true } != nil)
        #expect(await log.waitFor("alert") { $0["rule"] == "page_away" && $0["state"] == "resolved" } != nil, "\(log.data("alert"))")
        _ = second

        // A page that sends a malformed report is told which member and value are wrong.
        let refused = try await page.evaluate("""
            window.testClient.request("host", "page.visibility", {visible: "no"}).then(() => "published", (e) => e.code + ": " + e.message)
            """)
        #expect(refused == #"invalid_params: visible must be a boolean, not "no"; page.visibility takes {"visible": boolean}"#)
        let problems = try log.schemaProblems()
        #expect(problems.isEmpty, "\(problems)")

        func latency(_ event: Event?, since before: Int64) -> String {
            event.map { "\($0.timestamp.millisecondsSinceEpoch - before) ms" } ?? "none"
        }
        let latencies = ["fullscreen " + latency(left?.event, since: beforeExit), "visibility " + latency(hidden?.event, since: beforeTab),
                         "focus " + latency(blurred?.event, since: beforeTab)]
        print("page signal latency (DevTools command to the event on the agent's bus): " + latencies.joined(separator: ", "))
        await api.stop()
        await site.stop()
    }

    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
