import Foundation
import ProctorJSON
import ProctorTestSupport
import Testing

extension AudioIntegrationTests {
    /// No sound server is `degraded`, not a failure; a server that goes away
    /// and comes back is followed without restarting the plugin.
    @Suite struct ConnectionTests {
        @Test func noSoundServerIsDegradedAndItsArrivalIsNoticed() async throws {
            let scenario = try await AudioScenario.start(daemon: false)
            let degraded = try #require(scenario.log.states(of: "audio").last)
            #expect(degraded["reason"]?.stringValue?.hasPrefix("no sound server \(scenario.pulse.server): ") == true, "\(degraded)")
            let mark = scenario.lastSeq
            try scenario.pulse.start()
            #expect(await scenario.log.waitForState("audio", after: mark) { $0["state"] == "running" } != nil,
                    "\(scenario.log.states(of: "audio"))")
            let listed = try #require(await scenario.waitFor("audio.devices", after: mark) { $0["reason"] == "listed" })
            #expect(listed.data["default_source"]?.stringValue == scenario.pulse.monitorName)
            #expect(try scenario.schemaProblems() == [])
            await scenario.stop()
        }

        @Test func aDaemonThatDiesAndComesBackIsSurvived() async throws {
            let scenario = try await AudioScenario.start()
            let pid = await scenario.agent.supervisor("audio")?.pid
            for round in 1...2 {
                let before = scenario.lastSeq
                scenario.pulse.crash()
                let degraded = try #require(await scenario.log.waitForState("audio", after: before) { $0["state"] == "degraded" },
                                            "round \(round): \(scenario.log.states(of: "audio"))")
                #expect(degraded.1["reason"]?.stringValue?.hasPrefix("sound server \(scenario.pulse.server) went away") == true,
                        "round \(round): \(degraded.1)")
                let mark = scenario.lastSeq
                try scenario.pulse.start()
                let back = try #require(await scenario.log.waitForState("audio", timeout: .seconds(20), after: mark) { $0["state"] == "running" },
                                        "round \(round): did not recover")
                #expect(back.1["restarts"] == 0)
                #expect(await scenario.waitFor("audio.devices", after: mark) { $0["reason"] == "listed" } != nil)
            }
            #expect(await scenario.agent.supervisor("audio")?.pid == pid, "the same child throughout: nothing crashed")
            // Stopping while the server is gone does not hang.
            scenario.pulse.crash()
            let started = ContinuousClock.now
            await scenario.agent.stopAll()
            #expect(ContinuousClock.now - started < .seconds(4))
            #expect(try scenario.schemaProblems() == [])
        }
    }
}
