import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension X11IntegrationTests {
    /// The call page in a real Chromium window under Xvfb and openbox, kept
    /// full screen by the agent and by web/proctor-client.js, checked the way
    /// a person would: what the monitor shows, and whether a click reaches the page.
    @Suite struct CallPageFullScreenTests {
        /// The flat colour of web/test/fullscreen-test.html.
        static let pageColour = Screenshot.Colour(0x1f, 0x8a, 0x5b)
        /// Chromium's "unsupported command-line flag: --no-sandbox" infobar (the tests run as root) is
        /// not what a person's browser shows; --test-type leaves it out. The tabs and address bar stay.
        static let browserArguments = ["--test-type", "--window-size=1000,700"]

        /// A window-manager full-screen window that is minimised and restored, by
        /// the person or by the agent, comes back with its page shown and taking clicks
        /// (Chromium alone leaves it hidden and blank).
        @Test func aRestoredCallPageIsShownAndTakesClicks() async throws {
            // A long grace, so the person's restore comes first even on a busy machine.
            let callPage = try await ClientPageDesktop.open(screen: ["grace_ms": 4000], chromium: Self.browserArguments,
                                                   page: "test/fullscreen-test.html")
            defer { callPage.desktop.stop() }
            let (api, page, tools) = (callPage.api, callPage.page, callPage.desktop.tools)
            let log = EventLog(bus: api.agent.bus, patterns: ["screen.*"])
            let window = try await fullScreenWindow(api, kind: "window")

            // Restored by the person (a pager, the task bar: _NET_ACTIVE_WINDOW), before the agent's grace ends.
            let minimised = log.all.last?.seq ?? 0
            try tools.minimise(window)
            let hidden = await eventually(timeout: .seconds(10)) { tools.state(window).contains("_NET_WM_STATE_HIDDEN") }
            #expect(hidden, "openbox minimised the window")
            try tools.run("wmctrl", ["-i", "-a", window])
            let byPerson = await log.waitFor { $0.seq > minimised && $0.topic == "screen.fullscreen" && (try? JSONParser.parse($0.data))?["change"] == "entered" }
            let who = byPerson.flatMap { try? JSONParser.parse($0.data)["by"] }
            #expect(who == "user", "the person restored it, not the agent")
            try await expectShownAndClickable(callPage, window, after: "the person restored it")

            // Restored by the agent, after its grace.
            let before = log.all.last?.seq ?? 0
            try await minimise(window, tools, page)
            let restored = await log.waitFor(timeout: .seconds(30)) { event in
                event.seq > before && event.topic == "screen.reactivated" && (try? JSONParser.parse(event.data))?["result"] == "restored"
            }
            #expect(restored != nil, "the agent restored the minimised window: \(log.all.suffix(6).map(\.topic))")
            try await expectShownAndClickable(callPage, window, after: "the agent restored it")
            await callPage.stop()
        }

        /// The window manager's full screen leaves the browser's tabs and address bar on the
        /// monitor; the page's own full screen, asked on the person's next click, covers it all.
        /// Left with Esc, the agent puts the window back, the page shows its overlay, and the
        /// next click returns to the page's full screen. The screen plugin says which kind holds.
        @Test func thePagesOwnFullScreenCoversTheMonitorAndComesBackAfterEsc() async throws {
            let callPage = try await ClientPageDesktop.open(screen: ["grace_ms": 500], chromium: Self.browserArguments,
                                                   page: "test/fullscreen-test.html", query: "&keep_full_screen=1")
            defer { callPage.desktop.stop() }
            let (api, page, desktop) = (callPage.api, callPage.page, callPage.desktop)
            let log = EventLog(bus: api.agent.bus, patterns: ["screen.*"])
            let window = try await fullScreenWindow(api, kind: "window")
            _ = try await page.waitFor("document.title") { $0.stringValue?.hasPrefix("identified") == true }

            // Window-level only: the browser's own interface is on the monitor, above the page.
            // The page painted below it (not a blank or black window), the browser's bars above it.
            let windowLevel = try await screenshot(desktop, "window-full-screen") {
                $0.fraction(of: Self.pageColour, rows: 120..<800) >= 0.9 && $0.fraction(of: Self.pageColour, rows: 0..<60) < 0.5
            }
            #expect(windowLevel.fraction(of: Self.pageColour, rows: 120..<800) >= 0.9, "the page shows below the browser's bars")
            #expect(windowLevel.fraction(of: Self.pageColour, rows: 0..<60) < 0.5,
                    "the tabs and address bar show at the top under the window manager's full screen")

            // A real click (XTEST): a user gesture, so the page may take the browser's full screen.
            try desktop.tools.click(window, x: 640, y: 400)
            _ = try await fullScreenWindow(api, kind: "page")
            // Chromium's "press Esc" bubble fades after a few seconds.
            let pageLevel = try await screenshot(desktop, "page-full-screen") { $0.fraction(of: Self.pageColour) >= 0.995 }
            #expect(pageLevel.fraction(of: Self.pageColour) >= 0.995,
                    "the page covers the whole monitor: \(pageLevel.fraction(of: Self.pageColour)) (\(desktop.directory.path)/page-full-screen.ppm)")

            // Esc leaves the page's full screen and the window's; the agent puts the window back
            // and the page asks the person to return.
            let beforeEsc = log.all.last?.seq ?? 0
            try desktop.tools.key("Escape")
            let overlay = try await page.waitFor("!!document.querySelector('[data-proctord=\"return-to-interview\"]')") { $0 == true }
            #expect(overlay == true, "the page shows the return-to-the-interview overlay")
            let putBack = await log.waitFor(timeout: .seconds(30)) { event in
                guard event.seq > beforeEsc, event.topic == "screen.fullscreen", let data = try? JSONParser.parse(event.data) else { return false }
                return data["change"] == "entered" && data["by"] == "agent"
            }
            #expect(putBack != nil, "the agent put the window back in full screen")
            _ = try await fullScreenWindow(api, kind: "window")
            let covered = try await screenshot(desktop, "overlay") { $0.fraction(of: Self.pageColour) < 0.2 }
            #expect(covered.fraction(of: Self.pageColour) < 0.2, "the overlay covers the page")

            try desktop.tools.click(window, x: 640, y: 400)
            _ = try await fullScreenWindow(api, kind: "page")
            let back = try await screenshot(desktop, "page-full-screen-again") { $0.fraction(of: Self.pageColour) >= 0.995 }
            #expect(back.fraction(of: Self.pageColour) >= 0.995, "one click returned the page to its own full screen")
            let gone = try await page.waitFor("!!document.querySelector('[data-proctord=\"return-to-interview\"]')") { $0 == false }
            #expect(gone == false, "the overlay is gone in full screen")
            await callPage.stop()
        }

        // MARK: - Steps

        /// Waits until the screen plugin holds the call page full screen of `kind`, and returns its window.
        private func fullScreenWindow(_ api: APIHarness, kind: String) async throws -> String {
            var last: JSONValue = .null
            let held = await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
                last = (try? await api.request("screen", "status"))?["result"] ?? .null
                return last["full_screen"] == true && last["kind"] == .string(kind)
            }
            #expect(held, "the call page is full screen (\(kind)): \(last)")
            return try #require(last["window"]?.stringValue)
        }

        private func minimise(_ window: String, _ tools: XTools, _ page: DevToolsSession) async throws {
            try tools.minimise(window)
            let hidden = try await page.waitFor("document.visibilityState") { $0 == "hidden" }
            #expect(hidden == "hidden", "minimised, the page is hidden")
        }

        /// The page is shown, the monitor shows it (not a blank window), and a real click reaches it.
        private func expectShownAndClickable(_ callPage: ClientPageDesktop, _ window: String, after what: String) async throws {
            let (api, page, desktop) = (callPage.api, callPage.page, callPage.desktop)
            _ = try await fullScreenWindow(api, kind: "window")
            let visibility = try await page.waitFor("document.visibilityState") { $0 == "visible" }
            #expect(visibility == "visible", "\(what): the page is shown, not \(visibility)")
            let shot = try await screenshot(desktop, "restored") { $0.fraction(of: Self.pageColour) > 0.6 }
            #expect(shot.fraction(of: Self.pageColour) > 0.6, "\(what): the monitor shows the page, not a blank window")
            let clicks = try await page.evaluate("window.testState.clicks").intValue ?? 0
            try desktop.tools.click(window, x: 640, y: 400)
            let counted = try await page.waitFor("window.testState.clicks") { ($0.intValue ?? 0) > clicks }
            #expect((counted.intValue ?? 0) > clicks, "\(what): a click reaches the page")
        }

        /// Screenshots of the monitor until `shows` holds (Chromium paints a moment after the window
        /// manager's change) or 20 s pass; the last one is kept as `<name>.ppm` in the test's directory.
        private func screenshot(_ desktop: X11TestDesktop, _ name: String, until shows: (Screenshot) -> Bool) async throws -> Screenshot {
            var shot = try Screenshot.take(display: desktop.display)
            _ = await eventually(timeout: .seconds(20), every: .milliseconds(250)) {
                shot = (try? Screenshot.take(display: desktop.display)) ?? shot
                return shows(shot)
            }
            shot.save(to: desktop.directory.path + "/\(name).ppm")
            return shot
        }
    }
}
