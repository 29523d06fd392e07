import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension X11IntegrationTests {
    /// Where the plugins cannot see, they say so: no display, a Wayland
    /// session, an X server that goes away (and comes back).
    @Suite struct ResilienceTests {
        @Test func losingTheXServerIsReportedAndRecoveredWithoutARestart() async throws {
            let scenario = try await PluginScenario.start([
                ("screen", "screen", ["enforce": "never"]), ("desktop", "desktop", [:]),
            ])
            let pids = [await scenario.agent.supervisor("screen")?.pid, await scenario.agent.supervisor("desktop")?.pid]
            for round in 1...2 {
                let before = scenario.lastSeq
                scenario.desktop.crashServer()
                for id in ["screen", "desktop"] {
                    let degraded = try #require(await scenario.log.waitForState(id, after: before) { $0["state"] == "degraded" },
                                                "round \(round): \(id) not degraded")
                    #expect(degraded.1["reason"]?.stringValue?.hasPrefix("X server of display \(scenario.desktop.display) went away") == true,
                            "round \(round), \(id): \(scenario.log.states(of: id))")
                }
                let mark = scenario.lastSeq
                try await scenario.desktop.restartServer()
                for id in ["screen", "desktop"] {
                    let back = try #require(await scenario.log.waitForState(id, timeout: .seconds(20), after: mark) { $0["state"] == "running" },
                                            "round \(round): \(id) did not recover")
                    #expect(back.1["reason"] == nil && back.1["restarts"] == 0)
                }
                #expect(await scenario.waitFor("screen.monitors", after: mark) { $0["reason"] == "reconnect" } != nil,
                        "round \(round): \(scenario.log.states(of: "screen"))")
            }
            #expect([await scenario.agent.supervisor("screen")?.pid, await scenario.agent.supervisor("desktop")?.pid] == pids,
                    "the same children throughout: nothing crashed")
            // Stopping while the server is gone does not hang.
            scenario.desktop.crashServer()
            let started = ContinuousClock.now
            await scenario.agent.stopAll()
            #expect(ContinuousClock.now - started < .seconds(4))
            for id in ["screen", "desktop"] {
                #expect(await scenario.log.waitForState(id, timeout: .seconds(2)) { $0["state"] == "stopped" } != nil)
            }
            #expect(try scenario.schemaProblems() == [])
            scenario.desktop.stop()
        }

        /// The window manager exiting leaves its check property naming a window
        /// that is gone; the plugins must notice, and notice its return.
        @Test func aWindowManagerThatExitsIsReportedAndItsReturnToo() async throws {
            let scenario = try await PluginScenario.start([
                ("screen", "screen", ["enforce": "never"]), ("desktop", "desktop", [:]),
            ])
            for id in ["screen", "desktop"] {
                _ = try #require(await scenario.log.waitForState(id) { $0["state"] == "running" })
            }
            let before = scenario.lastSeq
            scenario.desktop.windowManager.stop()
            for id in ["screen", "desktop"] {
                let degraded = try #require(await scenario.log.waitForState(id, timeout: .seconds(10), after: before) { $0["state"] == "degraded" },
                                            "\(id) did not notice: \(scenario.log.states(of: id))")
                #expect(degraded.1["reason"]?.stringValue?.hasPrefix("no EWMH window manager on \(scenario.desktop.display)") == true)
            }
            let mark = scenario.lastSeq
            try await scenario.desktop.windowManager.start()
            for id in ["screen", "desktop"] {
                #expect(await scenario.log.waitForState(id, timeout: .seconds(10), after: mark) { $0["state"] == "running" } != nil,
                        "\(id) did not see the window manager come back")
            }
            await scenario.stop()
        }

        /// A real `proctord run` with both X11 plugins watching `display` ("": $DISPLAY),
        /// in the given environment.
        func agentProcess(display: String, environment: [String: String?], dir: TemporaryDirectory) throws -> AgentProcess {
            var builder = ConfigBuilder()
            builder.add(id: "screen", library: "screen", config: ["display": .string(display), "enforce": "never"])
            builder.add(id: "desktop", library: "desktop", config: ["display": .string(display)])
            return try AgentProcess(
                arguments: ["run", "--config", builder.write(to: dir), "--state-dir", dir.path + "/state", "--print-events", "*"],
                environment: environment)
        }

        func degradedReason(_ agent: AgentProcess, _ plugin: String) async -> String? {
            await agent.waitForEvent {
                $0["topic"] == "plugin.state" && $0["data"]?["plugin"]?.stringValue == plugin && $0["data"]?["state"] == "degraded"
            }?["data"]?["reason"]?.stringValue
        }

        @Test func withoutADisplayBothSayWhyAndKeepRunning() async throws {
            let dir = TemporaryDirectory()
            let agent = try agentProcess(display: "", environment: ["DISPLAY": nil, "WAYLAND_DISPLAY": nil, "XDG_SESSION_TYPE": nil], dir: dir)
            for plugin in ["screen", "desktop"] {
                #expect(await degradedReason(agent, plugin)
                        == "no X display: DISPLAY is not set and the config names none (\"display\"), so no window can be seen")
                let states = agent.events.filter { $0["topic"] == "plugin.state" && $0["data"]?["plugin"]?.stringValue == plugin }
                #expect(states.map { $0["data"]?["state"] } == ["starting", "degraded"], "said during start: never shown as running")
            }
            agent.signal(SIGKILL)
            _ = await agent.waitForExit()
        }

        @Test func aWaylandSessionIsReportedWhileXWaylandWindowsAreStillWatched() async throws {
            let desktop = try await X11TestDesktop()
            let dir = TemporaryDirectory()
            let agent = try agentProcess(display: desktop.display,
                                         environment: ["WAYLAND_DISPLAY": "wayland-test", "XDG_SESSION_TYPE": nil], dir: dir)
            for plugin in ["screen", "desktop"] {
                let reason = await degradedReason(agent, plugin)
                #expect(reason?.hasPrefix("Wayland session (WAYLAND_DISPLAY=wayland-test): only XWayland windows are visible") == true,
                        "\(plugin): \(reason ?? "no degraded state")")
            }
            #expect(await agent.waitForEvent { $0["topic"] == "screen.monitors" } != nil, "what X shows is still reported")
            agent.signal(SIGKILL)
            _ = await agent.waitForExit()
            desktop.stop()
        }
    }
}
