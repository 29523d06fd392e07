import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension X11IntegrationTests {
    /// The screen plugin as a child of a real agent, against Xvfb, openbox and
    /// a real Chromium window showing a call page with the title marker.
    @Suite struct ScreenPluginTests {
        /// The margin the tests allow beyond a deadline: machines are noisy.
        let margin = Duration.milliseconds(1500)

        /// An agent with the screen plugin and the call page opened, already
        /// put in full screen by the agent (the page opens windowed).
        func fullScreenCallPage(_ config: JSONValue) async throws -> (PluginScenario, ChromiumWindow) {
            let scenario = try await PluginScenario.start([("screen", "screen", config)])
            let page = try await scenario.desktop.openCallPage(marker: try await scenario.marker())
            let found = try #require(await scenario.waitFor("screen.fullscreen") { $0["change"] == "found" })
            #expect(found.data["window"]?.stringValue == page.window)
            #expect(found.data["full_screen"] == false)
            #expect(await scenario.waitFor("screen.fullscreen", timeout: .seconds(20)) { $0["change"] == "entered" && $0["by"] == "agent" } != nil)
            #expect(scenario.tools.isFullscreen(page.window))
            return (scenario, page)
        }

        @Test func leavingFullScreenOrMinimisingIsUndoneWithinTheGracePeriod() async throws {
            let grace = Duration.milliseconds(1000)
            let (scenario, page) = try await fullScreenCallPage(["grace_ms": 1000, "backoff_initial_ms": 0])
            for (how, act) in [("exited_fullscreen", { try scenario.tools.setFullscreen(page.window, false) }),
                               ("minimised", { try scenario.tools.minimise(page.window) })] as [(String, () throws -> Void)] {
                let before = scenario.lastSeq
                let started = ContinuousClock.now
                try act()
                let left = try #require(await scenario.waitFor("screen.fullscreen", after: before) { $0["change"] == "left" })
                #expect(left.data["reason"]?.stringValue == how)
                let back = try #require(await scenario.waitFor("screen.fullscreen", after: before, timeout: .seconds(10)) { $0["change"] == "entered" })
                let took = ContinuousClock.now - started
                #expect(back.data["by"] == "agent")
                #expect(took >= grace, "\(how): the agent waited out the grace period")
                #expect(took < grace + margin, "\(how): restored after \(took)")
                let outcome = try #require(await scenario.waitFor("screen.reactivated", after: before)).data
                #expect(outcome["result"] == "restored")
                #expect(outcome["violation"]?.stringValue == how)
                #expect((outcome["waited_ms"]?.intValue ?? 0) >= 1000)
                #expect(scenario.tools.isFullscreen(page.window))
                #expect(!scenario.tools.state(page.window).contains("_NET_WM_STATE_HIDDEN"))
            }
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func aWindowOnTopIsReportedAndTheCallPageRaisedAgain() async throws {
            let (scenario, page) = try await fullScreenCallPage(["grace_ms": 1000, "backoff_initial_ms": 0])
            let before = scenario.lastSeq
            let (_, other) = try await scenario.desktop.openOtherWindow("notes", geometry: "600x400+100+100")
            let covered = try #require(await scenario.waitFor("screen.covered", after: before) { $0["covered"] == true })
            #expect(covered.data["by"]?.arrayValue?.first?["window"]?.stringValue == other)
            #expect(covered.data["by"]?.arrayValue?.first?["app"]?["class"] == "Xmessage")
            let fraction = covered.data["fraction"]?.doubleValue ?? 0
            #expect(fraction > 0.2 && fraction < 0.35, "600x400 plus its frame on 1280x800: \(fraction)")
            let uncovered = try #require(await scenario.waitFor("screen.covered", after: covered.event.seq, timeout: .seconds(10)) { $0["covered"] == false })
            let coveredFor = PluginScenario.milliseconds(from: covered.event, to: uncovered.event)
            #expect(coveredFor >= 950 && coveredFor < 2500, "raised again after the grace period: \(coveredFor) ms")
            #expect(await scenario.waitFor("screen.reactivated", after: before)?.data["violation"] == "covered")
            #expect(scenario.tools.stacking().last == page.window, "the call page is on top again")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        /// A dialog of the call page (a file chooser, the share picker) sits
        /// above it by design: it neither covers the page nor gets pushed down.
        @Test func theCallPagesOwnDialogDoesNotCountAsCovering() async throws {
            let (scenario, page) = try await fullScreenCallPage(["grace_ms": 1000, "backoff_initial_ms": 0])
            let before = scenario.lastSeq
            let (_, dialog) = try await scenario.desktop.openOtherWindow("dialog", geometry: "600x400+100+100")
            let covered = try #require(await scenario.waitFor("screen.covered", after: before) { $0["covered"] == true })
            try scenario.tools.run("xprop", ["-id", dialog, "-f", "WM_TRANSIENT_FOR", "32c", "-set", "WM_TRANSIENT_FOR", page.window])
            try scenario.tools.activate(dialog)
            #expect(await scenario.waitFor("screen.covered", after: covered.event.seq, timeout: .seconds(5)) { $0["covered"] == false } != nil,
                    "once it is the page's dialog, it no longer covers it")
            try await Task.sleep(for: .seconds(2))  // past the grace period
            #expect(scenario.events("screen.reactivated", after: covered.event.seq).isEmpty, "the dialog was not pushed down")
            #expect(scenario.tools.stacking().last == dialog)
            await scenario.stop()
        }

        /// Any X client may write any value into its windows' properties; a
        /// 32-bit all-ones frame extent once crashed the plugin (Xlib sign-
        /// extends 32-bit items into 64-bit longs).
        @Test func hostilePropertyValuesOnAnotherWindowDoNotCrashThePlugin() async throws {
            let (scenario, _) = try await fullScreenCallPage(["grace_ms": 300, "backoff_initial_ms": 0])
            let before = scenario.lastSeq
            let (_, other) = try await scenario.desktop.openOtherWindow("hostile", geometry: "600x400+100+100")
            _ = try #require(await scenario.waitFor("screen.covered", after: before) { $0["covered"] == true })
            try scenario.tools.run("xprop", ["-id", other, "-f", "_NET_FRAME_EXTENTS", "32c", "-set", "_NET_FRAME_EXTENTS", "4294967295,0,0,4294967295"])
            try scenario.tools.run("xprop", ["-id", other, "-f", "_NET_WM_PID", "32c", "-set", "_NET_WM_PID", "4294967295"])
            try scenario.tools.activate(other)  // measured again, with the hostile values
            try await Task.sleep(for: .seconds(2))
            let states = scenario.events("plugin.state", after: before).filter { $0["plugin"] == "screen" }.map { $0["state"]?.stringValue }
            #expect(!states.contains("crashed") && !states.contains("held"), "screen plugin states: \(states)")
            #expect(try await scenario.request("screen", "status")["result"]?["window"] != nil, "still answering")
            await scenario.stop()
        }

        @Test func fightingTheUserIsBackedOffAndHeldAtTheLimit() async throws {
            let limit = 5
            let (scenario, page) = try await fullScreenCallPage([
                "grace_ms": 300, "backoff_initial_ms": 300, "backoff_max_ms": 5000, "attempt_limit": .number(Double(limit)),
                "attempt_window_s": 600,
            ])
            // The user leaves full screen 20 times in a row; when the agent holds
            // back, the user goes back to full screen themselves and leaves again.
            for round in 1...20 {
                let before = scenario.lastSeq
                try scenario.tools.setFullscreen(page.window, false)
                let outcome = try #require(await scenario.waitFor("screen.reactivated", after: before, timeout: .seconds(12)),
                                           "round \(round): no outcome")
                if outcome.data["result"] == "restored" {
                    #expect(await scenario.waitFor("screen.fullscreen", after: before) { $0["change"] == "entered" } != nil)
                } else {
                    let mark = scenario.lastSeq
                    try scenario.tools.setFullscreen(page.window, true)
                    let entered = try #require(await scenario.waitFor("screen.fullscreen", after: mark) { $0["change"] == "entered" })
                    #expect(entered.data["by"] == "user")
                }
            }
            let outcomes = scenario.events("screen.reactivated")
            let restored = outcomes.filter { $0["result"] == "restored" }
            #expect(restored.compactMap { $0["attempt"]?.intValue } == Array(1...limit), "attempt 1 put the page in full screen at start")
            // Each attempt within the window waited longer: the grace period, then a doubling backoff.
            let waits = restored.compactMap { $0["waited_ms"]?.intValue }
            for (i, (waited, expected)) in zip(waits, [300, 600, 900, 1500, 2700]).enumerated() {
                #expect(waited >= expected - 5 && waited < expected + 1500, "attempt \(i + 1) waited \(waited) ms, expected \(expected)")
            }
            let heldBack = outcomes.filter { $0["result"] == "gave_up" }
            #expect(heldBack.count == 20 - (limit - 1), "every round after the limit was held back, not fought")
            #expect(heldBack.allSatisfy { $0["attempts_in_window"]?.intValue == limit && ($0["retry_in_ms"]?.intValue ?? 0) > 500_000 })
            // One more leave: nothing puts it back.
            let before = scenario.lastSeq
            try scenario.tools.setFullscreen(page.window, false)
            try await Task.sleep(for: .seconds(2))
            #expect(!scenario.tools.isFullscreen(page.window))
            #expect(scenario.events("screen.reactivated", after: before).map { $0["result"] } == ["gave_up"])
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func monitorsAreReportedAtStartAndOnEveryChange() async throws {
            let scenario = try await PluginScenario.start([("screen", "screen", ["enforce": "never"])])
            let start = try #require(await scenario.waitFor("screen.monitors") { $0["reason"] == "start" })
            #expect(start.data["count"] == 1)
            let screen = start.data["monitors"]?.arrayValue?.first
            #expect(screen?["width"] == 1280 && screen?["height"] == 800)
            try scenario.tools.addMonitor("VIRT-1", geometry: "640/169x400/106+640+0")
            let added = try #require(await scenario.waitFor("screen.monitors", after: start.event.seq) { $0["reason"] == "change" })
            #expect(added.data["count"] == 2)
            let virtual = added.data["monitors"]?.arrayValue?.first { $0["name"] == "VIRT-1" }
            #expect(virtual == ["name": "VIRT-1", "x": 640, "y": 0, "width": 640, "height": 400, "primary": false,
                                "width_mm": 169, "height_mm": 106])
            try scenario.tools.removeMonitor("VIRT-1")
            let removed = try #require(await scenario.waitFor("screen.monitors", after: added.event.seq) { $0["reason"] == "change" })
            #expect(removed.data["count"] == 1)
            #expect(removed.data["monitors"]?.arrayValue?.contains { $0["name"] == "VIRT-1" } == false)
            #expect(scenario.events("screen.monitors", after: removed.event.seq).isEmpty, "one event per change")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func theWindowIsFollowedThroughTitleChangesAndReCreation() async throws {
            let scenario = try await PluginScenario.start([("screen", "screen", ["grace_ms": 500, "backoff_initial_ms": 0])])
            let marker = try await scenario.marker()
            // The page renames itself (marker kept), drops the marker, then puts it back.
            let script = """
                const m = "\(marker)";
                setTimeout(() => document.title = "Renamed · " + m, 2000);
                setTimeout(() => document.title = "No marker", 4000);
                setTimeout(() => document.title = "Back · " + m, 6000);
                """
            let page = try await scenario.desktop.openCallPage(marker: marker, script: script)
            #expect(await scenario.tools.waitForWindow(titled: "Renamed", timeout: .seconds(10)) == page.window)
            let unmarked = try #require(await scenario.waitFor("screen.fullscreen", timeout: .seconds(10)) { $0["change"] == "lost" })
            #expect(unmarked.data["reason"] == "unmarked")
            #expect(scenario.tools.windows(titled: "No marker") == [page.window], "it was dropped when the marker went, not on the rename")
            let again = try #require(await scenario.waitFor("screen.fullscreen", after: unmarked.event.seq, timeout: .seconds(10)) { $0["change"] == "found" })
            #expect(again.data["window"]?.stringValue == page.window)
            // The browser closes and a new one opens the page: a new window.
            let mark = scenario.lastSeq
            page.close()
            let closed = try #require(await scenario.waitFor("screen.fullscreen", after: mark) { $0["change"] == "lost" })
            #expect(closed.data["reason"] == "closed")
            // (X may give the new window the old one's id: ids of a closed client are reused.)
            let reopened = try await scenario.desktop.openCallPage(marker: marker)
            let found = try #require(await scenario.waitFor("screen.fullscreen", after: closed.event.seq) { $0["change"] == "found" })
            #expect(found.data["window"]?.stringValue == reopened.window)
            #expect(await scenario.waitFor("screen.fullscreen", after: found.event.seq, timeout: .seconds(10)) { $0["change"] == "entered" && $0["by"] == "agent" } != nil)
            #expect(scenario.tools.isFullscreen(reopened.window))
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func theShareStateIsRecordedAndCanDriveEnforcement() async throws {
            let scenario = try await PluginScenario.start([("screen", "screen", ["enforce": "while_sharing", "grace_ms": 500])])
            let page = try await scenario.desktop.openCallPage(marker: try await scenario.marker())
            _ = try #require(await scenario.waitFor("screen.fullscreen") { $0["change"] == "found" })
            try await Task.sleep(for: .seconds(2))
            #expect(!scenario.tools.isFullscreen(page.window), "not sharing yet: nothing is enforced")
            #expect(scenario.events("screen.reactivated").isEmpty)

            let shared = try await scenario.request("screen", "share_state", ["active": true, "display_surface": "monitor"])
            #expect(shared["result"] == ["recorded": true, "change": "initial", "full_screen_share": true])
            #expect(await scenario.waitFor("screen.fullscreen", timeout: .seconds(5)) { $0["change"] == "entered" && $0["by"] == "agent" } != nil)
            _ = try await scenario.request("screen", "share_state", ["active": true, "display_surface": "window"])
            _ = try await scenario.request("screen", "share_state", ["active": true, "display_surface": "window"])
            let stopped = try await scenario.request("screen", "share_state", ["active": false])
            #expect(stopped["result"]?["change"] == "stopped")
            #expect(await eventually { scenario.events("screen.share").count >= 3 })
            #expect(scenario.events("screen.share").map { [$0["change"], $0["full_screen_share"]] } ==
                    [["initial", true], ["surface_changed", false], ["stopped", false]], "repeats are not published")

            // Sharing stopped: leaving full screen is reported, not undone.
            let before = scenario.lastSeq
            try scenario.tools.setFullscreen(page.window, false)
            #expect(await scenario.waitFor("screen.fullscreen", after: before) { $0["change"] == "left" } != nil)
            try await Task.sleep(for: .seconds(2))
            #expect(!scenario.tools.isFullscreen(page.window))

            let bad = try await scenario.request("screen", "share_state", ["active": "yes"])
            #expect(bad["error"]?["code"] == "invalid_params")
            let status = try await scenario.request("screen", "status")
            #expect(status["result"]?["window"]?.stringValue == page.window)
            #expect(status["result"]?["enforcing"] == false)
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }
    }
}
