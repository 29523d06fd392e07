import Foundation
import ProctorHost
import ProctorJSON
import ProctorTestSupport
import Testing

extension SessionIntegrationTests {
    /// No desktop environment runs on these machines: a stand-in owns
    /// org.freedesktop.ScreenSaver on the test bus and emits ActiveChanged.
    @Suite struct LockAndBusTests {
        @Test func theScreensaverGivesSessionLock() async throws {
            let scenario = try await SessionScenario.start()
            let standIn = try #require(scenario.screensaver)
            standIn.setActive(true)
            let locked = try #require(await scenario.waitFor("session.lock") { $0["locked"] == true }?.data)
            #expect(locked["source"] == "screensaver" && locked["service"] == "org.freedesktop.ScreenSaver", "\(locked)")
            let mark = scenario.lastSeq
            standIn.setActive(false)
            #expect(await scenario.waitFor("session.lock", after: mark) { $0["locked"] == false } != nil)
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func missingBusesAndServicesAreNamed() async throws {
            let scenario = try await SessionScenario.start(
                config: ["system_bus": "unix:path=/nonexistent/proctord-test/system_bus_socket"], daemon: false, services: false, wanted: "degraded")
            let bus = scenario.bus.address
            #expect(await scenario.log.waitForState("session") { state in
                let reason = state["reason"]?.stringValue ?? ""
                return reason.contains("no session bus at \(bus): ") && reason.contains("no system bus at unix:path=/nonexistent/proctord-test/system_bus_socket: ")
            } != nil, "\(scenario.log.states(of: "session"))")
            // A bus with neither screensaver nor notification server: both named, the system bus still missing.
            let mark = scenario.lastSeq
            try scenario.bus.start()
            let named = try #require(await scenario.log.waitForState("session", after: mark) { state in
                let reason = state["reason"]?.stringValue ?? ""
                return reason.contains("no screensaver on the session bus (org.freedesktop.ScreenSaver, org.gnome.ScreenSaver)")
                    && reason.contains("no notification server on the session bus (org.freedesktop.Notifications)")
            }, "\(scenario.log.states(of: "session"))")
            #expect(named.1["reason"]?.stringValue?.contains("no system bus at ") == true)
            let refused = try await scenario.notify("Hello")
            #expect(refused["error"]?["code"] == "no_notification_server", "\(refused)")
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func theBusGoingAwayAndComingBackIsSurvived() async throws {
            let scenario = try await SessionScenario.start()
            let pid = await scenario.agent.supervisor("session")?.pid
            let before = scenario.lastSeq
            scenario.bus.crash()
            let degraded = try #require(await scenario.log.waitForState("session", after: before) { $0["state"] == "degraded" })
            #expect(degraded.1["reason"]?.stringValue?.hasPrefix("session bus \(scenario.bus.address) went away") == true, "\(degraded.1)")
            let refused = try await scenario.notify("While the bus is gone")
            #expect(refused["error"]?["code"] == "no_session_bus", "\(refused)")
            // A new daemon at the same address, and its services again.
            let mark = scenario.lastSeq
            try scenario.bus.start()
            try await scenario.restartServices()
            let back = try #require(await scenario.log.waitForState("session", timeout: .seconds(20), after: mark) { $0["state"] == "running" },
                                    "\(scenario.log.states(of: "session"))")
            #expect(back.1["restarts"] == 0)
            #expect(try await scenario.notify("After the bus came back")["outcome"] == "shown")
            let lockMark = scenario.lastSeq
            scenario.screensaver?.setActive(true)
            #expect(await scenario.waitFor("session.lock", after: lockMark) { $0["locked"] == true } != nil)
            #expect(await scenario.agent.supervisor("session")?.pid == pid, "the same child throughout: nothing crashed")
            // Stopping while the bus is gone does not hang.
            scenario.bus.crash()
            let started = ContinuousClock.now
            await scenario.agent.stopAll()
            #expect(ContinuousClock.now - started < .seconds(4))
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }
    }
}
