import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

/// The screen and desktop plugins on Wayland, one test at a time: each test
/// starts its own headless sway (or weston) and a real agent on it.
@Suite(.serialized) enum WaylandIntegrationTests {}

typealias SwayScenario = DesktopScenario<SwayCompositor>

extension SwayCompositor {
    /// sway's own word on whether the window with `appID` is full screen.
    func isFullscreen(appID: String) throws -> Bool {
        func find(_ node: JSONValue) -> JSONValue? {
            if node["app_id"]?.stringValue == appID { return node }
            for child in (node["nodes"]?.arrayValue ?? []) + (node["floating_nodes"]?.arrayValue ?? []) {
                if let found = find(child) { return found }
            }
            return nil
        }
        let tree = try JSONParser.parse(swaymsg(["-t", "get_tree"]))
        return find(tree)?["fullscreen_mode"]?.intValue == 1
    }
}

extension WaylandIntegrationTests {
    @Suite struct SwayScreenTests {
        /// The margin the tests allow beyond a deadline: machines are noisy.
        let margin = Duration.milliseconds(1500)

        @Test func theCallPageIsFoundAndKeptFullScreen() async throws {
            let scenario = try await SwayScenario.start(
                [("screen", "screen", ["grace_ms": 1000, "backoff_initial_ms": 0, "verify_ms": 5000])], on: SwayCompositor())
            let status = try await scenario.request("screen", "status")["result"]
            #expect(status?["display_server"] == "wayland")
            let monitors = try #require(await scenario.waitFor("screen.monitors") { $0["reason"] == "start" }).data
            #expect(monitors["count"] == 1)
            let first = monitors["monitors"]?.arrayValue?.first
            #expect(first?["name"] == "HEADLESS-1" && first?["width"] == 1280 && first?["height"] == 800, "\(monitors)")

            let marker = try await scenario.marker()
            _ = try scenario.desktop.openWindow(title: "Interview \(marker)", appID: "callpage")
            let found = try #require(await scenario.waitFor("screen.fullscreen") { $0["change"] == "found" })
            #expect(found.data["full_screen"] == false)
            // The window opened tiled: the agent makes it full screen after the grace.
            let entered = try #require(await scenario.waitFor("screen.fullscreen", timeout: .seconds(20)) { $0["change"] == "entered" })
            #expect(entered.data["by"] == "agent")
            #expect(try scenario.desktop.isFullscreen(appID: "callpage"))

            // Leaving full screen through the compositor is undone after the grace.
            let before = scenario.lastSeq
            let started = ContinuousClock.now
            try scenario.desktop.swaymsg(["[app_id=callpage]", "fullscreen", "disable"])
            let left = try #require(await scenario.waitFor("screen.fullscreen", after: before) { $0["change"] == "left" })
            #expect(left.data["reason"] == "exited_fullscreen")
            let back = try #require(await scenario.waitFor("screen.fullscreen", after: before, timeout: .seconds(10)) { $0["change"] == "entered" })
            let took = ContinuousClock.now - started
            #expect(back.data["by"] == "agent")
            #expect(took >= .milliseconds(1000), "the agent waited out the grace period")
            #expect(took < .milliseconds(1000) + margin, "restored after \(took)")
            let outcome = try #require(await scenario.waitFor("screen.reactivated", after: before)).data
            #expect(outcome["result"] == "restored" && outcome["violation"] == "exited_fullscreen")
            #expect((outcome["waited_ms"]?.intValue ?? 0) >= 1000)
            #expect(try scenario.desktop.isFullscreen(appID: "callpage"))
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func theAttemptLimitHolds() async throws {
            let scenario = try await SwayScenario.start(
                [("screen", "screen", ["grace_ms": 0, "backoff_initial_ms": 0, "attempt_limit": 2, "attempt_window_s": 600])],
                on: SwayCompositor())
            _ = try scenario.desktop.openWindow(title: "Interview \(try await scenario.marker())", appID: "callpage")
            // Attempt 1 makes the new window full screen; the person leaves it twice.
            #expect(await scenario.waitFor("screen.reactivated", timeout: .seconds(20)) { $0["result"] == "restored" } != nil)
            var before = scenario.lastSeq
            try scenario.desktop.swaymsg(["[app_id=callpage]", "fullscreen", "disable"])
            let second = try #require(await scenario.waitFor("screen.reactivated", after: before) { $0["result"] != "failed" })
            #expect(second.data["result"] == "restored" && second.data["attempt"] == 2)
            before = scenario.lastSeq
            try scenario.desktop.swaymsg(["[app_id=callpage]", "fullscreen", "disable"])
            let held = try #require(await scenario.waitFor("screen.reactivated", after: before))
            #expect(held.data["result"] == "gave_up" && held.data["attempts_in_window"] == 2)
            #expect(try !scenario.desktop.isFullscreen(appID: "callpage"), "the agent holds back")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func anOutputAddedIsReported() async throws {
            let scenario = try await SwayScenario.start([("screen", "screen", [:])], on: SwayCompositor())
            let start = try #require(await scenario.waitFor("screen.monitors") { $0["reason"] == "start" })
            try scenario.desktop.swaymsg(["create_output"])
            let changed = try #require(await scenario.waitFor("screen.monitors", after: start.event.seq) { $0["count"] == 2 })
            #expect(changed.data["reason"] == "change")
            let names = changed.data["monitors"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(names.contains("HEADLESS-1") && names.contains("HEADLESS-2"), "\(names)")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }
    }

    @Suite struct SwayDesktopTests {
        @Test func windowsAndFocusAwayFromTheCallPage() async throws {
            let scenario = try await SwayScenario.start([("desktop", "desktop", ["titles": "full"])], on: SwayCompositor())
            #expect(try await scenario.request("desktop", "status")["result"]?["display_server"] == "wayland")
            let marker = try await scenario.marker(from: "desktop")
            _ = try scenario.desktop.openWindow(title: "Interview \(marker)", appID: "callpage")
            let page = try #require(await scenario.waitFor("desktop.focus") { $0["call_page"] == true })
            #expect(page.data["app"]?["class"] == "callpage")
            let opened = try #require(await scenario.waitFor("desktop.window") { $0["change"] == "opened" && $0["call_page"] == true })
            #expect(opened.data["title"]?.stringValue == "Interview \(marker)")

            // sway focuses a new window: focus leaves the call page.
            let leaving = ContinuousClock.now
            _ = try scenario.desktop.openWindow(title: "Notes", appID: "notes")
            let away = try #require(await scenario.waitFor("desktop.focus", after: page.event.seq) { $0["left_call_page"] == true })
            #expect(away.data["app"]?["class"] == "notes" && away.data["call_page"] == false)
            try scenario.desktop.swaymsg(["[app_id=callpage]", "focus"])
            let back = try #require(await scenario.waitFor("desktop.focus", after: away.event.seq) { $0["call_page"] == true })
            let awayMs = try #require(back.data["away_ms"]?.intValue)
            let elapsed = ContinuousClock.now - leaving
            #expect(awayMs > 0 && .milliseconds(awayMs) <= elapsed, "\(awayMs) ms away, within the \(elapsed) the test took")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func clipboardAndPrimaryOffersFromWlCopy() async throws {
            let scenario = try await SwayScenario.start([("desktop", "desktop", [:])], on: SwayCompositor())
            for (selection, primary) in [("clipboard", false), ("primary", true)] {
                let before = scenario.lastSeq
                let copier = try scenario.desktop.copy("hello world", primary: primary)
                let copied = try #require(await scenario.waitFor("desktop.clipboard", after: before) {
                    $0["change"] == "owner_changed" && $0["selection"]?.stringValue == selection
                })
                // wl-copy offers text under the MIME and the X11 names; the best text type is measured, as on X11.
                let targets = copied.data["targets"]?.arrayValue ?? []
                #expect(targets.contains("text/plain;charset=utf-8") && targets.contains("UTF8_STRING"), "\(copied.data)")
                #expect(copied.data["size_bytes"] == 11 && copied.data["size_type"] == "UTF8_STRING", "\(copied.data)")
                #expect(copied.data["complete"] == true)
                // Wayland does not say who offers a selection.
                #expect(copied.data["owner"] == .null && copied.data["app"] == .null && copied.data["call_page"] == false)
                #expect(copied.data["content"] == nil && copied.data["content_sha256"] == nil, "content is never read by default")
                copier.stop()
                let cleared = try #require(await scenario.waitFor("desktop.clipboard", after: copied.event.seq) { $0["change"] == "cleared" })
                #expect(cleared.data["selection"]?.stringValue == selection)
            }
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        /// Ids go on across a reconnect: a window seen after the compositor came
        /// back never carries the id of one seen before.
        @Test func windowIDsAreNotReusedAfterTheCompositorComesBack() async throws {
            let scenario = try await SwayScenario.start([("desktop", "desktop", ["reconnect_max_ms": 250])], on: SwayCompositor())
            _ = try scenario.desktop.openWindow(title: "Before", appID: "before")
            let first = try #require(await scenario.waitFor("desktop.window") { $0["change"] == "opened" && $0["app"]?["class"] == "before" })
            let before = scenario.lastSeq
            try await scenario.desktop.restart()
            #expect(await scenario.log.waitForState("desktop", timeout: .seconds(20), after: before) { $0["state"] == "running" } != nil, "reconnected")
            _ = try scenario.desktop.openWindow(title: "After", appID: "after")
            let second = try #require(await scenario.waitFor("desktop.window", after: before) { $0["app"]?["class"] == "after" })
            let ids = [first.data["window"], second.data["window"]]
            #expect(ids[0] != nil && ids[0] != ids[1], "\(ids)")
            await scenario.stop()
        }

        /// More than a pipe holds (64 KiB): the owner's writes must block, not fail, until the
        /// plugin reads. wl-copy makes its end blocking itself; most applications do not.
        @Test func aLargeClipboardIsMeasuredWhole() async throws {
            let scenario = try await SwayScenario.start([("desktop", "desktop", [:])], on: SwayCompositor())
            let size = 200 * 1024
            let file = scenario.desktop.directory.write("large.txt", String(repeating: "0123456789abcdef", count: size / 16))
            for (owner, copy) in [("wl-copy", scenario.desktop.copy(file:type:)), ("an application", scenario.desktop.copyAsApplications(file:type:))] {
                let before = scenario.lastSeq
                let copier = try copy(file, "text/plain")
                let copied = try #require(await scenario.waitFor("desktop.clipboard", after: before) { $0["change"] == "owner_changed" })
                #expect(copied.data["size_bytes"]?.intValue == size && copied.data["complete"] == true, "\(owner): \(copied.data)")
                copier.stop()
            }
            await scenario.stop()
        }
    }

    @Suite struct CompositorWithoutTheProtocolsTests {
        @Test func westonIsReportedByTheMissingProtocol() async throws {
            let weston = try await WestonCompositor()
            let scenario = try await DesktopScenario<WestonCompositor>.start(
                [("screen", "screen", [:]), ("desktop", "desktop", [:])], on: weston, degradedIsRunning: true)
            for plugin in ["screen", "desktop"] {
                let state = try #require(await scenario.log.waitForState(plugin) { $0["state"] == "degraded" })
                let reason = state.1["reason"]?.stringValue ?? ""
                #expect(reason.contains("does not offer zwlr_foreign_toplevel_manager_v1"), "\(plugin): \(reason)")
            }
            let desktop = scenario.log.states(of: "desktop").last?["reason"]?.stringValue ?? ""
            #expect(desktop.contains("zwlr_data_control_manager_v1") && desktop.contains("copying and pasting"), "\(desktop)")
            let screen = scenario.log.states(of: "screen").last?["reason"]?.stringValue ?? ""
            #expect(screen.contains("cannot be put back"), "\(screen)")
            // What weston does tell is still reported.
            #expect(await scenario.waitFor("screen.monitors") { $0["count"] == 1 } != nil)
            await scenario.stop()
        }

        @Test func aCompositorGoingAwayIsReportedAndTheOtherPluginsKeepRunning() async throws {
            let scenario = try await SwayScenario.start([("desktop", "desktop", [:]), ("screen", "screen", [:])], on: SwayCompositor())
            let before = scenario.lastSeq
            scenario.desktop.crash()
            for plugin in ["screen", "desktop"] {
                let state = try #require(await scenario.log.waitForState(plugin, after: before) { $0["state"] == "degraded" })
                #expect(state.1["reason"]?.stringValue?.contains("went away") == true, "\(state.1)")
            }
            #expect(try await scenario.request("desktop", "status")["result"]?["connected"] == false)
            await scenario.stop()
        }
    }
}

extension WestonCompositor: ScenarioDesktop {
    func configure(_ config: inout JSONObject) {
        config["display_server"] = "wayland"
        config["wayland_display"] = .string(socket)
    }
}
